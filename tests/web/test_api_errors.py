"""
Bad input gets a clear JSON error with the right status, and changes nothing.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from tests.support import SLUG, Client, slot_id

SESSIONS = f"/api/events/{SLUG}/sessions"


async def seq(client: Client) -> int:
    return int((await client.get(f"/api/events/{SLUG}/board")).json["seq"])


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (b"[1, 2]", 400, "bad_json"),
        (b"\xff\xfe", 400, "bad_json"),
        (b"{}", 422, "invalid"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_unparseable_or_empty_bodies(
    client: Client, raw: bytes, status: int, code: str
) -> None:
    before = await seq(client)
    reply = await client.request(
        "POST", SESSIONS, raw=raw, headers={"Content-Type": "application/json"}
    )
    assert (reply.status, reply.json["error"]["code"]) == (status, code)
    assert set(reply.json["error"]) >= {"code", "message", "field"}
    assert await seq(client) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": 5}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"host": ""}, "host"),
        ({"tags": [1]}, "tags"),
        ({"tags": ["t"] * 9 + list("abcdefgh")}, "tags"),
        ({"description": "d" * 4001}, "description"),
        ({"room": "atlantis"}, "room"),
        ({"slot": "never"}, "slot"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_invalid_fields_are_422_naming_the_field(
    client: Client, fields: dict[str, object], field: str
) -> None:
    before = await seq(client)
    reply = await client.propose(**fields)
    assert reply.status == 422, reply.json
    assert reply.json["error"]["field"] == field
    assert await seq(client) == before


@pytest_twisted.ensureDeferred
async def test_past_and_blocked_cells_are_409(client: Client) -> None:
    past = await client.propose(hour=10)
    assert (past.status, past.json["error"]["code"]) == (409, "slot_over")
    blocked = await client.propose(room="r4", hour=17)
    assert (blocked.status, blocked.json["error"]["code"]) == (409, "blocked")


@pytest_twisted.ensureDeferred
async def test_bodies_over_64_kib_are_413(client: Client) -> None:
    before = await seq(client)
    huge = b'{"title": "' + b"x" * (65 * 1024) + b'"}'
    reply = await client.request(
        "POST", SESSIONS, raw=huge, headers={"Content-Type": "application/json"}
    )
    assert reply.status == 413
    assert reply.json["error"]["code"] == "too_large"
    assert await seq(client) == before


@pytest_twisted.ensureDeferred
async def test_unknown_event_session_and_route(client: Client) -> None:
    assert (await client.propose()).status == 201
    missing_event = await client.post(
        "/api/events/ghost/sessions", {"title": "T", "host": "H", "room": "r1", "slot": slot_id(12)}
    )
    assert missing_event.status == 404
    missing_session = await client.request(
        "PATCH", f"{SESSIONS}/s999", {"title": "x"}, token="some-key"
    )
    assert missing_session.status == 404
    no_route = await client.get("/api/nothing/here")
    assert (no_route.status, no_route.json["error"]["code"]) == (404, "not_found")
    bad_method = await client.request("PUT", SESSIONS)
    assert (bad_method.status, bad_method.json["error"]["code"]) == (405, "method_not_allowed")
