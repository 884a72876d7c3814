"""
Cancelled sessions are found in the real store's log, each event read once.
"""

from __future__ import annotations

from pathlib import Path

import pytest_twisted
from attrs import define, field
from twisted.internet.defer import Deferred

from openspace.commands import FACILITATOR, CancelSession, SetGoing
from openspace.events import Logged
from openspace.store.interface import UndoLast
from openspace.store.sql import SQLBoardStore
from openspace.web.cancelled import CancelledSessions
from tests.store.test_sqlite import NOW, open_with_board, proposal
from tests.support import SLUG


@define
class Counting:
    """
    The real store, counting the events it reads for L{CancelledSessions}.
    """

    store: SQLBoardStore
    read: list[int] = field(factory=list)

    def events_since(self, slug: str, seq: int, limit: int) -> Deferred[list[Logged]]:
        def count(events: list[Logged]) -> list[Logged]:
            self.read.extend(event.seq for event in events)
            return events

        return self.store.events_since(slug, seq, limit).addCallback(count)


@pytest_twisted.ensureDeferred
async def test_cancelled_sessions_come_from_the_log_read_once(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    counting = Counting(store)
    cancelled = CancelledSessions(counting)  # type: ignore[arg-type]
    try:
        made = await store.execute(SLUG, proposal("Gone"), FACILITATOR, NOW)
        session = made.board.sessions["s2"]
        for n in range(3):
            await store.execute(SLUG, SetGoing("s2", f"attendee-{n:04d}", True), FACILITATOR, NOW)
        after = await store.execute(SLUG, CancelSession("s2"), FACILITATOR, NOW)
        found = await cancelled.find(after.board, "s2")
        assert found is not None and (found.title, found.cell) == ("Gone", session.cell)
        assert await cancelled.find(after.board, "s1") is None
        assert counting.read == [1, 2, 3, 4, 5, 6]  # once, though asked twice

        undone = await store.execute(SLUG, UndoLast(1), FACILITATOR, NOW)
        assert await cancelled.find(undone.board, "s2") is None
        assert counting.read == [1, 2, 3, 4, 5, 6, 7]
    finally:
        await store.close()
