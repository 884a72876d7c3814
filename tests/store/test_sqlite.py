"""
The SQLite store: transactions, migrations, the cache, and replaying what it wrote.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet.defer import DeferredList

from openspace.codec import decode_board
from openspace.commands import ATTENDEE, FACILITATOR, SYSTEM, ProposeSession, Refused, SetLayout
from openspace.replay import replay
from openspace.store import schema
from openspace.store.interface import SchemaTooNew, UndoLast
from openspace.store.sql import SQLBoardStore
from openspace.store.sqlite import open_sqlite_store
from tests.support import SLUG, conference_layout, slot_id, utc

NOW = utc(11, 30)


def proposal(title: str, room: str = "r1", hour: int = 12) -> ProposeSession:
    return ProposeSession(title, "", "Host", [], room, slot_id(hour), "owner")


async def open_with_board(path: Path) -> SQLBoardStore:
    store = await open_sqlite_store(path)
    await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    return store


@pytest_twisted.ensureDeferred
async def test_events_and_board_are_written_together(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    try:
        outcome = await store.execute(SLUG, proposal("One"), ATTENDEE, NOW)
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:
        seq, state = raw.execute("SELECT seq, state FROM boards WHERE slug = ?", (SLUG,)).fetchone()
        events = raw.execute("SELECT seq, type FROM events ORDER BY seq").fetchall()
    assert seq == 2
    assert events == [(1, "layout_set"), (2, "session_proposed")]
    assert decode_board(json.loads(state)) == outcome.board


@pytest_twisted.ensureDeferred
async def test_a_refused_command_writes_nothing(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    try:
        await store.execute(SLUG, proposal("One"), ATTENDEE, NOW)
        with pytest.raises(Refused):
            await store.execute(SLUG, proposal("Two"), ATTENDEE, NOW)
        log = await store.events_since(SLUG, 0, 100)
    finally:
        await store.close()
    assert [entry.seq for entry in log] == [1, 2]


@pytest_twisted.ensureDeferred
async def test_concurrent_claims_have_one_winner(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    try:
        results = await DeferredList(
            [store.execute(SLUG, proposal(f"T{n}"), ATTENDEE, NOW) for n in range(50)],
            consumeErrors=True,
        )
        board = await store.board(SLUG)
    finally:
        await store.close()
    assert sum(ok for ok, _ in results) == 1
    assert {r.value.code for ok, r in results if not ok} == {"cell_taken"}
    assert board is not None and len(board.sessions) == 1


@pytest_twisted.ensureDeferred
async def test_reopening_gives_the_same_board_and_the_log_replays_to_it(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await open_with_board(path)
    try:
        for hour in (12, 13, 14):
            await store.execute(SLUG, proposal(f"At {hour}", hour=hour), ATTENDEE, NOW)
        await store.execute(SLUG, UndoLast(1), FACILITATOR, NOW)
        before = await store.board(SLUG)
    finally:
        await store.close()
    reopened = await open_sqlite_store(path)
    try:
        after = await reopened.board(SLUG)
        log = await reopened.events_since(SLUG, 0, 1000)
        tail = await reopened.log_tail(SLUG, 2)
    finally:
        await reopened.close()
    assert after == before
    assert replay(log) == after
    assert [entry.seq for entry in tail] == [4, 5]


@pytest_twisted.ensureDeferred
async def test_listeners_hear_only_committed_changes(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    heard: list[int] = []
    store.add_listener(lambda board, logged: heard.extend(entry.seq for entry in logged))
    try:
        await store.execute(SLUG, proposal("One"), ATTENDEE, NOW)
        with pytest.raises(Refused):
            await store.execute(SLUG, proposal("Two"), ATTENDEE, NOW)
    finally:
        await store.close()
    assert heard == [2]


@pytest_twisted.ensureDeferred
async def test_migrations_record_the_schema_version(tmp_path: Path) -> None:
    store = await open_sqlite_store(tmp_path / "db.sqlite3")
    try:
        assert await store.migrate() == (schema.LATEST, schema.LATEST)
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:
        assert raw.execute("SELECT MAX(version) FROM schema_version").fetchone() == (schema.LATEST,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest_twisted.ensureDeferred
async def test_a_database_from_a_newer_openspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    (await open_sqlite_store(path)).pool.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_version (version) VALUES (?)", (schema.LATEST + 1,))
    with pytest.raises(SchemaTooNew, match="upgrade openspace"):
        await open_sqlite_store(path)


@pytest_twisted.ensureDeferred
async def test_deleting_an_event_removes_board_and_log(tmp_path: Path) -> None:
    store = await open_with_board(tmp_path / "db.sqlite3")
    try:
        await store.delete_event(SLUG)
        assert await store.board(SLUG) is None
        assert await store.slugs() == []
        assert await store.events_since(SLUG, 0, 10) == []
    finally:
        await store.close()
