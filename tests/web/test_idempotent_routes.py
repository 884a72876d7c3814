"""
Every write of the JSON API honours an Idempotency-Key, on SQLite: each write the
OpenAPI document lists (tests/web/test_openapi.py keeps it equal to the route table) is
replayed with its first reply and carried out once, and refuses the key with another
request; the writes beside the board are also replayed across a restart; a webhook's
secret comes back in a replay but is not in the database file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted

from tests.conftest import NOW
from tests.idempotent_routes import (
    API,
    BESIDE_THE_BOARD,
    CASES,
    RECEIVER,
    documented_writes,
    honours_the_key,
    replayed_after_a_restart,
    takes_the_key,
)
from tests.support import FACILITATOR_TOKEN, Client, RunningServer, start_server
from tests.web.test_openapi import klein_routes


def test_every_write_has_a_case_and_documents_the_key() -> None:
    api_writes = {(method.upper(), path) for path, method in klein_routes() if method != "get"}
    assert api_writes <= documented_writes()
    assert set(CASES) == documented_writes()
    assert all(takes_the_key(*case) for case in CASES)


@pytest.mark.parametrize("case", sorted(CASES), ids=" ".join)
@pytest_twisted.ensureDeferred
async def test_a_write_honours_the_key(client: Client, case: tuple[str, str]) -> None:
    await honours_the_key([client], await CASES[case](client))


@pytest.mark.parametrize(
    "case", [*BESIDE_THE_BOARD, ("POST", "/api/events/{slug}/sessions")], ids=" ".join
)
@pytest_twisted.ensureDeferred
async def test_a_write_is_replayed_after_a_restart(tmp_path: Path, case: tuple[str, str]) -> None:
    await replayed_after_a_restart(lambda: start_server(tmp_path / "board.sqlite3", NOW), case)


@pytest_twisted.ensureDeferred
async def test_a_webhook_secret_is_replayed_but_not_stored(server: RunningServer) -> None:
    async with Client.open(server.url) as client:
        call = await CASES["POST", "/api/events/{slug}/webhooks"](client)
        _, first = await honours_the_key([client], call)
        secret = first.json["webhook"]["secret"]
        listed = await client.get(f"{API}/webhooks", token=FACILITATOR_TOKEN)
        assert [h["url"] for h in listed.json["webhooks"]] == [RECEIVER]
    await server.stop()
    files = [server.db, *server.db.parent.glob(server.db.name + "-*")]
    assert all(secret.encode() not in path.read_bytes() for path in files)
