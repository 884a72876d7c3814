"""
Polling one upstream schedule with treq: L{SchedulePoller} and its L{SourceStatus}.

Everything the poller touches is injected: the treq C{HTTPClient} (or
C{treq.testing.StubTreq}), the clock (C{IReactorTime}), the way parsing is moved off
the reactor thread (L{in_thread_pool}, or L{inline} in tests) and the source of
randomness for backoff jitter.  That keeps it testable with C{task.Clock} and no
sleeps, and lets the caller decide what "a new schedule" means for the board: the
poller only calls C{on_schedule(result)} when the content changed.

Conditional requests and pretalx: the poller sends C{If-None-Match} with the ETag
exactly as the server sent it, and C{If-Modified-Since} with its C{Last-Modified}.
pretalx's exporters send a quoted ETag but only answer 304 to the unquoted value;
sending an unquoted tag would be invalid syntax (RFC 9110) that other servers and
caches may reject, so instead every body is hashed (SHA-256) and an unchanged body is
dropped before parsing.  An unchanged pretalx export therefore costs a download but
no parse and no callback; pretalx's widget JSON answers 304 properly and is the better
URL to poll.  Titles can change without a new schedule version, which is why content,
not a version number, decides what changed.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from random import random as uniform_random
from typing import Any, ClassVar, Literal, NoReturn, Protocol, cast

from attrs import Factory, define, field, frozen
from twisted.application.internet import backoffPolicy
from twisted.internet.defer import CancelledError, Deferred, maybeDeferred
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.internet.interfaces import IReactorFromThreads, IReactorTime
from twisted.internet.protocol import Protocol as TwistedProtocol
from twisted.internet.protocol import connectionDone
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.web.client import ResponseDone, ResponseFailed
from twisted.web.http import PotentialDataLoss
from twisted.web.http_headers import Headers
from twisted.web.iweb import UNKNOWN_LENGTH

from openspace import __version__
from openspace.official.detect import parse_any
from openspace.official.parsed import ParseError, ParseResult

USER_AGENT = f"openspace/{__version__} schedule-poller"


class HTTPResponse(Protocol):
    """
    The part of C{IResponse} (as treq returns it) that the poller reads.
    """

    code: int
    phrase: bytes
    headers: Headers
    length: int | object

    def deliverBody(self, protocol: TwistedProtocol) -> None: ...


class DelayedCall(Protocol):
    """
    What C{IReactorTime.callLater} returns, as far as the poller uses it.
    """

    def active(self) -> bool: ...

    def cancel(self) -> None: ...


class Clock(Protocol):
    """
    The part of C{IReactorTime} the poller uses (the reactor, or C{task.Clock}).
    """

    def seconds(self) -> float: ...

    def callLater(
        self, delay: float, callable: Callable[..., object], *args: object, **kw: object
    ) -> DelayedCall: ...


class _Producer(Protocol):
    def stopProducing(self) -> None: ...


class HTTPGetter(Protocol):
    """
    Anything with treq's C{get}: C{treq.client.HTTPClient}, C{treq.testing.StubTreq}.
    """

    def get(self, url: str, /, *, headers: Headers, unbuffered: bool) -> Deferred[Any]: ...


ParseRunner = Callable[[Callable[[], ParseResult]], "Deferred[ParseResult]"]


def in_thread_pool(reactor: IReactorFromThreads, pool: ThreadPool) -> ParseRunner:
    """
    A L{ParseRunner} that parses in C{pool}, so that a large document never blocks
    the reactor; C{in_thread_pool(reactor, reactor.getThreadPool())} is the usual one.
    """

    def run(work: Callable[[], ParseResult]) -> Deferred[ParseResult]:
        return deferToThreadPool(reactor, pool, work)

    return run


def inline(work: Callable[[], ParseResult]) -> Deferred[ParseResult]:
    """
    A L{ParseRunner} that parses at once on the calling thread: for tests.
    """
    return maybeDeferred(work)


@frozen
class SourceStatus:
    """
    How one schedule source is doing, for the board's C{sources} list.

    @ivar format: the format last parsed, else the configured one, else C{"auto"}.
    @ivar status: C{"pending"} until a first schedule arrived; then C{"ok"} when the
        latest attempt succeeded and C{"stale"} when it failed (the last good
        schedule is still in use).
    @ivar last_error: why the latest attempt failed; L{None} after a success.
    """

    url: str
    format: str
    status: Literal["ok", "stale", "pending"]
    last_success: datetime | None = None
    last_error: str | None = None
    last_attempt: datetime | None = None


def status_json(status: SourceStatus) -> dict[str, str | None]:
    """
    C{status} as an entry of the board JSON's C{sources} list (times in ISO 8601 UTC).
    """
    return {
        "url": status.url,
        "format": status.format,
        "status": status.status,
        "last_success": None if status.last_success is None else status.last_success.isoformat(),
        "last_error": status.last_error,
    }


class FetchError(Exception):
    """
    The server did not give us a usable document.

    @ivar retry_after: seconds the server asked us to wait (C{Retry-After}), if any.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BodyTooLarge(FetchError):
    """
    The body is larger than the poller's size cap.
    """


