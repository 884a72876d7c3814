"""
Proposing, editing, moving, swapping and cancelling sessions through the real HTTP API.
"""

from __future__ import annotations

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id


@pytest_twisted.ensureDeferred
async def test_propose_returns_session_and_edit_token(client: Client) -> None:
    reply = await client.propose(title="  Packaging\u0007 ", tags=["Pack", "#pack", "web"])
    assert reply.status == 201
    body = reply.json
    session = body["session"]
    assert session["title"] == "Packaging"
    assert session["tags"] == ["pack", "web"]
    assert session["room"] == "r1"
    assert session["slot"] == slot_id(12)
    assert session["going"] == 0
    assert len(body["edit_token"]) >= 32
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert [s["id"] for s in board["sessions"]] == [session["id"]]


@pytest_twisted.ensureDeferred
async def test_second_claim_of_a_cell_is_409_naming_the_holder(client: Client) -> None:
    first = await client.propose(title="First")
    second = await client.propose(title="Second")
    assert second.status == 409
    error = second.json["error"]
    assert error["code"] == "cell_taken"
    assert "First" in error["message"]
    assert error["details"]["session"] == first.json["session"]["id"]


@pytest_twisted.ensureDeferred
async def test_server_fixture_is_real(server: RunningServer, client: Client) -> None:
    reply = await client.get("/healthz")
    assert reply.status == 200
    assert server.url.startswith("http://127.0.0.1:")
