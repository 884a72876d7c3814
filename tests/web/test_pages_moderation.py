"""
Moderation on the pages, over real HTTP: the desk's log (going left out, undo one
change or back to here past any amount of going), bulk actions, the report queue,
meetups and their starters' keys, capacity badges, moving a full session to a bigger
room, placement suggestions and settings.
"""

from __future__ import annotations

import html
import re

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id
from tests.web.browsing import Browser
from tests.web.test_pages_desk import DESK, board, signed_in

API = f"/api/events/{SLUG}"


async def _going(client: Client, session_id: str, count: int, prefix: str = "person") -> None:
    for n in range(count):
        await client.post(f"{API}/sessions/{session_id}/going", {"attendee": f"{prefix}-{n:04d}"})


async def act(desk: Browser, action: str, fields: dict[str, str]) -> int:
    """
    Press a desk button as a person does: on the desk as it is now.
    """
    await desk.get(DESK)
    return (await desk.post(f"{DESK}/{action}", fields)).status


def _text(reply_body: bytes) -> str:
    return html.unescape(reply_body.decode())


@pytest_twisted.ensureDeferred
async def test_the_log_leaves_out_going_and_undo_reaches_past_it(client: Client) -> None:
    made = (await client.propose(title="Packaging")).json["session"]
    desk = await signed_in(client)
    await act(desk, "sessions", {"hide": made["id"]})
    await act(desk, "cells", {"block-slot": slot_id(13)})
    await act(desk, "sessions", {"show": made["id"]})
    await _going(client, made["id"], 60)
    page = _text((await desk.get(DESK)).body)
    assert "someone is going" not in page
    assert "proposed “Packaging” (Ann Host) in Room One at Wed 12:00" in page
    assert "hid “Packaging”" in page and "blocked a whole slot" in page
    with_going = _text((await desk.get(f"{DESK}?going=1")).body)
    assert "someone is going to “Packaging” (60 going)" in with_going
    seqs = [int(s) for s in re.findall(r'name="upto" value="(\d+)"', page)]
    hid_at = min(seqs[:-1])  # the proposal, oldest, is last
    blocked_at = hid_at + 1
    # Undo the whole-slot block alone, sixty "going" later.
    assert await act(desk, "undo", {"only": str(blocked_at)}) == 303
    assert not any(c["slot"] == slot_id(13) for c in (await board(client))["blocked"])  # type: ignore[union-attr]
    assert len((await board(client))["sessions"]) == 1  # type: ignore[arg-type]
    # Back to the hide: the "show" after it is undone too, as is the hide itself.
    assert await act(desk, "undo", {"upto": str(hid_at)}) == 303
    shown = (await board(client))["sessions"]
    assert [s["going"] for s in shown] == [60]  # type: ignore[union-attr,index]
    await desk.get(DESK)
    again = await desk.post(f"{DESK}/undo", {"only": str(blocked_at)})
    assert again.status == 409 and "cannot be undone" in desk.text()


@pytest_twisted.ensureDeferred
async def test_bulk_hide_and_whole_room_blocking_from_the_desk(client: Client) -> None:
    ids = [(await client.propose(room=r)).json["session"]["id"] for r in ("r1", "r2", "r3")]
    desk = await signed_in(client)
    await desk.get(DESK)
    before = (await board(client))["seq"]
    picked = {"bulk": "hide", "pick": ids[:2]}
    assert (await desk.post(f"{DESK}/sessions", picked)).status == 303  # type: ignore[arg-type]
    after = await board(client)
    assert [s["id"] for s in after["sessions"]] == [ids[2]]  # type: ignore[union-attr,index]
    assert after["seq"] == before + 1  # type: ignore[operator]
    await desk.get(DESK)
    await desk.post(f"{DESK}/cells", {"block-room": "r2"})
    blocked = {c["slot"] for c in (await board(client))["blocked"] if c["room"] == "r2"}  # type: ignore[union-attr,index]
    assert len(blocked) == 8  # nine slots, one holds a session
    await desk.get(DESK)
    await desk.post(f"{DESK}/cells", {"unblock-room": "r2"})
    assert not any(c["room"] == "r2" for c in (await board(client))["blocked"])  # type: ignore[union-attr,index]