class EmptySchedule(Exception):
    """
    A document with no talks arrived where a non-empty schedule was in use.
    """


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """
    A C{Retry-After} header value (delay seconds or HTTP-date) as seconds from C{now}.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(backoff: float, error: Exception, cap: float) -> float:
    """
    How long to wait after C{error}: the C{backoff} of this failure, or the server's
    C{Retry-After} (an C{error.retry_after} in seconds) when that is longer, at most C{cap}.
    """
    retry_after: float | None = getattr(error, "retry_after", None)
    if retry_after is None:
        return backoff
    return max(backoff, min(retry_after, cap))


class _CappedBody(TwistedProtocol):
    """
    Collects a response body into C{finished}, aborting the connection once the
    body exceeds C{limit} bytes, so an endless or huge body never fills memory.
    Cancelling C{finished} (the whole-request deadline) aborts the connection too.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._chunks: list[bytes] = []
        self._done = False
        self.finished: Deferred[bytes] = Deferred(lambda _: self._abort())

    def dataReceived(self, data: bytes) -> None:
        if self._done:
            return
        self._size += len(data)
        if self._size > self._limit:
            self._abort()
            self.finished.errback(BodyTooLarge(f"body larger than {self._limit} bytes"))
            return
        self._chunks.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._done:
            return
        self._done = True
        # PotentialDataLoss: no Content-Length and the server closed the connection,
        # which is how HTTP/1.0-style servers end a body.
        if isinstance(reason.value, ResponseDone | PotentialDataLoss):
            self.finished.callback(b"".join(self._chunks))
        else:
            self.finished.errback(reason)

    def _abort(self) -> None:
        self._done = True
        self._chunks = []
        if self.transport is not None:
            cast(_Producer, self.transport).stopProducing()


class _Discard(TwistedProtocol):
    """
    Drops a body we will not read (error pages), closing the connection at once.
    """

    def connectionMade(self) -> None:
        if self.transport is not None:
            cast(_Producer, self.transport).stopProducing()


@frozen
class _Fetched:
    body: bytes
    content_type: str | None
    validators: Mapping[str, str]


def _header(headers: Headers, name: str) -> str | None:
    values = headers.getRawHeaders(name)
    return None if not values else values[-1]


def _describe(error: BaseException) -> str:
    # Agent wraps the real reasons in lists of Failures, which print unreadably.
    if isinstance(error, ResponseFailed) and error.reasons:
        return "; ".join(reason.getErrorMessage() for reason in error.reasons)
    return str(error) or type(error).__name__


_EXPECTED_FAILURES = (
    FetchError,
    ParseError,
    EmptySchedule,
    ConnectError,
    DNSLookupError,
    ResponseFailed,
)


def _deadline_passed(result: object, timeout: float) -> NoReturn:
    # Whatever the cancelled request failed with (CancelledError, or Agent's
    # ResponseNeverReceived wrapping it), the reason to report is the deadline.
    raise FetchError(f"no complete answer within {timeout:g} s")


def _default_retry_policy(poller: SchedulePoller) -> Callable[[int], float]:
    return backoffPolicy(
        initialDelay=5.0, maxDelay=600.0, factor=2.0, jitter=lambda: poller.random() * 5.0
    )


