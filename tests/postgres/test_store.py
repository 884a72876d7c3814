"""
The board store on PostgreSQL: migrations, writes, creation races, notifications.
"""

from __future__ import annotations

import psycopg
import pytest
import pytest_twisted
from twisted.internet.defer import DeferredList, gatherResults

from openspace.commands import ATTENDEE, SYSTEM, ProposeSession, Refused, SetLayout
from openspace.replay import replay
from openspace.store.interface import SchemaTooNew, SchemaTooOld
from openspace.store.postgres import CHANNEL, describe, open_postgres_store, postgres_store
from openspace.store.schema import LATEST
from openspace.store.sql import SQLBoardStore
from tests.support import SLUG, conference_layout, slot_id, utc

pytestmark = pytest.mark.postgres

NOW = utc(9, 30)


def proposal(title: str, room: str = "r1", hour: int = 12) -> ProposeSession:
    return ProposeSession(title, "", "Host", [], room, slot_id(hour), "owner")


@pytest_twisted.ensureDeferred
async def test_migrations_run_once_even_when_nodes_start_together(pg_url: str) -> None:
    from twisted.internet import reactor

    stores = [postgres_store(pg_url, reactor) for _ in range(3)]
    try:
        results = await gatherResults([store.migrate() for store in stores])
        again = await stores[0].migrate()
        await stores[0].check_schema()
    finally:
        for store in stores:
            await store.close()
    assert sorted(results) == [(0, LATEST), (LATEST, LATEST), (LATEST, LATEST)]
    assert again == (LATEST, LATEST)


@pytest_twisted.ensureDeferred
async def test_serving_needs_exactly_the_known_schema(pg_url: str) -> None:
    from twisted.internet import reactor

    with pytest.raises(SchemaTooOld, match="openspace migrate"):
        await open_postgres_store(pg_url, reactor)
    store = postgres_store(pg_url, reactor)
    await store.migrate()
    await store.close()
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(SchemaTooNew, match="upgrade openspace"):
        await open_postgres_store(pg_url, reactor)


@pytest_twisted.ensureDeferred
async def test_board_and_log_are_written_together(pg_store: SQLBoardStore) -> None:
    await pg_store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    outcome = await pg_store.execute(SLUG, proposal("One"), ATTENDEE, NOW)
    with pytest.raises(Refused):
        await pg_store.execute(SLUG, proposal("Two"), ATTENDEE, NOW)
    log = await pg_store.events_since(SLUG, 0, 100)
    assert [entry.seq for entry in log] == [1, 2]
    assert replay(log) == outcome.board
    assert await pg_store.board(SLUG) == outcome.board
    assert await pg_store.slugs() == [SLUG]


@pytest_twisted.ensureDeferred
async def test_two_nodes_creating_one_board_at_once_both_succeed(pg_url: str) -> None:
    from twisted.internet import reactor

    stores = [postgres_store(pg_url, reactor) for _ in range(2)]
    await stores[0].migrate()
    try:
        outcomes = await gatherResults(
            [
                store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
                for store in stores
                for _ in range(4)
            ]
        )
        log = await stores[1].events_since(SLUG, 0, 100)
    finally:
        for store in stores:
            await store.close()
    # One created the board; the others lost the race, ran again and changed nothing.
    assert sorted(len(outcome.logged) for outcome in outcomes) == [0] * 7 + [1]
    assert [entry.seq for entry in log] == [1]


@pytest_twisted.ensureDeferred
async def test_a_commit_notifies_and_a_refusal_does_not(
    pg_store: SQLBoardStore, pg_url: str
) -> None:
    await pg_store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    with psycopg.connect(pg_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        await pg_store.execute(SLUG, proposal("One"), ATTENDEE, NOW)
        results = await DeferredList(
            [pg_store.execute(SLUG, proposal("Two"), ATTENDEE, NOW)], consumeErrors=True
        )
        await pg_store.delete_event(SLUG)
        payloads = [n.payload for n in listener.notifies(timeout=0.5)]
    assert not results[0][0]
    assert payloads == [f"{SLUG}:2", f"{SLUG}:0"]


def test_a_url_is_described_without_user_or_password() -> None:
    assert describe("postgresql://me:s3cret@db.example:6543/events") == (
        "PostgreSQL database 'events' on db.example:6543"
    )
    assert describe("postgresql://%zz") == "an unreadable PostgreSQL URL"
