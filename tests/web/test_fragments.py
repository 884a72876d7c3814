"""
One renderer: the HTML an event carries for open pages is, byte for byte, what the
page itself holds when rendered at the same moment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest_twisted
from attrs import evolve

from openspace.commands import SYSTEM, SetLayout
from openspace.model import Room
from openspace.web.pages.fragments import Fragments
from tests.conftest import NOW
from tests.support import SLUG, Client, RunningServer, conference_layout, slot_id

API = f"/api/events/{SLUG}"


async def fragments_of(
    server: RunningServer, change: Callable[[], Awaitable[Any]]
) -> dict[str, str | None]:
    store = server.service.store
    assert store is not None
    before = await store.board(SLUG)
    await change()
    after = await store.board(SLUG)
    assert before is not None and after is not None
    entry = (await store.events_since(SLUG, before.seq, 10))[-1]
    html: dict[str, str | None] = Fragments(server.clock)(before, entry, after)["html"]
    return html


async def page(client: Client, path: str) -> str:
    return (await client.get(path)).body.decode()


@pytest_twisted.ensureDeferred
async def test_a_proposal_ships_what_the_pages_show(server: RunningServer, client: Client) -> None:
    made: list[str] = []

    async def propose() -> None:
        reply = await client.propose(room="r2", hour=11, title="Fragments <b>&</b> pages")
        made.append(reply.json["session"]["id"])

    html = await fragments_of(server, propose)
    assert set(html) == {
        f"slot:{slot_id(11)}",
        f"line:r2/{slot_id(11)}",
        f"session:{made[0]}",
    }
    board = await page(client, f"/e/{SLUG}/")
    kiosk = await page(client, f"/e/{SLUG}/kiosk")
    door = await page(client, f"/e/{SLUG}/kiosk?room=r2")
    session = await page(client, f"/e/{SLUG}/s/{made[0]}")
    slot = html[f"slot:{slot_id(11)}"]
    line = html[f"line:r2/{slot_id(11)}"]
    detail = html[f"session:{made[0]}"]
    assert slot is not None and slot in board and "Fragments &lt;b&gt;&amp;&lt;/b&gt;" in slot
    assert line is not None and line in kiosk and line in door
    assert detail is not None and detail in session


@pytest_twisted.ensureDeferred
async def test_a_meetup_a_move_and_a_block(server: RunningServer, client: Client) -> None:
    html = await fragments_of(
        server, lambda: client.post(f"{API}/meetups", {"title": "Tea", "place": "Café"})
    )
    assert set(html) == {"hallway"}
    hallway = html["hallway"]
    assert hallway is not None
    assert hallway in await page(client, f"/e/{SLUG}/")
    assert hallway in await page(client, f"/e/{SLUG}/kiosk")

    made = await client.propose(room="r1", hour=12)
    session_id, token = made.json["session"]["id"], made.json["edit_token"]

    async def move() -> None:
        body = {"room": "r3", "slot": slot_id(14)}
        await client.request("PATCH", f"{API}/sessions/{session_id}", body, token=token)

    html = await fragments_of(server, move)
    assert {k for k in html if k.startswith("slot:")} == {
        f"slot:{slot_id(12)}",
        f"slot:{slot_id(14)}",
    }
    board = await page(client, f"/e/{SLUG}/")
    for key in (f"slot:{slot_id(12)}", f"slot:{slot_id(14)}"):
        fragment = html[key]
        assert fragment is not None and fragment in board

    async def block() -> None:
        await client.request("PUT", f"{API}/blocked/r2/{slot_id(15)}", token=server.token)

    html = await fragments_of(server, block)
    assert set(html) == {f"slot:{slot_id(15)}", f"line:r2/{slot_id(15)}"}
    line = html[f"line:r2/{slot_id(15)}"]
    assert line is not None and 'data-free="0"' in line
    assert line in await page(client, f"/e/{SLUG}/kiosk?room=r2")


@pytest_twisted.ensureDeferred
async def test_going_ships_no_markup(server: RunningServer, client: Client) -> None:
    session_id = (await client.propose()).json["session"]["id"]
    html = await fragments_of(
        server,
        lambda: client.post(f"{API}/sessions/{session_id}/going", {"attendee": "attendee-counted"}),
    )
    # The count and the capacity badge follow from the event's own delta (screen.js).
    assert html == {}


@pytest_twisted.ensureDeferred
async def test_events_replayed_at_start_get_no_markup(
    server: RunningServer, client: Client
) -> None:
    """
    A server that starts replays its log's tail into the live ring: old events are not
    rendered (the few pages that missed them fetch their page once instead).
    """
    store = server.service.store
    assert store is not None
    before = await store.board(SLUG)
    await client.propose()
    after = await store.board(SLUG)
    assert before is not None and after is not None
    entry = (await store.events_since(SLUG, before.seq, 10))[-1]
    assert "html" in Fragments(server.clock)(before, entry, after)
    server.clock.advance(3 * 60)
    assert Fragments(server.clock)(before, entry, after) == {}


@pytest_twisted.ensureDeferred
async def test_an_undo_ships_what_it_puts_back(server: RunningServer, client: Client) -> None:
    await client.request("PUT", f"{API}/blocked/r2/{slot_id(15)}", token=server.token)
    html = await fragments_of(
        server, lambda: client.post(f"{API}/undo", {"count": 1}, token=server.token)
    )
    assert set(html) == {f"slot:{slot_id(15)}", f"line:r2/{slot_id(15)}"}
    line = html[f"line:r2/{slot_id(15)}"]
    assert line is not None and 'data-free="1"' in line


@pytest_twisted.ensureDeferred
async def test_capacity_reports_and_hidden_meetups(server: RunningServer, client: Client) -> None:
    """
    The capacity badge and the report link are in the markup an event carries; a
    hidden meetup leaves the hallway; a report ships nothing at all.
    """
    session_id = (await client.propose(room="r3", hour=12, title="Popular")).json["session"]["id"]
    for n in range(8):
        await client.post(f"{API}/sessions/{session_id}/going", {"attendee": f"person-{n:04d}"})
    html = await fragments_of(
        server,
        lambda: client.request(
            "PATCH", f"{API}/sessions/{session_id}", {"title": "Busy"}, token=server.token
        ),
    )
    detail = html[f"session:{session_id}"]
    assert detail is not None
    assert '<span class="fill" data-fill="filling">Filling up</span>' in detail
    assert 'class="report-link"' in detail and "Busy" in detail
    assert detail in await page(client, f"/e/{SLUG}/s/{session_id}")
    line = html[f"line:r3/{slot_id(12)}"]
    assert line is not None and 'data-fill="filling"' in line
    assert line in await page(client, f"/e/{SLUG}/kiosk?room=r3")

    started = (await client.post(f"{API}/meetups", {"title": "Hidden soon", "place": "cafe"})).json
    meetup_id = started["meetup"]["id"]
    hallway = (await page(client, f"/e/{SLUG}/")).split('data-frag="hallway"')[1]
    assert "Hidden soon" in hallway and f"item={meetup_id}" in hallway
    html = await fragments_of(
        server,
        lambda: client.request("PUT", f"{API}/meetups/{meetup_id}/hidden", token=server.token),
    )
    assert set(html) == {"hallway"}
    assert "Hidden soon" not in (html["hallway"] or "")

    reason = "A reason nobody else may read"
    html = await fragments_of(
        server,
        lambda: client.post(
            f"{API}/reports", {"item": session_id, "attendee": "reporter-1", "reason": reason}
        ),
    )
    assert html == {}
    assert reason not in await page(client, f"/e/{SLUG}/s/{session_id}")


@pytest_twisted.ensureDeferred
async def test_a_new_room_ships_the_kiosks_pages_balanced_again(
    server: RunningServer, client: Client
) -> None:
    async def add_room() -> None:
        layout = conference_layout()
        wider = evolve(layout, rooms=(*layout.rooms, Room("r5", "Room Five", 12, "Roof")))
        assert server.service.store is not None
        await server.service.store.execute(SLUG, SetLayout(wider), SYSTEM, NOW)

    html = await fragments_of(server, add_room)
    rooms = html["rooms"]
    assert rooms is not None and rooms in await page(client, f"/e/{SLUG}/kiosk")
    assert rooms.count('class="room"') == 5
    assert "Page 1 of 2" in rooms and "Page 2 of 2" in rooms
    assert [part.count('class="room"') for part in rooms.split('class="page"')[1:]] == [3, 2]
    # The door screen has no pages of rooms: it takes its room's tile alone.
    assert 'data-frag="rooms"' not in await page(client, f"/e/{SLUG}/kiosk?room=r5")
    assert html["room:r5"] is not None