@pytest_twisted.ensureDeferred
async def test_attendees_report_and_the_desk_hides_from_the_queue(client: Client) -> None:
    made = (await client.propose(title="Cheap watches")).json["session"]
    attendee = Browser(client)
    page = _text((await attendee.get(f"/e/{SLUG}/s/{made['id']}")).body)
    assert f'href="/e/{SLUG}/report?item={made["id"]}"' in page
    await attendee.get(f"/e/{SLUG}/report?item={made['id']}")
    reply = await attendee.post(f"/e/{SLUG}/report", {"item": made["id"], "reason": "spam!"})
    assert reply.status == 200 and "Nobody else sees your report" in attendee.text()
    await attendee.get(f"/e/{SLUG}/report?item={made['id']}")
    await attendee.post(f"/e/{SLUG}/report", {"item": made["id"], "reason": "twice"})
    public = _text((await client.get(f"/e/{SLUG}/")).body) + str(await board(client))
    assert "spam!" not in public
    desk = await signed_in(client)
    queue = _text((await desk.get(DESK)).body)
    assert "Reports (1)" in queue and "spam!" in queue and "twice" not in queue
    await desk.post(f"{DESK}/reports", {"hide": made["id"]})
    assert (await board(client))["sessions"] == []
    assert "No reports." in _text((await desk.get(DESK)).body)
    missing = await attendee.get(f"/e/{SLUG}/report?item=s999")
    assert missing.status == 404


@pytest_twisted.ensureDeferred
async def test_a_meetup_starter_edits_and_ends_it_from_their_phone(client: Client) -> None:
    starter = Browser(client)
    await starter.get(f"/e/{SLUG}/meetup")
    fields = {"title": "Rust", "spot": "cafe", "place": "", "when": "later", "minutes": "30"}
    reply = await starter.post(f"/e/{SLUG}/meetup", fields)
    assert reply.status == 303
    assert any(c.startswith("os_edit=") for c in starter.set_cookies)
    # The meetup form lists this phone's meetups; each one's page has its private link.
    form = _text((await starter.get(f"/e/{SLUG}/meetup")).body)
    found = re.search(rf'href="/e/{SLUG}/m/(m\d+)/edit">Change or end “Rust”', form)
    assert found is not None
    meetup_id = found.group(1)
    own = await starter.get(f"/e/{SLUG}/m/{meetup_id}/edit")
    assert own.headers["cache-control"] == "no-store"
    link = re.search(r'class="edit-link"[^>]*href="([^"]+)"', starter.text())
    assert link is not None
    path = html.unescape(link.group(1)).split("://", 1)[1].split("/", 1)[1]
    stranger = Browser(client)
    assert (await stranger.get(f"/e/{SLUG}/m/{meetup_id}/edit")).status == 403
    # The private link works on another phone, once, and leaves the address bar.
    other = Browser(client)
    assert (await other.get("/" + path)).status == 303
    page = await other.get(f"/e/{SLUG}/m/{meetup_id}/edit")
    assert page.status == 200
    edit = {"title": "Rust & Go", "place": "cafe", "minutes": "45"}
    assert (await other.post(f"/e/{SLUG}/m/{meetup_id}/edit", edit)).status == 200
    meetups = (await board(client))["meetups"]
    assert meetups[0]["title"] == "Rust & Go"  # type: ignore[index]
    await starter.get(f"/e/{SLUG}/m/{meetup_id}/edit")
    assert (await starter.post(f"/e/{SLUG}/m/{meetup_id}/end", {})).status == 303
    # It had not started: ending it takes it off the board.
    assert (await board(client))["meetups"] == []


@pytest_twisted.ensureDeferred
async def test_a_hidden_meetup_leaves_the_board_page(client: Client, server: RunningServer) -> None:
    meetup = (await client.post(f"{API}/meetups", {"title": "Spammy", "place": "cafe"})).json
    meetup_id = meetup["meetup"]["id"]
    assert "Spammy" in _text((await client.get(f"/e/{SLUG}/")).body)
    desk = await signed_in(client)
    assert await act(desk, "meetups", {"hide": meetup_id}) == 303
    assert "Spammy" not in _text((await client.get(f"/e/{SLUG}/")).body)
    assert "Spammy" not in _text((await client.get(f"/e/{SLUG}/kiosk")).body)
    assert "Spammy (hidden)" in _text((await desk.get(DESK)).body)
    # The desk's "Edit" opens the meetup's own page for facilitators too.
    assert (await desk.get(f"/e/{SLUG}/m/{meetup_id}/edit")).status == 200


