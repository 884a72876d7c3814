"""
Proposing, editing, moving, swapping and cancelling sessions through the real HTTP API.
"""

from __future__ import annotations

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id

SESSIONS = f"/api/events/{SLUG}/sessions"


@pytest_twisted.ensureDeferred
async def test_propose_returns_session_and_edit_token(client: Client) -> None:
    reply = await client.propose(title="  Packaging\u0007 ", tags=["Pack", "#pack", "web"])
    assert reply.status == 201
    body = reply.json
    session = body["session"]
    assert session["title"] == "Packaging"
    assert session["tags"] == ["pack", "web"]
    assert (session["room"], session["slot"], session["going"]) == ("r1", slot_id(12), 0)
    assert len(body["edit_token"]) >= 32
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert [s["id"] for s in board["sessions"]] == [session["id"]]
    assert "owner" not in board["sessions"][0]


@pytest_twisted.ensureDeferred
async def test_second_claim_of_a_cell_is_409_naming_the_holder(client: Client) -> None:
    first = await client.propose(title="First")
    second = await client.propose(title="Second")
    assert second.status == 409
    error = second.json["error"]
    assert (error["code"], error["field"]) == ("cell_taken", "slot")
    assert "First" in error["message"]
    assert error["details"]["session"] == first.json["session"]["id"]


@pytest_twisted.ensureDeferred
async def test_overlapping_host_gets_a_warning_in_the_answer(client: Client) -> None:
    await client.propose(room="r1", host="Kim")
    reply = await client.propose(room="r2", host="kim")
    assert reply.status == 201
    assert [w["code"] for w in reply.json["warnings"]] == ["host_overlap"]
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert [w["code"] for w in board["warnings"]] == ["host_overlap"]


@pytest_twisted.ensureDeferred
async def test_the_edit_token_edits_moves_and_cancels(client: Client) -> None:
    proposed = (await client.propose()).json
    session_id, key = proposed["session"]["id"], proposed["edit_token"]
    path = f"{SESSIONS}/{session_id}"
    edited = await client.request(
        "PATCH", path, {"title": "Renamed", "room": "r3", "slot": slot_id(15)}, token=key
    )
    assert edited.status == 200
    assert (edited.json["session"]["title"], edited.json["session"]["room"]) == ("Renamed", "r3")
    assert (await client.request("DELETE", path, token=key)).status == 204
    assert (await client.get(path)).status == 404


@pytest_twisted.ensureDeferred
async def test_a_wrong_or_missing_token_changes_nothing(client: Client) -> None:
    proposed = (await client.propose(title="Keep me")).json
    path = f"{SESSIONS}/{proposed['session']['id']}"
    missing = await client.request("PATCH", path, {"title": "Stolen"})
    assert missing.status == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = await client.request("DELETE", path, token="not-the-key")
    assert (wrong.status, wrong.json["error"]["code"]) == (403, "forbidden")
    assert (await client.get(path)).json["session"]["title"] == "Keep me"


@pytest_twisted.ensureDeferred
async def test_the_facilitator_token_may_change_any_session(
    client: Client, server: RunningServer
) -> None:
    proposed = (await client.propose()).json
    path = f"{SESSIONS}/{proposed['session']['id']}"
    reply = await client.request(
        "PATCH", path, {"room": "r4", "slot": slot_id(17)}, token=server.token
    )
    assert reply.status == 200, reply.json


@pytest_twisted.ensureDeferred
async def test_one_key_owns_all_of_a_hosts_sessions_and_swaps_them(client: Client) -> None:
    first = (await client.propose(room="r1", hour=12)).json
    key = first["edit_token"]
    second = await client.request(
        "POST",
        SESSIONS,
        {"title": "Two", "host": "Ann Host", "room": "r2", "slot": slot_id(14)},
        token=key,
    )
    assert second.json["edit_token"] == key
    swapped = await client.post(
        f"/api/events/{SLUG}/swaps",
        {"first": first["session"]["id"], "second": second.json["session"]["id"]},
        token=key,
    )
    assert swapped.status == 200
    assert [(s["room"], s["slot"]) for s in swapped.json["sessions"]] == [
        ("r2", slot_id(14)),
        ("r1", slot_id(12)),
    ]


@pytest_twisted.ensureDeferred
async def test_going_is_idempotent_per_attendee(client: Client) -> None:
    session_id = (await client.propose()).json["session"]["id"]
    going = f"{SESSIONS}/{session_id}/going"
    for _ in range(2):
        reply = await client.post(going, {"attendee": "attendee-0001"})
        assert reply.json == {"session": session_id, "going": 1, "attending": True}
    await client.post(going, {"attendee": "attendee-0002"})
    reply = await client.request("DELETE", going + "?attendee=attendee-0001")
    assert reply.json["going"] == 1
    again = await client.request("DELETE", going, {"attendee": "attendee-0001"})
    assert again.json["going"] == 1
    bad = await client.post(going, {"attendee": "<script>"})
    assert (bad.status, bad.json["error"]["field"]) == (422, "attendee")


@pytest_twisted.ensureDeferred
async def test_meetups_need_no_token(client: Client) -> None:
    reply = await client.post(f"/api/events/{SLUG}/meetups", {"title": "Coffee", "place": "cafe"})
    assert reply.status == 201
    meetup = reply.json["meetup"]
    assert (meetup["spot"], meetup["place"]) == ("cafe", "Café")
    assert meetup["starts"].endswith("+02:00")
    later = await client.post(
        f"/api/events/{SLUG}/meetups",
        {
            "title": "Lunch walk",
            "place": "front door",
            "starts": "2030-05-15T13:00:00+02:00",
            "minutes": 45,
        },
    )
    assert later.status == 201
    assert later.json["meetup"]["ends"] == "2030-05-15T13:45:00+02:00"
    naive = await client.post(
        f"/api/events/{SLUG}/meetups", {"title": "T", "place": "p", "starts": "2030-05-15T13:00"}
    )
    assert (naive.status, naive.json["error"]["field"]) == (422, "starts")
