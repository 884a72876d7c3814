"""
The export cache in memory: one build per change it shows, the log read only past what
it has folded, rebuilt when a cancelled session leaves, builds off the reactor thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_twisted
from attrs import define, field
from twisted.internet import task
from twisted.internet.defer import Deferred, gatherResults, succeed

from openspace.commands import CancelSession, ProposeSession, SetGoing
from openspace.events import Logged
from openspace.exports.document import Document
from openspace.exports.history import History
from openspace.exports.ical import CANCELLED_KEPT, board_calendar
from openspace.model import Board
from openspace.web.feedcache import ExportCache, in_threads
from tests.exports.boards import LINKS, Story
from tests.support import slot_id

START = datetime(2030, 5, 1, 12, tzinfo=UTC)


@define
class LogStore:
    """
    The part of a board store the cache reads, over a L{Story}'s log.
    """

    story: Story
    asked: list[int] = field(factory=list)

    def events_since(self, slug: str, seq: int, limit: int) -> Deferred[list[Logged]]:
        self.asked.append(seq)
        return succeed([e for e in self.story.log if e.seq > seq][:limit])


@define
class Held:
    """
    A runner that holds every piece of work until the test releases it.
    """

    waiting: list[tuple[Callable[[], Any], Deferred[Any]]] = field(factory=list)

    def __call__(self, work: Callable[[], Any]) -> Deferred[Any]:
        done: Deferred[Any] = Deferred()
        self.waiting.append((work, done))
        return done

    def release_all(self) -> None:
        while self.waiting:
            work, done = self.waiting.pop(0)
            done.callback(work())


def calendar(builds: list[int]) -> Callable[[History, datetime], Document]:
    def build(history: History, now: datetime) -> Document:
        builds.append(history.board.seq)
        return board_calendar(history, LINKS, now)

    return build


def setup() -> tuple[Story, LogStore, task.Clock]:
    story = Story.start(START)
    story.do(ProposeSession("Packaging", "", "Ann", [], "r1", slot_id(10), "o"))
    clock = task.Clock()
    clock.advance(story.now.timestamp())
    return story, LogStore(story), clock


def board(story: Story) -> Board:
    return story.current.board


@pytest_twisted.ensureDeferred
async def test_concurrent_polls_wait_for_one_build() -> None:
    story, store, clock = setup()
    runner = Held()
    cache = ExportCache(store, clock, runner)  # type: ignore[arg-type]
    builds: list[int] = []
    polls = [
        Deferred.fromCoroutine(cache.document(board(story), ("ics",), calendar(builds)))
        for _ in range(50)
    ]
    while runner.waiting:
        runner.release_all()
    served = await gatherResults(polls)
    assert builds == [story.current.board.seq]
    assert len({id(s) for s in served}) == 1


@pytest_twisted.ensureDeferred
async def test_the_log_is_read_only_past_what_was_folded() -> None:
    story, store, clock = setup()
    cache = ExportCache(store, clock, succeed_now)  # type: ignore[arg-type]
    builds: list[int] = []
    await cache.document(board(story), ("ics",), calendar(builds))
    seen = story.current.board.seq
    story.do(ProposeSession("Typing", "", "Bob", [], "r2", slot_id(11), "o"))
    await cache.document(board(story), ("ics",), calendar(builds))
    assert store.asked == [0, seen]
    assert builds == [seen, seen + 1]


@pytest_twisted.ensureDeferred
async def test_going_rebuilds_nothing_public_but_a_cancellation_leaving_does() -> None:
    story, store, clock = setup()
    cache = ExportCache(store, clock, succeed_now)  # type: ignore[arg-type]
    builds: list[int] = []
    first = await cache.document(board(story), ("ics",), calendar(builds))
    story.do(SetGoing("s2", "attendee-0001", True))
    assert await cache.document(board(story), ("ics",), calendar(builds)) is first
    assert len(builds) == 1
    story.do(CancelSession("s2"))
    cancelled = await cache.document(board(story), ("ics",), calendar(builds))
    assert b"STATUS:CANCELLED" in cancelled.document.body
    cancelled_at = story.now - timedelta(minutes=1)
    clock.advance((cancelled_at + CANCELLED_KEPT).timestamp() - 1 - clock.seconds())
    assert await cache.document(board(story), ("ics",), calendar(builds)) is cancelled
    clock.advance(2)
    gone = await cache.document(board(story), ("ics",), calendar(builds))
    assert b"Packaging" not in gone.document.body
    assert len(builds) == 3


def succeed_now(work: Callable[[], Any]) -> Deferred[Any]:
    return succeed(work())


@pytest_twisted.ensureDeferred
async def test_the_service_builds_in_a_thread_not_the_reactor() -> None:
    from twisted.internet import reactor

    ran_in = await in_threads(reactor)(threading.current_thread)
    assert ran_in is not threading.main_thread()
