"""
A webhook dispatcher on a real SQLite store, delivering over real HTTP (treq) to a real
receiver, with a L{task.Clock} for every wait it makes: tests move time, never sleep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from itertools import count
from pathlib import Path

from attrs import define, field
from treq.client import HTTPClient
from twisted.internet import task
from twisted.internet.defer import Deferred

from openspace.commands import FACILITATOR, SYSTEM, BlockCell, SetLayout, UnblockCell
from openspace.store.sql import SQLBoardStore
from openspace.store.sqlite import open_sqlite_store
from openspace.tokens import FacilitatorKey
from openspace.webhooks.delivery import Attempt, HookDelivery
from openspace.webhooks.dispatcher import Dispatcher
from openspace.webhooks.registry import Webhooks
from openspace.webhooks.storage import HookStore
from tests.support import FACILITATOR_TOKEN, SLUG, conference_layout, slot_id, utc

NOW = utc(9, 30)
SERVER_KEY = FacilitatorKey.from_token(FACILITATOR_TOKEN).derive("webhook-secrets")


@define
class Attempts:
    """
    Every attempt of every hook, and a way to wait for the next ones.
    """

    seen: list[Attempt] = field(factory=list)
    _waiting: list[tuple[Callable[[Attempt], bool], Deferred[Attempt]]] = field(factory=list)

    def __call__(self, attempt: Attempt) -> None:
        self.seen.append(attempt)
        waiting, self._waiting = self._waiting, []
        for wanted, fired in waiting:
            if wanted(attempt):
                fired.callback(attempt)
            else:
                self._waiting.append((wanted, fired))

    def next(self, wanted: Callable[[Attempt], bool] = lambda _: True) -> Deferred[Attempt]:
        """
        Fires with the next attempt that is C{wanted}.
        """
        fired: Deferred[Attempt] = Deferred()
        self._waiting.append((wanted, fired))
        return fired


@define
class Rig:
    store: SQLBoardStore
    clock: task.Clock
    dispatcher: Dispatcher
    registry: Webhooks
    attempts: Attempts
    _cells: count[int] = field(factory=lambda: count())

    async def change(self) -> int:
        """
        One more committed change (a cell blocked or unblocked); the board's new seq.
        """
        step = next(self._cells)
        room, hour = ("r1", "r2", "r3")[step // 18 % 3], 9 + step // 2 % 8
        command = BlockCell if step % 2 == 0 else UnblockCell
        outcome = await self.store.execute(SLUG, command(room, slot_id(hour)), FACILITATOR, NOW)
        return outcome.board.seq

    async def head(self) -> int:
        board = await self.store.board(SLUG)
        assert board is not None
        return board.seq

    def delivery(self, hook_id: str) -> HookDelivery:
        return self.dispatcher.deliveries()[hook_id]

    async def delivered_up_to(self, hook_id: str, seq: int) -> None:
        """
        Return once the hook acknowledged C{seq}.
        """
        while self.dispatcher.deliveries()[hook_id].hook.acked < seq:
            await self.attempts.next(lambda a: a.hook == hook_id and a.delivered)

    async def retry(self, hook_id: str) -> Attempt:
        """
        Wait for the hook's next failed attempt, then move the clock to its retry.
        """
        failed = await self.attempts.next(lambda a: a.hook == hook_id and not a.delivered)
        if failed.retry_in is not None:
            self.clock.advance(failed.retry_in)
        return failed


@asynccontextmanager
async def rig(path: Path, *, deadline: float = 30.0) -> AsyncIterator[Rig]:
    from twisted.internet import reactor
    from twisted.web.client import Agent, HTTPConnectionPool

    store = await open_sqlite_store(path, reactor)
    await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    clock = task.Clock()
    clock.advance(NOW.timestamp())
    pool = HTTPConnectionPool(reactor, persistent=True)
    hooks = HookStore(store)
    dispatcher = Dispatcher(
        hooks=hooks,
        store=store,
        client=HTTPClient(Agent(reactor, pool=pool)),
        clock=clock,
        server_key=SERVER_KEY,
        deadline=deadline,
        random=lambda: 0.0,
        closing=pool.closeCachedConnections,
    )
    attempts = Attempts()
    dispatcher.add_observer(attempts)
    await dispatcher.start()
    registry = Webhooks(hooks, store, clock, SERVER_KEY, dispatcher)
    try:
        yield Rig(store, clock, dispatcher, registry, attempts)
    finally:
        await dispatcher.stop()
        await store.close()