@define
class SchedulePoller:
    """
    Polls one schedule URL every C{interval} seconds and hands changed schedules to
    C{on_schedule}.

    Construct, then L{start}; L{stop} cancels the pending call and any request in
    flight::

        poller = SchedulePoller(
            client=treq.client.HTTPClient(Agent(reactor, pool=pool)),
            clock=reactor,
            url="https://pretalx.example/conf/schedule/widgets/schedule.json",
            on_schedule=board_updater,
            run_parse=in_thread_pool(reactor, reactor.getThreadPool()),
            timezone="Europe/Berlin",
        )
        poller.start()

    Each attempt is a conditional GET bounded by C{deadline} seconds (treq's own
    C{timeout=} covers only the headers, so a body that stalls would hang forever)
    and by C{max_bytes} of body, read as it arrives.  A body identical to the last
    good one (SHA-256) is not parsed again.  Parsing runs through C{run_parse}.

    C{on_status(status)}, if given, receives the new L{SourceStatus} after every
    attempt (to push it to the board); L{status} is the same value on demand.

    C{on_schedule(result)} may return a Deferred or other awaitable; the new content
    counts as delivered only once it succeeds, so a failed store write is retried with
    the next poll.  A document with no talks never replaces a non-empty schedule
    (an upstream in maintenance can serve valid, empty JSON); the source turns
    "stale" instead.

    Failures of any kind keep the last good schedule and retry after
    C{retry_policy(n)} seconds for the n-th failure in a row (exponential backoff with
    jitter), or after the server's C{Retry-After} when that is longer, capped at
    C{max_retry_after} so a misconfigured server cannot silence a source for days.

    @ivar format: the parser to use (a key of L{openspace.official.detect.PARSERS}),
        or L{None} to detect it from each response.
    @ivar timezone: the conference's IANA zone, for sources with local times.
    @ivar random: returns floats in [0, 1); scales the backoff jitter (0-5 s).
    """

    client: HTTPGetter
    clock: Clock
    url: str
    on_schedule: Callable[[ParseResult], object]
    run_parse: ParseRunner
    on_status: Callable[[SourceStatus], object] | None = None
    format: str | None = None
    timezone: str | None = None
    interval: float = 120.0
    max_bytes: int = 20 * 1024 * 1024
    deadline: float = 30.0
    max_retry_after: float = 3600.0
    random: Callable[[], float] = uniform_random
    retry_policy: Callable[[int], float] = Factory(_default_retry_policy, takes_self=True)

    _log: ClassVar[Logger] = Logger()

    _running: bool = field(default=False, init=False)
    _call: DelayedCall | None = field(default=None, init=False)
    _inflight: Deferred[float] | None = field(default=None, init=False)
    _failures: int = field(default=0, init=False)
    _digest: str | None = field(default=None, init=False)
    _validators: Mapping[str, str] = field(factory=dict, init=False)
    _talk_count: int | None = field(default=None, init=False)
    _parsed_format: str | None = field(default=None, init=False)
    _status: SourceStatus = field(init=False)

    def __attrs_post_init__(self) -> None:
        self._status = SourceStatus(url=self.url, format=self.format or "auto", status="pending")

    def _record(self, attempted: datetime, *, succeeded: bool, error: str | None = None) -> None:
        if succeeded:
            state: Literal["ok", "stale", "pending"] = "ok"
        else:
            state = "pending" if self._talk_count is None else "stale"
        self._status = SourceStatus(
            url=self.url,
            format=self._parsed_format or self.format or "auto",
            status=state,
            last_success=attempted if succeeded else self._status.last_success,
            last_error=error,
            last_attempt=attempted,
        )

    @property
    def status(self) -> SourceStatus:
        return self._status

    def start(self) -> None:
        """
        Poll now, then keep polling until L{stop}.
        """
        if not self._running:
            self._running = True
            self._call = self.clock.callLater(0, self._tick)

    def stop(self) -> None:
        """
        Stop polling: cancel the next poll and abort any request in flight.
        """
        self._running = False
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        if self._inflight is not None:
            self._inflight.cancel()

    def _tick(self) -> None:
        self._call = None
        attempt = Deferred.fromCoroutine(self._attempt())
        self._inflight = attempt
        attempt.addBoth(self._next)

    def _next(self, outcome: float | Failure) -> None:
        self._inflight = None
        if isinstance(outcome, Failure):
            if not isinstance(outcome.value, CancelledError):
                self._log.failure("schedule poller for {url} crashed", outcome, url=self.url)
            delay = self.interval
        else:
            delay = outcome
        if self._running:
            self._call = self.clock.callLater(delay, self._tick)
        # Reported once the next poll is scheduled, so that a listener that reacts at
        # once (moves a test clock, stops the poller) acts on the poller's real state.
        if not isinstance(outcome, Failure):
            self._report_status()

    def _report_status(self) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(self._status)
        except Exception:
            # A broken listener must not stop the polling.
            self._log.failure("on_status for {url} failed", url=self.url)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.seconds(), UTC)

    async def _attempt(self) -> float:
        """
        One poll; returns the delay until the next one.
        """
        attempted = self._now()
        try:
            await self._poll()
        except Exception as error:
            if not self._running:
                # stop() cancelled the request; Agent reports that as a failure.
                raise CancelledError() from error
            if not isinstance(error, _EXPECTED_FAILURES):
                self._log.failure("unexpected error polling {url}", url=self.url)
            return self._failed(error, attempted)
        self._failures = 0
        self._record(attempted, succeeded=True)
        return self.interval

    def _failed(self, error: Exception, attempted: datetime) -> float:
        delay = retry_delay(self.retry_policy(self._failures), error, self.max_retry_after)
        self._failures += 1
        reason = _describe(error)
        self._record(attempted, succeeded=False, error=reason)
        self._log.warn(
            "schedule {url} failed: {reason}; retrying in {delay:.0f} s",
            url=self.url,
            reason=reason,
            delay=delay,
        )
        return delay

    async def _poll(self) -> None:
        fetching = Deferred.fromCoroutine(self._fetch())
        # addTimeout is typed for the zope interface; any real clock provides it.
        fetching.addTimeout(
            self.deadline, cast(IReactorTime, self.clock), onTimeoutCancel=_deadline_passed
        )
        fetched = await fetching
        if fetched is None:
            return
        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == self._digest:
            self._validators = fetched.validators
            return
        result = await self.run_parse(
            lambda: parse_any(
                fetched.body,
                fetched.content_type,
                source=self.url,
                timezone=self.timezone,
                format=self.format,
            )
        )
        if not result.talks and self._talk_count:
            raise EmptySchedule(
                f"the new document has no talks; keeping the last {self._talk_count}"
            )
        delivered = self.on_schedule(result)
        if inspect.isawaitable(delivered):
            await delivered
        self._digest = digest
        self._validators = fetched.validators
        self._talk_count = len(result.talks)
        self._parsed_format = result.format
        self._log.info(
            "schedule {url} updated: {talks} talks ({parser}), {skipped} items skipped",
            url=self.url,
            talks=len(result.talks),
            parser=result.format,
            skipped=len(result.skipped),
        )

    def _request_headers(self) -> Headers:
        headers = Headers({"User-Agent": [USER_AGENT]})
        if "etag" in self._validators:
            headers.setRawHeaders("If-None-Match", [self._validators["etag"]])
        if "last-modified" in self._validators:
            headers.setRawHeaders("If-Modified-Since", [self._validators["last-modified"]])
        return headers

    async def _fetch(self) -> _Fetched | None:
        """
        GET the source; L{None} for 304 Not Modified, else the body.
        """
        response: HTTPResponse = await self.client.get(
            self.url, headers=self._request_headers(), unbuffered=True
        )
        if response.code == 304 and self._validators:
            response.deliverBody(_Discard())
            return None
        if response.code != 200:
            response.deliverBody(_Discard())
            raise FetchError(
                f"HTTP {response.code} {response.phrase.decode('latin-1')}",
                retry_after=retry_after_seconds(
                    _header(response.headers, "Retry-After"), self._now()
                ),
            )
        if response.length is not UNKNOWN_LENGTH and cast(int, response.length) > self.max_bytes:
            response.deliverBody(_Discard())
            raise BodyTooLarge(f"Content-Length {response.length} over {self.max_bytes} bytes")
        reader = _CappedBody(self.max_bytes)
        response.deliverBody(reader)
        body = await reader.finished
        validators = {
            name: value
            for name in ("etag", "last-modified")
            if (value := _header(response.headers, name)) is not None
        }
        return _Fetched(body, _header(response.headers, "Content-Type"), validators)
