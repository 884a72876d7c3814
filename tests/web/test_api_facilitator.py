"""
Facilitator actions through the API: blocking, hiding, undo, the log; and who may.
"""

from __future__ import annotations

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id

BASE = f"/api/events/{SLUG}"


@pytest_twisted.ensureDeferred
async def test_only_the_facilitator_token_blocks_cells(
    client: Client, server: RunningServer
) -> None:
    cell = f"{BASE}/blocked/r2/{slot_id(13)}"
    assert (await client.request("PUT", cell)).status == 401
    host_key = (await client.propose()).json["edit_token"]
    assert (await client.request("PUT", cell, token=host_key)).status == 403
    assert (await client.request("PUT", cell, token=server.token)).json["blocked"] is True
    refused = await client.propose(room="r2", hour=13)
    assert refused.json["error"]["code"] == "blocked"
    assert (await client.request("DELETE", cell, token=server.token)).status == 200
    assert (await client.propose(room="r2", hour=13)).status == 201


@pytest_twisted.ensureDeferred
async def test_hidden_sessions_leave_the_public_board(
    client: Client, server: RunningServer
) -> None:
    session_id = (await client.propose()).json["session"]["id"]
    hide = f"{BASE}/sessions/{session_id}/hidden"
    assert (await client.request("PUT", hide, token=server.token)).status == 200
    board = (await client.get(f"{BASE}/board")).json
    assert board["sessions"] == []
    assert (await client.get(f"{BASE}/sessions/{session_id}")).status == 404
    await client.request("DELETE", hide, token=server.token)
    assert len((await client.get(f"{BASE}/board")).json["sessions"]) == 1


@pytest_twisted.ensureDeferred
async def test_undo_is_a_new_event_and_shows_in_the_log(
    client: Client, server: RunningServer
) -> None:
    await client.propose()
    await client.request("PUT", f"{BASE}/blocked/r3/{slot_id(14)}", token=server.token)
    before = (await client.get(f"{BASE}/board")).json["seq"]
    undone = await client.post(f"{BASE}/undo", {"count": 2}, token=server.token)
    assert undone.status == 200
    assert undone.json == {"undone": [before, before - 1], "seq": before + 1}
    board = (await client.get(f"{BASE}/board")).json
    assert board["sessions"] == []
    assert {"room": "r3", "slot": slot_id(14)} not in board["blocked"]
    log = (await client.get(f"{BASE}/log?limit=3", token=server.token)).json["entries"]
    assert [entry["type"] for entry in log] == ["undone", "cell_blocked", "session_proposed"]
    assert "“A session” (Ann Host)" in log[2]["summary"]
    assert [entry["who"] for entry in log] == ["facilitator", "facilitator", "host"]
    assert (await client.get(f"{BASE}/log")).status == 401
    nothing = await client.post(f"{BASE}/undo", {"count": 1}, token=server.token)
    assert nothing.status == 409
    too_many = await client.post(f"{BASE}/undo", {"count": 51}, token=server.token)
    assert too_many.status == 422


@pytest_twisted.ensureDeferred
async def test_facilitator_removes_meetups(client: Client, server: RunningServer) -> None:
    meetup = (await client.post(f"{BASE}/meetups", {"title": "T", "place": "cafe"})).json["meetup"]
    path = f"{BASE}/meetups/{meetup['id']}"
    assert (await client.request("DELETE", path)).status == 401
    assert (await client.request("DELETE", path, token=server.token)).status == 204
    assert (await client.get(f"{BASE}/board")).json["meetups"] == []
