"""
The command line with PostgreSQL: migrate, serve's schema check, export and import.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import psycopg
import pytest
import pytest_twisted

from openspace.cli import export, import_
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    BlockCell,
    CancelSession,
    ProposeSession,
    SetLayout,
)
from openspace.events import Logged
from openspace.model import Board
from openspace.service import open_store
from openspace.store.interface import UndoLast
from openspace.store.schema import LATEST
from openspace.store.sql import SQLBoardStore
from tests.process import run_openspace
from tests.support import SLUG, conference_layout, slot_id, utc

pytestmark = pytest.mark.postgres

NOW = utc(9, 30)


@pytest_twisted.ensureDeferred
async def test_migrate_says_what_it_did(pg_url: str) -> None:
    code, out, err = await run_openspace("migrate", "--db", pg_url)
    assert (code, err) == (0, "")
    assert f"from schema version 0 to {LATEST}" in out
    code, out, _ = await run_openspace("migrate", env={"OPENSPACE_DB": pg_url})
    assert code == 0
    assert f"at schema version {LATEST}; nothing to do" in out
    # Where, but never who: the URL's user stays out of the output.
    assert "postgres@" not in out


@pytest_twisted.ensureDeferred
async def test_serve_refuses_a_database_not_at_its_schema(pg_url: str) -> None:
    code, _, err = await run_openspace("serve", "--db", pg_url, "--listen", "tcp:0")
    assert code == 1
    assert "run `openspace migrate`" in err
    await run_openspace("migrate", "--db", pg_url)
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute(f"INSERT INTO schema_version (version) VALUES ({LATEST + 1})")
    code, _, err = await run_openspace("serve", "--db", pg_url, "--listen", "tcp:0")
    assert code == 1
    assert f"cannot start: the database has schema version {LATEST + 1}" in err
    assert "upgrade openspace" in err


async def eventful(store: SQLBoardStore) -> None:
    """
    A log with a bit of everything: layout, proposals, a block, a cancellation, undo.
    """
    kept = ProposeSession("Kept", "ünïcode ✓", "Ann", ["web"], "r1", slot_id(12), "k1")
    gone = ProposeSession("Gone", "", "Bob", [], "r2", slot_id(13), "k2")
    await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    await store.execute(SLUG, kept, ATTENDEE, NOW)
    (gone_id,) = (await store.execute(SLUG, gone, ATTENDEE, NOW)).decision.ids
    await store.execute(SLUG, BlockCell("r3", slot_id(10)), FACILITATOR, NOW)
    await store.execute(SLUG, CancelSession(gone_id), FACILITATOR, NOW)
    await store.execute(SLUG, UndoLast(1), FACILITATOR, NOW)


async def contents(db: str) -> tuple[Board | None, list[Logged]]:
    from twisted.internet import reactor

    store = await open_store(db, reactor)
    try:
        return await store.board(SLUG), await store.events_since(SLUG, 0, 10_000)
    finally:
        await store.close()


async def export_to(db: str, path: Path) -> None:
    from twisted.internet import reactor

    out = io.StringIO()
    assert await export(reactor, db, None, out) == 0
    path.write_text(out.getvalue())


@pytest_twisted.ensureDeferred
async def test_an_event_goes_from_sqlite_to_postgresql_and_back_unchanged(
    pg_store: SQLBoardStore, pg_url: str, tmp_path: Path
) -> None:
    from twisted.internet import reactor

    first = str(tmp_path / "first.sqlite3")
    store = await open_store(first, reactor)
    await eventful(store)
    await store.close()
    await export_to(first, tmp_path / "one.json")
    assert await import_(reactor, pg_url, tmp_path / "one.json", replace=False) == 0
    await export_to(pg_url, tmp_path / "two.json")
    last = str(tmp_path / "last.sqlite3")
    assert await import_(reactor, last, tmp_path / "two.json", replace=False) == 0

    original = await contents(first)
    assert original[0] is not None
    assert original[0].seq == len(original[1]) == 6
    assert await contents(pg_url) == original
    assert await contents(last) == original
    document = json.loads((tmp_path / "two.json").read_text())
    assert (document["format"], document["version"], document["seq"]) == ("openspace-event", 1, 6)


@pytest_twisted.ensureDeferred
async def test_import_refuses_an_existing_event_unless_told_to_replace(
    pg_store: SQLBoardStore, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from twisted.internet import reactor

    await eventful(pg_store)
    await export_to(pg_url, tmp_path / "event.json")
    await pg_store.execute(SLUG, UndoLast(1), FACILITATOR, NOW)
    assert await import_(reactor, pg_url, tmp_path / "event.json", replace=False) == 2
    assert "exists already; --replace replaces it" in capsys.readouterr().err
    assert await import_(reactor, pg_url, tmp_path / "event.json", replace=True) == 0
    board, log = await contents(pg_url)
    assert board is not None
    assert board.seq == len(log) == 6
