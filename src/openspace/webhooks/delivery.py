"""
One hook's deliveries over treq: L{HookDelivery}.

A delivery reads the board's log after the hook's acknowledged seq (the log is the
queue), POSTs the next batch (L{openspace.webhooks.payload}), and on a 2xx answer
stores the new acknowledged seq before it sends anything else.  So deliveries are in
order, at most one is in flight, and a receiver that was away gets everything it
missed when it is back; a batch whose answer was lost is sent again (at least once:
receivers drop seqs they already have).

Everything it touches is injected: the treq C{HTTPClient} (or C{StubTreq}), the clock
(every wait, the whole-request deadline and the "failing for a day" rule follow it),
the way a long log is folded off the reactor thread, and the randomness of the jitter.

Failures (no connection, a non-2xx status, no complete answer within C{deadline}
seconds: treq's own C{timeout=} covers only the headers) are retried after
C{retry_policy(n)} seconds for the n-th failure in a row (exponential backoff with
jitter), or after the receiver's C{Retry-After} when that is longer (capped at
C{max_retry_after}).  A hook whose deliveries have all failed for C{disable_after} is
disabled, with the reason the desk shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from random import random as uniform_random
from typing import Any, ClassVar, NoReturn, Protocol, cast

from attrs import Factory, define, evolve, field, frozen
from twisted.application.internet import backoffPolicy
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.internet.interfaces import IReactorTime
from twisted.internet.protocol import Protocol as TwistedProtocol
from twisted.internet.protocol import connectionDone
from twisted.internet.task import deferLater
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed
from twisted.web.http_headers import Headers

from openspace import __version__
from openspace.clock import Clock, utc_now
from openspace.feed import board_epoch
from openspace.model import Board
from openspace.official.poller import retry_after_seconds, retry_delay
from openspace.replay import replay
from openspace.store.interface import BoardStore
from openspace.webhooks.payload import MAX_EVENTS, Batch, make_batch
from openspace.webhooks.signing import SIGNATURE_HEADER, signature
from openspace.webhooks.storage import Hook, HookStore

USER_AGENT = f"openspace/{__version__} webhook"
ANSWER_LIMIT = 64 * 1024

Fold = Callable[[Callable[[], Board | None]], "Deferred[Board | None]"]
"""
Runs a fold of a long log (the board at a hook's acknowledged seq) off the reactor.
"""


def inline(work: Callable[[], Board | None]) -> Deferred[Board | None]:
    """
    A L{Fold} that runs on the calling thread (tests).
    """
    return Deferred.fromCoroutine(_call(work))


async def _call(work: Callable[[], Board | None]) -> Board | None:
    return work()


class HTTPPoster(Protocol):
    """
    Anything with treq's C{post}: C{treq.client.HTTPClient}, C{treq.testing.StubTreq}.
    """

    def post(
        self, url: str, /, *, data: bytes, headers: Headers, unbuffered: bool
    ) -> Deferred[Any]: ...


@frozen
class Attempt:
    """
    What one attempt did, for observers (tests, logs).

    @ivar first: the first seq sent, and C{last} the last; both 0 when nothing was.
    @ivar delivered: the receiver acknowledged (2xx).
    @ivar error: why not, in words.
    @ivar retry_in: seconds until the next attempt; L{None} when none is planned.
    @ivar seconds: from sending the batch to its answer or failure, on the delivery's
        clock; L{None} when nothing was sent.
    """

    hook: str
    first: int
    last: int
    delivered: bool
    error: str | None = None
    retry_in: float | None = None
    disabled: str | None = None
    seconds: float | None = None


class DeliveryFailed(Exception):
    """
    The receiver did not acknowledge; C{retry_after} is what it asked us to wait.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_EXPECTED = (DeliveryFailed, ConnectError, DNSLookupError, ResponseFailed)


class _Drain(TwistedProtocol):
    """
    Reads and forgets a receiver's answer (up to a cap, so the connection can be kept);
    cancelling C{done} (the deadline) aborts the connection.
    """

    def __init__(self) -> None:
        self._left = ANSWER_LIMIT
        self.done: Deferred[None] = Deferred(lambda _: self._abort())

    def dataReceived(self, data: bytes) -> None:
        self._left -= len(data)
        if self._left < 0:
            self._abort()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if not self.done.called:
            self.done.callback(None)

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.stopProducing()  # type: ignore[attr-defined]


def _describe(error: BaseException) -> str:
    if isinstance(error, ResponseFailed) and error.reasons:
        return "; ".join(reason.getErrorMessage() for reason in error.reasons)
    return str(error) or type(error).__name__


def _default_retry_policy(delivery: HookDelivery) -> Callable[[int], float]:
    return backoffPolicy(
        initialDelay=2.0, maxDelay=600.0, factor=2.0, jitter=lambda: delivery.random() * 5.0
    )


@define
class HookDelivery:
    """
    Delivers one hook's board changes; L{start}, then L{nudge} after every commit.

    @ivar hook: the hook as last stored; its C{acked} advances with each delivery.
    @ivar secret: signs every body (L{openspace.webhooks.signing}).
    @ivar on_attempt: called with an L{Attempt} after every attempt.
    """

    hook: Hook
    secret: str
    store: BoardStore
    hooks: HookStore
    client: HTTPPoster
    clock: Clock
    fold: Fold = inline
    on_attempt: Callable[[Attempt], object] | None = None
    deadline: float = 30.0
    max_retry_after: float = 3600.0
    disable_after: timedelta = timedelta(days=1)
    random: Callable[[], float] = uniform_random
    retry_policy: Callable[[int], float] = Factory(_default_retry_policy, takes_self=True)

    _log: ClassVar[Logger] = Logger()

    _running: bool = field(default=False, init=False)
    _loop: Deferred[None] | None = field(default=None, init=False)
    _failures: int = field(default=0, init=False)
    _cursor: tuple[int, int, Board | None] | None = field(default=None, init=False)
    _unreported: Attempt | None = field(default=None, init=False)
    _nudged: bool = field(default=False, init=False)

    @property
    def busy(self) -> bool:
        """
        An attempt is in flight or a retry is planned.
        """
        return self._loop is not None

    def start(self) -> None:
        self._running = True
        self.nudge()

    def nudge(self) -> None:
        """
        There may be something new to send: start now unless busy (an attempt in flight
        looks again when it ends; a planned retry keeps its backoff).
        """
        if not self._running:
            return
        if self._loop is not None:
            # A commit during an attempt that found nothing to send must not wait.
            self._nudged = True
            return
        self._loop = Deferred.fromCoroutine(self._run())
        self._loop.addBoth(self._idle)

    def stop(self) -> None:
        """
        Send nothing more: abort the request in flight or the wait for the next retry.
        """
        self._running = False
        if self._loop is not None:
            self._loop.cancel()

    def _idle(self, result: object) -> None:
        self._loop = None
        if isinstance(result, Failure) and not isinstance(result.value, CancelledError):
            self._log.failure("webhook {id} crashed", result, id=self.hook.id)
        self._flush()

    async def _run(self) -> None:
        """
        Attempt after attempt, one at a time, until there is nothing left to send (a
        nudge starts again) or the hook stops.
        """
        while self._running:
            self._nudged = False
            try:
                delay = await self._attempt()
            except CancelledError:
                raise
            except Exception:
                # The database, most likely: keep the hook, try again in a while.
                self._log.failure("webhook {id} could not attempt", id=self.hook.id)
                delay = 60.0
            if delay is None:
                if self._nudged:
                    continue
                return
            # Observers hear of an attempt once the next one is planned, so that one
            # that reacts at once (a test moving its clock) acts on the real state.
            waiting: Deferred[None] | None = None
            if delay > 0:
                waiting = deferLater(cast(IReactorTime, self.clock), delay)
            self._flush()
            if waiting is not None:
                await waiting

    def _report(self, attempt: Attempt) -> None:
        self._unreported = attempt

    def _flush(self) -> None:
        attempt, self._unreported = self._unreported, None
        if self.on_attempt is None or attempt is None:
            return
        try:
            self.on_attempt(attempt)
        except Exception:
            self._log.failure("on_attempt of webhook {id} failed", id=self.hook.id)

    async def _attempt(self) -> float | None:
        """
        Send the next batch, if any; the delay until the next attempt (0: at once,
        L{None}: when nudged).
        """
        slug = self.hook.slug
        board = await self.store.board(slug)
        if board is None:
            return None
        epoch = board_epoch(board)
        if self.hook.epoch != epoch:
            await self.hooks.restarted(self.hook, epoch)
            self.hook = evolve(self.hook, epoch=epoch, acked=0)
        acked = self.hook.acked
        if acked >= board.seq:
            return None
        attempted = utc_now(self.clock)
        batch: Batch | None = None
        posted: float | None = None
        try:
            before = await self._board_at(epoch, acked)
            logged = await self.store.events_since(slug, acked, MAX_EVENTS)
            if not logged:
                return None
            batch = make_batch(slug, epoch, before, logged)
            posted = self.clock.seconds()
            await self._post(batch)
        except Exception as error:
            if not self._running:
                raise CancelledError() from error
            if not isinstance(error, _EXPECTED):
                self._log.failure("unexpected error delivering webhook {id}", id=self.hook.id)
            took = None if posted is None else self.clock.seconds() - posted
            return await self._failed(error, attempted, batch, took)
        took = self.clock.seconds() - posted
        await self.hooks.acknowledged(self.hook, epoch, batch.last, attempted)
        self.hook = evolve(
            self.hook,
            acked=batch.last,
            failing_since=None,
            last_error=None,
            last_attempt=attempted,
            last_success=attempted,
        )
        self._cursor = (epoch, batch.last, batch.board)
        self._failures = 0
        self._report(Attempt(self.hook.id, batch.first, batch.last, True, retry_in=0, seconds=took))
        return 0

    async def _board_at(self, epoch: int, seq: int) -> Board | None:
        """
        The board right after event C{seq}: kept from the last delivery, else folded
        from the log (once per start, and off the reactor).
        """
        if seq == 0:
            return None
        if self._cursor is not None and self._cursor[:2] == (epoch, seq):
            return self._cursor[2]
        logged = await self.store.events_since(self.hook.slug, 0, seq)
        board = await self.fold(lambda: replay(logged))
        if board is None or board.seq != seq or board_epoch(board) != epoch:
            raise ValueError(f"the log of {self.hook.slug} does not reach {seq} in this epoch")
        self._cursor = (epoch, seq, board)
        return board

    async def _post(self, batch: Batch) -> None:
        timestamp = int(self.clock.seconds())
        headers = Headers(
            {
                "Content-Type": ["application/json"],
                "User-Agent": [USER_AGENT],
                SIGNATURE_HEADER: [signature(self.secret, timestamp, batch.body)],
                "X-Openspace-Hook": [self.hook.id],
                "X-Openspace-Event": [self.hook.slug],
            }
        )
        sending = Deferred.fromCoroutine(self._exchange(batch.body, headers))
        # addTimeout is typed for the zope interface; any real clock provides it.
        sending.addTimeout(
            self.deadline, cast(IReactorTime, self.clock), onTimeoutCancel=self._deadline_passed
        )
        await sending

    async def _exchange(self, body: bytes, headers: Headers) -> None:
        response = await self.client.post(
            self.hook.url, data=body, headers=headers, unbuffered=True
        )
        drain = _Drain()
        response.deliverBody(drain)
        await drain.done
        if not 200 <= response.code < 300:
            values = response.headers.getRawHeaders("Retry-After")
            raise DeliveryFailed(
                f"HTTP {response.code} {response.phrase.decode('latin-1')}",
                retry_after_seconds(values[-1] if values else None, utc_now(self.clock)),
            )

    def _deadline_passed(self, result: object, timeout: float) -> NoReturn:
        raise DeliveryFailed(f"no complete answer within {self.deadline:g} s")

    async def _failed(
        self, error: Exception, attempted: datetime, batch: Batch | None, took: float | None
    ) -> float | None:
        delay = retry_delay(self.retry_policy(self._failures), error, self.max_retry_after)
        self._failures += 1
        reason = _describe(error)
        since = self.hook.failing_since or attempted
        disabled = None
        if attempted - since >= self.disable_after:
            disabled = (
                f"every delivery failed from {since:%Y-%m-%d %H:%M} UTC to "
                f"{attempted:%Y-%m-%d %H:%M} UTC; the last said: {reason}"
            )
        await self.hooks.failed(self.hook, since, reason, attempted, disabled)
        self.hook = evolve(
            self.hook,
            failing_since=since,
            last_error=reason,
            last_attempt=attempted,
            disabled=disabled,
        )
        first, last = (batch.first, batch.last) if batch is not None else (0, 0)
        if disabled is not None:
            self._running = False
            self._log.warn("webhook {id} disabled: {reason}", id=self.hook.id, reason=disabled)
            self._report(Attempt(self.hook.id, first, last, False, reason, None, disabled, took))
            return None
        self._log.warn(
            "webhook {id} failed: {reason}; retrying in {delay:.0f} s",
            id=self.hook.id,
            reason=reason,
            delay=delay,
        )
        self._report(Attempt(self.hook.id, first, last, False, reason, delay, seconds=took))
        return delay
