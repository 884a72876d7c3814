"""
Reading the board: its JSON shape, times in the event's zone, ETag and 304.
"""

from __future__ import annotations

import pytest_twisted

from tests.support import SLUG, Client, slot_id

BOARD = f"/api/events/{SLUG}/board"


@pytest_twisted.ensureDeferred
async def test_board_shape(client: Client) -> None:
    await client.propose(description="All about it", tags=["x"])
    board = (await client.get(BOARD)).json
    assert set(board) >= {
        "seq",
        "event",
        "rooms",
        "slots",
        "blocked",
        "sessions",
        "meetups",
        "warnings",
    }
    assert board["event"] == {
        "slug": SLUG,
        "name": "Test Conference",
        "timezone": "Europe/Berlin",
        "days": ["2030-05-15"],
    }
    assert board["rooms"][0] == {
        "id": "r1",
        "name": "Room One",
        "capacity": 30,
        "where": "Ground floor",
        "access": "",
        "kind": "room",
    }
    assert board["rooms"][-1]["kind"] == "hallway"
    assert board["slots"][0] == {
        "id": slot_id(9),
        "start": "2030-05-15T09:00:00+02:00",
        "end": "2030-05-15T10:00:00+02:00",
    }
    assert board["blocked"] == [{"room": "r4", "slot": slot_id(17)}]
    session = board["sessions"][0]
    assert set(session) == {
        "id",
        "title",
        "description",
        "host",
        "tags",
        "room",
        "slot",
        "going",
        "seats",
        "fill",
    }


@pytest_twisted.ensureDeferred
async def test_etag_follows_the_sequence_number(client: Client) -> None:
    first = await client.get(BOARD)
    etag = first.headers["etag"]
    unchanged = await client.get(BOARD, headers={"If-None-Match": etag})
    assert (unchanged.status, unchanged.body) == (304, b"")
    await client.propose()
    changed = await client.get(BOARD, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["etag"] != etag
    assert changed.json["seq"] == first.json["seq"] + 1


@pytest_twisted.ensureDeferred
async def test_unknown_event_is_404_json(client: Client) -> None:
    reply = await client.get("/api/events/nope/board")
    assert reply.status == 404
    assert reply.json["error"]["code"] == "not_found"
    assert reply.headers["content-type"].startswith("application/json")


@pytest_twisted.ensureDeferred
async def test_events_are_listed(client: Client) -> None:
    listed = (await client.get("/api/events")).json
    assert [e["slug"] for e in listed["events"]] == [SLUG]