@pytest_twisted.ensureDeferred
async def test_the_log_says_who_acted_alike_from_the_page_and_the_api(client: Client) -> None:
    await client.propose(room="r1", title="From the API", host="Api Host")
    host = Browser(client)
    await host.get(f"/e/{SLUG}/propose")
    fields = {
        "title": "From the page",
        "description": "",
        "host": "Page Host",
        "tags": "",
        "cell": f"r2/{slot_id(12)}",
    }
    assert (await host.post(f"/e/{SLUG}/propose", fields)).status == 303
    desk = await signed_in(client)
    page = _text((await desk.get(DESK)).body)
    rows = re.findall(r"<tr[^>]*><td>#\d+</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", page)
    assert (
        "host (Page Host)",
        "proposed “From the page” (Page Host) in Room Two at Wed 12:00",
    ) in rows
    assert (
        "host (Api Host)",
        "proposed “From the API” (Api Host) in Room One at Wed 12:00",
    ) in rows


@pytest_twisted.ensureDeferred
async def test_capacity_badges_and_moving_a_full_session(
    client: Client, server: RunningServer
) -> None:
    # In the next slot: the door screen shows it.
    made = (await client.propose(room="r3", hour=12, title="Popular")).json
    session_id, key = made["session"]["id"], made["edit_token"]
    await _going(client, session_id, 8)
    page = _text((await client.get(f"/e/{SLUG}/s/{session_id}")).body)
    assert '<span class="fill" data-fill="filling">Filling up</span>' in page
    await _going(client, session_id, 4, prefix="more")
    board_page = _text((await client.get(f"/e/{SLUG}/")).body)
    assert '<span class="fill" data-fill="full">Full</span>' in board_page
    door = _text((await client.get(f"/e/{SLUG}/kiosk?room=r3")).body)
    assert '<span class="fill" data-fill="full">Full</span>' in door
    host = Browser(client)
    await host.get(f"/e/{SLUG}/s/{session_id}/edit?key={key}")
    edit = _text((await host.get(f"/e/{SLUG}/s/{session_id}/edit")).body)
    assert "Move to Room Two (20 seats)" in edit
    form = re.search(
        r'<form method="post" action="[^"]+/edit" class="notice">(.*?)</form>', edit, re.S
    )
    assert form is not None
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    values = {k: html.unescape(v) for k, v in values.items()}
    # Someone takes Room Two first: the move is refused with the reason, nothing lost.
    await client.propose(room="r2", hour=12)
    refused = await host.post(f"/e/{SLUG}/s/{session_id}/edit", values, csrf=None)
    assert refused.status == 409 and "already taken" in host.text()
    edit = _text((await host.get(f"/e/{SLUG}/s/{session_id}/edit")).body)
    assert "Move to Room One (30 seats)" in edit
    desk = await signed_in(client)
    page = _text((await desk.get(DESK)).body)
    assert "Move to Room One (30 seats)" in page
    await desk.post(f"{DESK}/sessions", {"move": f"{session_id}/r1"})
    moved = next(s for s in (await board(client))["sessions"] if s["id"] == session_id)  # type: ignore[union-attr,index]
    assert (moved["room"], moved["fill"]) == ("r1", "roomy")


@pytest_twisted.ensureDeferred
async def test_placement_and_settings_from_the_desk(client: Client) -> None:
    crowded = (await client.propose(room="r3", hour=16, title="Crowded")).json["session"]["id"]
    await client.propose(room="r4", hour=16, title="Quiet")
    await _going(client, crowded, 25)
    desk = await signed_in(client)
    page = _text((await desk.get(f"{DESK}?placement={slot_id(16)}")).body)
    assert "Seated: 10 of 25 people going now, 25 after these moves." in page
    assert "“Crowded” (25 going): Room Three (10 seats) → " in page
    assert "seated 10 → 25" in page
    before = (await board(client))["seq"]
    moves = re.findall(r'type="hidden" name="move" value="([^"]+)"', page)
    applied = await desk.post(f"{DESK}/placement", {"move": moves})
    assert applied.status == 303, re.findall(r'role="alert">([^<]*)', desk.text())
    after = await board(client)
    assert after["seq"] == before + 1  # type: ignore[operator]
    room = next(s["room"] for s in after["sessions"] if s["id"] == crowded)  # type: ignore[union-attr,index]
    assert room != "r3"
    await desk.get(DESK)
    saved = await desk.post(f"{DESK}/moderation", {"auto_hide": "2", "freeze_minutes": "30"})
    assert saved.status == 303
    settings = _text((await desk.get(DESK)).body)
    assert 'id="auto_hide" name="auto_hide" value="2"' in settings or 'value="2"' in settings
    bad = await desk.post(f"{DESK}/moderation", {"auto_hide": "many", "freeze_minutes": "5"})
    assert bad.status == 422
