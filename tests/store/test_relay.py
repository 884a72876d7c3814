"""
The relay between commits and commit listeners: once each, in order, gaps read back.

The database is replaced by a fake C{fetch} whose answers the tests give by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import define, field
from twisted.internet.defer import Deferred

from openspace.events import CellBlocked, Logged
from openspace.model import Board, Cell, EventInfo
from openspace.store.relay import Relay
from tests.support import SLUG, utc

NOW = utc(9)


def board(seq: int, slug: str = SLUG) -> Board:
    return Board(EventInfo(slug, "Test", "Europe/Berlin"), seq, NOW)


def events(first: int, last: int) -> list[Logged]:
    return [
        Logged(seq, NOW, "system", CellBlocked(Cell("r1", str(seq))))
        for seq in range(first, last + 1)
    ]


@define
class Database:
    """
    A fake C{fetch}: each call waits until the test answers it.
    """

    asked: list[tuple[str, int, Deferred[tuple[Board | None, list[Logged]]]]] = field(factory=list)
    forgotten: list[str] = field(factory=list)
    heard: list[tuple[str, int, list[int]]] = field(factory=list)

    def fetch(self, slug: str, after: int) -> Deferred[tuple[Board | None, list[Logged]]]:
        answer: Deferred[tuple[Board | None, list[Logged]]] = Deferred()
        self.asked.append((slug, after, answer))
        return answer

    def answer(self, seq: int | None) -> None:
        slug, after, answer = self.asked.pop(0)
        if seq is None:
            answer.callback((None, []))
        else:
            answer.callback((board(seq, slug), events(after + 1, seq)))

    def listener(self, board: Board, logged: Sequence[Logged]) -> None:
        self.heard.append((board.info.slug, board.seq, [entry.seq for entry in logged]))

    def relay(self) -> Relay:
        relay = Relay(self.fetch, self.forgotten.append)
        relay.listeners.append(self.listener)
        return relay


def test_alone_every_commit_goes_straight_through() -> None:
    db = Database()
    relay = db.relay()
    relay.committed(board(3), events(3, 3))
    relay.committed(board(5), events(4, 5))
    relay.committed(board(5), [])
    assert db.heard == [(SLUG, 3, [3]), (SLUG, 5, [4, 5])]
    assert db.asked == []


def test_a_commit_after_a_gap_reads_the_gap_and_itself_from_the_database() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 4})
    relay.committed(board(7), events(7, 7))
    assert [(slug, after) for slug, after, _ in db.asked] == [(SLUG, 4)]
    db.answer(7)
    assert db.heard == [(SLUG, 7, [5, 6, 7])]
    # Its notifications come later and change nothing.
    for seq in (5, 6, 7):
        relay.notified(SLUG, seq)
    assert db.asked == []


def test_own_commits_handed_on_while_reading_are_not_handed_on_again() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 4})
    relay.notified(SLUG, 5)
    relay.committed(board(5), events(5, 5))
    db.answer(6)
    assert db.heard == [(SLUG, 5, [5]), (SLUG, 6, [6])]


def test_one_read_per_board_at_a_time_and_one_more_if_asked_meanwhile() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 1})
    relay.notified(SLUG, 2)
    relay.notified(SLUG, 3)
    relay.notified(SLUG, 4)
    assert len(db.asked) == 1
    db.answer(3)
    assert [(slug, after) for slug, after, _ in db.asked] == [(SLUG, 3)]
    db.answer(4)
    assert db.heard == [(SLUG, 3, [2, 3]), (SLUG, 4, [4])]


def test_notifications_before_the_first_resync_are_not_lost() -> None:
    db = Database()
    relay = db.relay()
    relay.notified(SLUG, 6)
    relay.notified("new", 1)
    assert db.asked == []
    relay.resync({SLUG: 5})
    assert sorted((slug, after) for slug, after, _ in db.asked) == [(SLUG, 5), ("new", 0)]


def test_after_a_reconnect_boards_that_moved_or_vanished_are_read_again() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 2, "gone": 4, "still": 9})
    relay.resync({SLUG: 5, "still": 9})
    assert sorted((slug, after) for slug, after, _ in db.asked) == [(SLUG, 2), ("gone", 4)]
    while db.asked:
        db.answer(None if db.asked[0][0] == "gone" else 5)
    assert db.heard == [(SLUG, 5, [3, 4, 5])]
    assert db.forgotten == ["gone"]


def test_a_deleted_board_starts_again_at_one() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 8})
    relay.notified(SLUG, 0)
    assert db.forgotten == [SLUG]
    relay.committed(board(1), events(1, 1))
    assert db.heard == [(SLUG, 1, [1])]


def test_a_board_made_again_behind_our_back_is_read_from_its_start() -> None:
    db = Database()
    relay = db.relay()
    relay.resync({SLUG: 8})
    relay.notified(SLUG, 9)
    _, _, answer = db.asked.pop(0)
    answer.callback((board(2), []))
    assert db.forgotten == [SLUG]
    assert [(slug, after) for slug, after, _ in db.asked] == [(SLUG, 0)]
    db.answer(2)
    assert db.heard == [(SLUG, 2, [1, 2])]


def test_a_failing_listener_does_not_stop_the_others() -> None:
    db = Database()
    relay = db.relay()

    def broken(board: Board, logged: Sequence[Logged]) -> None:
        raise RuntimeError("boom")

    relay.listeners.insert(0, broken)
    relay.committed(board(1), events(1, 1))
    assert db.heard == [(SLUG, 1, [1])]
