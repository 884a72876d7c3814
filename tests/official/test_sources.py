"""
The pollers of the board's sources against a real upstream (twisted.web on 127.0.0.1,
real ETag and 304) and a real SQLite store: a change upstream becomes one board event
within one poll interval, failures keep the last schedule, and a restart while the
source is down still shows it.  Time is a C{task.Clock}; sockets and threads are real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_twisted
from tests.conftest import NOW
from tests.official.upstream import Document, Upstream, frab, serving
from tests.support import SLUG, conference_layout
from twisted.internet import task
from twisted.internet.defer import Deferred

from openspace.commands import SYSTEM, SetLayout, SetSources
from openspace.events import OfficialScheduleChanged
from openspace.model import Board, ScheduleSource
from openspace.official.poller import SourceStatus
from openspace.official.sources import SourcePollers, source_pollers
from openspace.store.sql import SQLBoardStore
from openspace.store.sqlite import open_sqlite_store

INTERVAL = 60.0
ONE = {"id": "t1", "start": "12:00", "room": "Main Hall", "speakers": ["Ada Quill"]}
TWO = {"id": "t2", "start": "14:00", "room": "Room One"}


class Polling:
    """
    A store with the test event, and pollers on a fake clock, restartable.
    """

    def __init__(self, db: Path, clock: task.Clock) -> None:
        self.db = db
        self.clock = clock
        self.store: SQLBoardStore | None = None
        self.pollers: SourcePollers | None = None
        self._waiting: list[Deferred[SourceStatus]] = []

    async def start(self) -> None:
        from twisted.internet import reactor

        self.store = await open_sqlite_store(self.db, reactor)
        self.pollers = source_pollers(self.store, reactor, self.clock)
        self.pollers.add_status_listener(self._polled)
        await self.pollers.start()

    async def stop(self) -> None:
        if self.pollers is not None:
            await self.pollers.stop()
        if self.store is not None:
            await self.store.close()
        self.store = self.pollers = None

    def _polled(self, slug: str, status: SourceStatus) -> None:
        waiting, self._waiting = self._waiting, []
        for d in waiting:
            d.callback(status)

    async def advance(self, seconds: float) -> SourceStatus:
        """
        Let C{seconds} pass and wait for the poll that falls due.
        """
        polled: Deferred[SourceStatus] = Deferred()
        self._waiting.append(polled)
        self.clock.advance(seconds)
        return await polled

    async def board(self) -> Board:
        assert self.store is not None
        board = await self.store.board(SLUG)
        assert board is not None
        return board

    async def set_layout(self) -> None:
        assert self.store is not None
        await self.store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)

    async def set_sources(self, *sources: ScheduleSource) -> None:
        assert self.store is not None
        await self.store.execute(SLUG, SetSources(sources), SYSTEM, NOW)

    async def first_poll(self, *sources: ScheduleSource) -> SourceStatus:
        """
        Make C{sources} the event's, and wait for the poll that follows at once.
        """
        await self.set_sources(*sources)
        return await self.advance(0)


@pytest_twisted.async_yield_fixture
async def document() -> AsyncIterator[tuple[Document, Upstream]]:
    resource = Document(frab(ONE))
    async with serving(resource) as upstream:
        yield resource, upstream


@pytest_twisted.async_yield_fixture
async def polling(tmp_path: Path, document: tuple[Document, Upstream]) -> AsyncIterator[Polling]:
    clock = task.Clock()
    clock.advance(NOW.timestamp())
    running = Polling(tmp_path / "board.sqlite3", clock)
    await running.start()
    await running.set_layout()
    yield running
    await running.stop()


def source(upstream: Upstream, path: str = "/schedule.json") -> ScheduleSource:
    return ScheduleSource(upstream.url + path, interval=INTERVAL)


@pytest_twisted.ensureDeferred
async def test_a_change_upstream_is_one_board_event_within_one_interval(
    polling: Polling, document: tuple[Document, Upstream]
) -> None:
    resource, upstream = document
    first = await polling.first_poll(source(upstream))
    assert (first.status, first.format) == ("ok", "frab-json")
    board = await polling.board()
    assert [(t.id, t.title, t.speakers) for t in board.official] == [
        ("t1", "Talk t1", ("Ada Quill",))
    ]
    seq = board.seq

    # Unchanged: a conditional GET answered 304, and nothing logged.
    await polling.advance(INTERVAL)
    assert resource.answers == [200, 304]
    assert resource.conditional[-1] is not None
    assert (await polling.board()).seq == seq

    # Changed upstream: on the board after one interval, as one event by the system.
    resource.body = frab({**ONE, "title": "Retitled"}, TWO)
    await polling.advance(INTERVAL)
    board = await polling.board()
    assert [(t.id, t.title) for t in board.official] == [("t1", "Retitled"), ("t2", "Talk t2")]
    assert board.seq == seq + 1
    assert polling.store is not None
    (logged,) = await polling.store.events_since(SLUG, seq, 10)
    assert logged.actor == "system"
    assert isinstance(logged.change, OfficialScheduleChanged)
    assert {t.id for t in logged.change.added} == {"t1", "t2"}


@pytest_twisted.ensureDeferred
async def test_a_failing_source_keeps_its_schedule_and_shows_as_stale(
    polling: Polling, document: tuple[Document, Upstream]
) -> None:
    resource, upstream = document
    await polling.first_poll(source(upstream))
    resource.status = 503
    stale = await polling.advance(INTERVAL)
    assert stale.status == "stale"
    assert stale.last_error == "HTTP 503 Service Unavailable"
    assert stale.last_success == NOW
    board = await polling.board()
    assert [t.id for t in board.official] == ["t1"]
    assert polling.pollers is not None
    assert polling.pollers.statuses(board) == [stale]


@pytest_twisted.ensureDeferred
async def test_a_restart_while_the_source_is_down_still_shows_the_last_schedule(
    polling: Polling, document: tuple[Document, Upstream]
) -> None:
    _, upstream = document
    await polling.first_poll(source(upstream))
    await polling.stop()
    await upstream.stop()

    await polling.start()
    board = await polling.board()
    assert [t.id for t in board.official] == ["t1"]
    status = await polling.advance(0)
    assert status.last_error is not None
    assert "refused" in status.last_error.lower()
    # This process never read the source, but the board shows its last schedule.
    assert polling.pollers is not None
    (shown,) = polling.pollers.statuses(await polling.board())
    assert (shown.status, shown.last_success) == ("stale", None)
    assert [t.id for t in (await polling.board()).official] == ["t1"]


@pytest_twisted.ensureDeferred
async def test_pollers_follow_sources_as_they_are_added_and_removed(
    polling: Polling, document: tuple[Document, Upstream]
) -> None:
    _, upstream = document
    a, b = source(upstream, "/a.json"), source(upstream, "/b.json")
    await polling.first_poll(a)
    added = await polling.first_poll(a, b)
    assert added.url == b.url
    board = await polling.board()
    assert sorted(t.source for t in board.official) == [a.url, b.url]
    assert polling.pollers is not None
    assert [s.status for s in polling.pollers.statuses(board)] == ["ok", "ok"]

    await polling.set_sources(b)
    board = await polling.board()
    assert [t.source for t in board.official] == [b.url]
    assert [s.url for s in polling.pollers.statuses(board)] == [b.url]
    # Only b's poller is left waiting for its next turn.
    assert len(polling.clock.getDelayedCalls()) == 1


@pytest.mark.parametrize("timezone", [None, "America/New_York"])
@pytest_twisted.ensureDeferred
async def test_local_times_are_read_in_the_sources_zone_or_the_events(
    polling: Polling, document: tuple[Document, Upstream], timezone: str | None
) -> None:
    resource, upstream = document
    # Sessionize gives naive local times and no zone of its own.
    resource.body = (
        b'{"sessions": [{"id": "1", "title": "Keynote", "startsAt": "2030-05-15T12:00:00",'
        b' "endsAt": "2030-05-15T13:00:00", "speakers": [], "categoryItems": [],'
        b' "roomId": 1}], "speakers": [], "categories": [], "rooms": [{"id": 1, "name": "A"}]}'
    )
    await polling.set_sources(
        ScheduleSource(upstream.url + "/s.json", "sessionize", INTERVAL, timezone)
    )
    await polling.advance(0)
    (talk,) = (await polling.board()).official
    assert talk.start.hour == (16 if timezone else 10)
