"""
Scenarios for idempotent writes, run against SQLite (tests/web/test_idempotency.py) and
against PostgreSQL with two nodes (tests/postgres/test_idempotency.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from twisted.internet.defer import Deferred, gatherResults

from tests.support import SLUG, Client, Reply, slot_id

SESSIONS = f"/api/events/{SLUG}/sessions"
PROPOSAL = {"title": "Offline talk", "host": "Ann Host", "room": "r2", "slot": slot_id(14)}


def new_key() -> str:
    return str(uuid.uuid4())


async def propose_once(
    client: Client, key: str, body: dict[str, Any] | None = None, **kwargs: Any
) -> Reply:
    headers = {"Idempotency-Key": key, **kwargs.pop("headers", {})}
    return await client.post(SESSIONS, body or PROPOSAL, headers=headers, **kwargs)


async def sessions(client: Client) -> list[dict[str, Any]]:
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    found: list[dict[str, Any]] = board["sessions"]
    return found


async def replays_give_the_first_reply(clients: Sequence[Client]) -> Reply:
    """
    One proposal sent with one key through each client in turn, three rounds: one
    session, and every reply is the first one, edit token included.
    """
    key = new_key()
    first = await propose_once(clients[0], key)
    assert first.status == 201, first.body
    assert "idempotent-replayed" not in first.headers
    for _ in range(3):
        for client in clients:
            again = await propose_once(client, key)
            assert (again.status, again.json) == (first.status, first.json)
            assert again.headers["idempotent-replayed"] == "true"
    assert [s["id"] for s in await sessions(clients[0])] == [first.json["session"]["id"]]
    return first


async def concurrent_replays_execute_once(clients: Sequence[Client], count: int) -> None:
    """
    C{count} simultaneous requests with one key, spread over C{clients}: exactly one
    execution; the others replay it or are told the key is in flight.
    """
    key = new_key()
    replies: list[Reply] = await gatherResults(
        [Deferred.fromCoroutine(propose_once(clients[n % len(clients)], key)) for n in range(count)]
    )
    created = [r for r in replies if r.status == 201]
    assert created, [r.body for r in replies]
    assert all(r.json == created[0].json for r in created)
    busy = [r for r in replies if r.status != 201]
    assert all(r.status == 409 for r in busy), [r.body for r in busy]
    assert {r.json["error"]["code"] for r in busy} <= {"idempotency_key_in_flight"}
    assert [s["id"] for s in await sessions(clients[0])] == [created[0].json["session"]["id"]]
    # Once the first is done, every retry gets its reply.
    assert (await propose_once(clients[-1], key)).json == created[0].json


async def a_different_request_with_the_key_is_422(client: Client) -> None:
    key = new_key()
    assert (await propose_once(client, key)).status == 201
    other = await propose_once(client, key, {**PROPOSAL, "title": "Something else"})
    assert other.status == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
    as_host = await propose_once(client, key, token="some-edit-key-of-someone")
    assert as_host.status == 422
    elsewhere = await client.post(
        f"{SESSIONS}/nope/going", {"attendee": "a" * 12}, headers={"Idempotency-Key": key}
    )
    assert elsewhere.status == 422
    assert len(await sessions(client)) == 1
