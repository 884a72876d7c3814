"""
When storage fails, the API answers with its JSON error shape (503 and Retry-After when
the database cannot take the write, 500 for a bug), pages with a readable page, both
with the security headers, and nothing is half-written.

The disk fills up for real: SQLite's C{max_page_count} makes the database file unable
to grow, which fails the write exactly as a full disk does (C{SQLITE_FULL}).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest
import pytest_twisted
from twisted.python.failure import Failure

from openspace.store.sql import SQLBoardStore
from openspace.web.hardened import storage_unavailable
from tests.security.test_responses import assert_json_error, assert_page, assert_security_headers
from tests.support import SLUG, Client, RunningServer, slot_id
from tests.web.browsing import Browser

SESSIONS = f"/api/events/{SLUG}/sessions"


async def fill_the_disk(server: RunningServer, full: bool) -> None:
    store = server.service.store
    assert store is not None

    def limit(connection: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages if full else 1_000_000_000}")
        cursor.close()

    await store.pool.runWithConnection(limit)


def proposal(hour: int) -> dict[str, object]:
    # Large enough to need new pages in the file whatever free space it has.
    return {
        "title": "Full",
        "host": "Ann",
        "room": "r1",
        "slot": slot_id(hour),
        "description": "d" * 4000,
    }


@pytest_twisted.ensureDeferred
async def test_a_full_disk_is_a_503_with_retry_after_and_changes_nothing(
    server: RunningServer, client: Client
) -> None:
    before = (await client.get(f"/api/events/{SLUG}/board")).json
    await fill_the_disk(server, True)
    reply = await client.post(SESSIONS, proposal(12))
    assert_json_error(reply, 503, "unavailable")
    assert int(reply.headers["retry-after"]) > 0
    assert_security_headers(reply)
    # Reads still work, and show nothing of the failed write.
    assert (await client.get(f"/api/events/{SLUG}/board")).json == before
    await fill_the_disk(server, False)
    assert (await client.get(f"/api/events/{SLUG}/board")).json == before
    again = await client.post(SESSIONS, proposal(12))
    assert again.status == 201, again.json
    after = (await client.get(f"/api/events/{SLUG}/board")).json
    assert after["seq"] == before["seq"] + 1
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:
        seqs = [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, after["seq"] + 1))


@pytest_twisted.ensureDeferred
async def test_a_full_disk_under_a_form_is_a_readable_page(
    server: RunningServer, client: Client
) -> None:
    before = (await client.get(f"/api/events/{SLUG}/board")).json
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    await fill_the_disk(server, True)
    fields = proposal(13)
    form = {"title": "Full", "host": "Ann", "description": fields["description"]}
    reply = await browser.post(f"/e/{SLUG}/propose", {**form, "cell": f"r1/{slot_id(13)}"})
    assert_page(reply, 503)
    assert "retry-after" in reply.headers
    assert_security_headers(reply)
    assert "os_edit" not in browser.cookies
    assert (await client.get(f"/api/events/{SLUG}/board")).json == before


@pytest_twisted.ensureDeferred
async def test_a_bug_is_a_json_500_without_details(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(SQLBoardStore, "execute", broken)
    reply = await client.post(SESSIONS, proposal(14))
    assert_json_error(reply, 500, "internal")
    assert b"secret internals" not in reply.body and b"Traceback" not in reply.body
    assert_security_headers(reply)
    page = await client.get(f"/e/{SLUG}/")
    assert page.status == 200


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (sqlite3.OperationalError("database or disk is full"), True),
        (sqlite3.OperationalError("attempt to write a readonly database"), True),
        (OSError(28, "No space left on device"), True),
        (psycopg.errors.DiskFull("could not extend file"), True),
        (psycopg.OperationalError("connection refused"), True),
        (sqlite3.IntegrityError("UNIQUE constraint failed"), False),
        (KeyError("x"), False),
    ],
)
def test_which_failures_mean_storage_is_unavailable(error: Exception, unavailable: bool) -> None:
    assert storage_unavailable(Failure(error)) is unavailable
