"""
Idempotent writes on SQLite, through the real server: the same Idempotency-Key and the
same request give the first reply however often, also after a restart; the edit token
in a kept reply is never readable from the database file.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest_twisted

from openspace.idempotency import EXPIRY
from tests.conftest import NOW
from tests.idempotent import (
    PROPOSAL,
    SESSIONS,
    a_different_request_with_the_key_is_422,
    concurrent_replays_execute_once,
    new_key,
    propose_once,
    replays_give_the_first_reply,
    sessions,
)
from tests.support import SLUG, Client, Reply, RunningServer, slot_id, start_server


@pytest_twisted.ensureDeferred
async def test_replays_give_the_first_reply(client: Client) -> None:
    await replays_give_the_first_reply([client])


@pytest_twisted.ensureDeferred
async def test_concurrent_replays_execute_once(server: RunningServer) -> None:
    async with Client.open(server.url) as client:
        client.pool.maxPersistentPerHost = 20
        await concurrent_replays_execute_once([client], 20)


@pytest_twisted.ensureDeferred
async def test_a_different_request_with_the_key_is_422(client: Client) -> None:
    await a_different_request_with_the_key_is_422(client)


@pytest_twisted.ensureDeferred
async def test_a_replay_after_a_restart_gives_the_first_reply(tmp_path: Path) -> None:
    db = tmp_path / "board.sqlite3"
    key = new_key()
    first = await start_server(db, NOW)
    try:
        async with Client.open(first.url) as client:
            sent = await propose_once(client, key)
    finally:
        await first.stop()
    second = await start_server(db, NOW)
    try:
        async with Client.open(second.url) as client:
            again = await propose_once(client, key)
            assert (again.status, again.json) == (201, sent.json)
            assert len(await sessions(client)) == 1
    finally:
        await second.stop()


@pytest_twisted.ensureDeferred
async def test_the_edit_token_is_not_in_the_database(server: RunningServer) -> None:
    async with Client.open(server.url) as client:
        token = (await propose_once(client, new_key())).json["edit_token"]
        await propose_once(client, new_key(), {**PROPOSAL, "slot": slot_id(15)}, token=token)
    await server.stop()
    files = [server.db, *server.db.parent.glob(server.db.name + "-*")]
    assert all(token.encode() not in path.read_bytes() for path in files)


@pytest_twisted.ensureDeferred
async def test_every_write_replays(client: Client, facilitator_token: str) -> None:
    key = new_key()
    meetup = {"title": "Coffee", "place": "Lobby"}
    started = [
        await client.post(f"/api/events/{SLUG}/meetups", meetup, headers={"Idempotency-Key": key})
        for _ in range(3)
    ]
    assert [r.status for r in started] == [201] * 3
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert len(board["meetups"]) == 1
    proposed = (await propose_once(client, new_key())).json
    path = f"{SESSIONS}/{proposed['session']['id']}"
    going_key = new_key()
    going = [
        await client.post(
            f"{path}/going", {"attendee": "abcdefgh12"}, headers={"Idempotency-Key": going_key}
        )
        for _ in range(2)
    ]
    assert [r.json["going"] for r in going] == [1, 1]
    cancel_key = new_key()
    cancels = [
        await client.request(
            "DELETE", path, token=proposed["edit_token"], headers={"Idempotency-Key": cancel_key}
        )
        for _ in range(2)
    ]
    # Without the key the second cancel would be 404: the session is gone.
    assert [r.status for r in cancels] == [204, 204]
    assert cancels[1].headers["idempotent-replayed"] == "true"


@pytest_twisted.ensureDeferred
async def test_a_refusal_is_not_kept(client: Client, facilitator_token: str) -> None:
    key = new_key()
    blocked = {**PROPOSAL, "room": "r4", "slot": slot_id(17)}
    assert (await propose_once(client, key, blocked)).status == 409
    unblock = f"/api/events/{SLUG}/blocked/r4/{slot_id(17)}"
    assert (await client.request("DELETE", unblock, token=facilitator_token)).status == 200
    assert (await propose_once(client, key, blocked)).status == 201


@pytest_twisted.ensureDeferred
async def test_a_reply_expires(server: RunningServer, client: Client) -> None:
    key = new_key()

    async def start() -> Reply:
        meetup = {"title": "Coffee", "place": "Lobby"}
        headers = {"Idempotency-Key": key}
        return await client.post(f"/api/events/{SLUG}/meetups", meetup, headers=headers)

    first = await start()
    server.set_now(NOW + EXPIRY - timedelta(seconds=1))
    assert (await start()).headers["idempotent-replayed"] == "true"
    server.set_now(NOW + EXPIRY)
    # Forgotten: carried out afresh.
    again = await start()
    assert again.status == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json["meetup"]["id"] != first.json["meetup"]["id"]


@pytest_twisted.ensureDeferred
async def test_an_unusable_key_is_400(client: Client) -> None:
    for bad in ("short", "x" * 256, "has space in it 123", '"too-short"'):
        reply = await propose_once(client, bad)
        assert reply.status == 400, bad
        assert reply.json["error"]["code"] == "bad_idempotency_key"
    quoted = await propose_once(client, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    assert quoted.status == 201
    assert (await propose_once(client, "8e03978e-40d5-43e8-bc93-6894a57f9324")).status == 201
    assert len(await sessions(client)) == 1
