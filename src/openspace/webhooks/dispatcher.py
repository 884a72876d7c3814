"""
Every hook's deliveries: L{Dispatcher} keeps one L{HookDelivery} per enabled hook and
nudges those of a board after each of its commits.

The hooks live in the database, and with PostgreSQL they may be registered, changed or
removed through any node; the dispatcher reads them again every C{refresh_interval}
seconds (and at once when this node changed one), so a hook registered on another node
starts within that time.  Only one node dispatches: with SQLite there is one; with
PostgreSQL, L{deliver_while_leading} runs it while this node holds the webhook lock
(L{openspace.leadership}).  Two nodes overlapping for a moment may both send a batch:
receivers already expect that (at least once, seqs to drop duplicates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import define, field
from treq.client import HTTPClient
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.web.client import Agent, HTTPConnectionPool

from openspace.clock import Clock
from openspace.events import Logged
from openspace.model import Board
from openspace.store.interface import BoardStore
from openspace.webhooks.delivery import Attempt, Fold, HookDelivery, HTTPPoster, inline
from openspace.webhooks.signing import hook_secret
from openspace.webhooks.storage import Hook, HookStore

if TYPE_CHECKING:
    from openspace.leadership import Leadership


@define
class Dispatcher:
    """
    @ivar server_key: derives each hook's secret (L{openspace.webhooks.signing}).
    @ivar deadline: seconds for a whole request, answer included.
    @ivar random: scales the backoff jitter (L{HookDelivery.random}).
    @ivar closing: called once on L{stop}, after the deliveries stopped (to close the
        client's connection pool).
    """

    hooks: HookStore
    store: BoardStore
    client: HTTPPoster
    clock: Clock
    server_key: bytes
    fold: Fold = inline
    refresh_interval: float = 15.0
    deadline: float = 30.0
    random: Callable[[], float] | None = None
    closing: Callable[[], Deferred[Any]] | None = None
    _deliveries: dict[str, HookDelivery] = field(factory=dict, init=False)
    _observers: list[Callable[[Attempt], object]] = field(factory=list, init=False)
    _loop: LoopingCall | None = field(default=None, init=False)
    _following: bool = field(default=False, init=False)

    _log: ClassVar[Logger] = Logger()

    @property
    def running(self) -> bool:
        return self._loop is not None

    def deliveries(self) -> dict[str, HookDelivery]:
        """
        The deliveries at work, by hook id.
        """
        return dict(self._deliveries)

    def add_observer(self, observer: Callable[[Attempt], object]) -> None:
        """
        Call C{observer(attempt)} after every attempt of every hook.
        """
        self._observers.append(observer)

    def start(self) -> Deferred[None]:
        """
        Deliver to every enabled hook, and follow commits and hook changes, until L{stop};
        fires after the first reading of the hooks.
        """
        if not self._following:
            self._following = True
            self.store.add_listener(self._committed)
        if self._loop is None:
            self._loop = LoopingCall(self._refresh_safely)
            self._loop.clock = self.clock  # type: ignore[assignment]
            # The first reading is the one returned below, not the loop's.
            self._loop.start(self.refresh_interval, now=False)
        return self._refresh_safely()

    def stop(self) -> Deferred[Any]:
        """
        Stop every delivery (aborting requests in flight) and close the HTTP client.
        """
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None
        for delivery in self._deliveries.values():
            delivery.stop()
        self._deliveries.clear()
        return self.closing() if self.closing is not None else succeed(None)

    def refresh(self) -> Deferred[None]:
        """
        Read the hooks again now (this node registered, changed or removed one).
        """
        return self._refresh_safely() if self.running else succeed(None)

    def _refresh_safely(self) -> Deferred[None]:
        # LoopingCall stops for good on a failure: handle them all here.
        refreshing = Deferred.fromCoroutine(self._refresh())
        return refreshing.addErrback(
            lambda failure: self._log.failure("reading the webhooks failed", failure)
        )

    async def _refresh(self) -> None:
        hooks = await self.hooks.all()
        if not self.running:
            return
        wanted = {hook.id: hook for hook in hooks if hook.disabled is None}
        for hook_id, delivery in list(self._deliveries.items()):
            hook = wanted.get(hook_id)
            if hook is None or (hook.url, hook.nonce) != (delivery.hook.url, delivery.hook.nonce):
                delivery.stop()
                del self._deliveries[hook_id]
        for hook_id, hook in wanted.items():
            running = self._deliveries.get(hook_id)
            if running is None:
                running = self._deliveries[hook_id] = self._delivery(hook)
                running.start()
            else:
                running.nudge()

    def _delivery(self, hook: Hook) -> HookDelivery:
        delivery = HookDelivery(
            hook=hook,
            secret=hook_secret(self.server_key, hook.id, hook.nonce),
            store=self.store,
            hooks=self.hooks,
            client=self.client,
            clock=self.clock,
            fold=self.fold,
            on_attempt=self._attempted,
            deadline=self.deadline,
        )
        if self.random is not None:
            delivery.random = self.random
        return delivery

    def _attempted(self, attempt: Attempt) -> None:
        if attempt.disabled is not None:
            self._deliveries.pop(attempt.hook, None)
        for observer in self._observers:
            observer(attempt)

    def _committed(self, board: Board, logged: Sequence[Logged]) -> None:
        for delivery in self._deliveries.values():
            if delivery.hook.slug == board.info.slug:
                delivery.nudge()


def dispatcher(
    hooks: HookStore, store: BoardStore, reactor: Any, clock: Clock, server_key: bytes
) -> Dispatcher:
    """
    A L{Dispatcher} on real HTTP: a treq client with its own persistent connection pool,
    folding long logs in the reactor's thread pool.
    """
    pool = HTTPConnectionPool(reactor, persistent=True)
    fold: Fold = partial(deferToThreadPool, reactor, reactor.getThreadPool())
    return Dispatcher(
        hooks=hooks,
        store=store,
        client=HTTPClient(Agent(reactor, pool=pool)),
        clock=clock,
        server_key=server_key,
        fold=fold,
        closing=pool.closeCachedConnections,
    )


def deliver_while_leading(dispatcher: Dispatcher, url: str, reactor: Any) -> Leadership:
    """
    Run C{dispatcher} only while this node leads the webhook deliveries among the nodes
    of the PostgreSQL database at C{url}; stop the returned L{Leadership} to step down.
    """
    from openspace.leadership import WEBHOOK_LOCK, while_leading

    return while_leading(url, reactor, WEBHOOK_LOCK, dispatcher.start, dispatcher.stop)
