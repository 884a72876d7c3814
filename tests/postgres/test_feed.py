"""
Following other nodes: commits of one store reach the listeners of another, in order,
once each, also across a dropped LISTEN connection.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
import pytest_twisted
from attrs import define, field
from twisted.internet import task
from twisted.internet.defer import gatherResults

from openspace.commands import ATTENDEE, SYSTEM, ProposeSession, SetLayout
from openspace.events import Logged
from openspace.model import Board
from openspace.store.dedicated import DedicatedConnection
from openspace.store.pgnotify import ChangeFeed
from openspace.store.postgres import connect, postgres_store
from openspace.store.sql import SQLBoardStore
from tests.postgres.waiting import until
from tests.support import SLUG, conference_layout, slot_id, utc

pytestmark = pytest.mark.postgres

NOW = utc(9, 30)


@define
class Node:
    """
    A store, its feed, and what its commit listeners heard.
    """

    name: str
    store: SQLBoardStore
    feed: ChangeFeed
    heard: list[int] = field(factory=list)
    boards: list[Board] = field(factory=list)

    def listener(self, board: Board, logged: tuple[Logged, ...]) -> None:
        self.heard.extend(entry.seq for entry in logged)
        self.boards.append(board)


def start_node(url: str, name: str, clock: Any = None, policy: Any = None) -> Node:
    from twisted.internet import reactor

    store = postgres_store(url, reactor)
    session = DedicatedConnection(lambda: connect(url, f"listen-{name}"), reactor, name)
    feed = ChangeFeed(store, session, clock or reactor, policy or (lambda attempt: 0.05))
    node = Node(name, store, feed)
    store.add_listener(node.listener)
    return node


async def stop_node(node: Node) -> None:
    await node.feed.stop()
    await node.store.close()


@pytest_twisted.async_yield_fixture
async def nodes(pg_store: SQLBoardStore, pg_url: str) -> AsyncIterator[tuple[Node, Node]]:
    await pg_store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    pair = (start_node(pg_url, "a"), start_node(pg_url, "b"))
    await gatherResults([node.feed.start() for node in pair])
    yield pair
    for node in pair:
        await stop_node(node)


def proposal(number: int) -> ProposeSession:
    rooms = ("r1", "r2", "r3")
    return ProposeSession(
        # A key of its own each: one key holds only a few sessions (fields.SESSIONS_PER_KEY).
        f"Session {number}",
        "",
        "Host",
        [],
        rooms[number % 3],
        slot_id(9 + number // 3),
        f"o{number}",
    )


@pytest_twisted.ensureDeferred
async def test_both_nodes_hear_every_commit_once_in_order(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    # Concurrent writes through both nodes: local commits and notifications interleave.
    await gatherResults(
        [(a if n % 2 else b).store.execute(SLUG, proposal(n), ATTENDEE, NOW) for n in range(24)]
    )
    await until(lambda: len(a.heard) == len(b.heard) == 24)
    assert a.heard == b.heard == list(range(2, 26))
    # The last board each listener got is the one the events lead to, and is cached.
    assert a.boards[-1] == b.boards[-1] == await b.store.board(SLUG)
    assert len(b.boards[-1].sessions) == 24


@pytest_twisted.ensureDeferred
async def test_a_dropped_listen_connection_reconnects_and_catches_up(
    nodes: tuple[Node, Node], pg_url: str
) -> None:
    a, b = nodes
    await a.store.execute(SLUG, proposal(0), ATTENDEE, NOW)
    await until(lambda: b.heard == [2])
    with psycopg.connect(pg_url, autocommit=True) as admin:
        (killed,) = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'openspace/listen-b'"
        ).fetchall()
        assert killed == (True,)
        # Written while b is not listening: no notification will ever reach it.
        for n in range(1, 6):
            await a.store.execute(SLUG, proposal(n), ATTENDEE, NOW)

        def reconnected() -> bool:
            return bool(
                admin.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'openspace/listen-b'"
                ).fetchall()
            )

        await until(reconnected)
    await b.store.execute(SLUG, proposal(6), ATTENDEE, NOW)
    await until(lambda: len(a.heard) == 7 and len(b.heard) == 7)
    assert a.heard == b.heard == list(range(2, 9))
    assert (await b.store.board(SLUG)) == (await a.store.board(SLUG))


@pytest_twisted.ensureDeferred
async def test_reconnecting_backs_off_on_the_given_clock(
    pg_store: SQLBoardStore, pg_url: str
) -> None:
    from twisted.internet import reactor

    attempts = itertools.count(1)

    def flaky() -> psycopg.Connection[Any]:
        if next(attempts) <= 2:
            raise psycopg.OperationalError("the server is not there yet")
        return connect(pg_url, "listen-flaky")

    clock = task.Clock()
    session = DedicatedConnection(flaky, reactor, "flaky")
    feed = ChangeFeed(pg_store, session, clock, lambda attempt: 10.0 * attempt)
    started = feed.start()
    try:
        await until(lambda: bool(clock.getDelayedCalls()))
        assert [call.getTime() for call in clock.getDelayedCalls()] == [10.0]
        assert not started.called
        clock.advance(10)
        await until(lambda: bool(clock.getDelayedCalls()))
        assert [call.getTime() for call in clock.getDelayedCalls()] == [30.0]
        clock.advance(20)
        await started
    finally:
        await feed.stop()
    assert not clock.getDelayedCalls()


@pytest_twisted.ensureDeferred
async def test_a_board_deleted_elsewhere_is_forgotten(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    assert await b.store.board(SLUG) is not None
    await a.store.delete_event(SLUG)
    await a.store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    await until(lambda: b.heard == [1])
    board = await b.store.board(SLUG)
    assert board is not None
    assert board.seq == 1
