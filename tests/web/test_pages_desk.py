"""
The facilitator desk over HTTP: sign in and out, hide/cancel, block/unblock, undo,
rooms and slots as TOML.
"""

from __future__ import annotations

import html
import re

import pytest_twisted

from tests.support import FACILITATOR_TOKEN, SLUG, Client, slot_id
from tests.web.browsing import Browser

DESK = f"/e/{SLUG}/desk"


async def signed_in(client: Client) -> Browser:
    browser = Browser(client)
    await browser.get(DESK)
    reply = await browser.post(f"{DESK}/signin", {"token": FACILITATOR_TOKEN})
    assert reply.status == 303
    return browser


async def board(client: Client) -> dict[str, object]:
    result: dict[str, object] = (await client.get(f"/api/events/{SLUG}/board")).json
    return result


@pytest_twisted.ensureDeferred
async def test_sign_in_sets_a_safe_cookie_and_sign_out_clears_it(client: Client) -> None:
    browser = Browser(client)
    page = (await browser.get(DESK)).body.decode()
    assert 'type="password"' in page and "Facilitator token" in page
    reply = await browser.post(f"{DESK}/signin", {"token": "not the right token at all"})
    assert reply.status == 403 and "That is not the facilitator token." in browser.text()
    assert "os_desk" not in browser.cookies
    await browser.post(f"{DESK}/signin", {"token": FACILITATOR_TOKEN})
    cookie = next(c for c in browser.set_cookies if c.startswith("os_desk="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert FACILITATOR_TOKEN not in cookie
    page = (await browser.get(DESK)).body.decode()
    assert "Recent changes" in page and "Sign out" in page
    await browser.post(f"{DESK}/signout", {})
    assert "os_desk" not in browser.cookies
    assert 'type="password"' in (await browser.get(DESK)).body.decode()


@pytest_twisted.ensureDeferred
async def test_desk_actions_need_a_signed_in_facilitator(client: Client) -> None:
    stranger = Browser(client)
    await stranger.get(DESK)
    reply = await stranger.post(f"{DESK}/cells", {"block": f"r1/{slot_id(12)}"})
    assert reply.status == 403
    assert (await board(client))["blocked"] == [{"room": "r4", "slot": slot_id(17)}]


@pytest_twisted.ensureDeferred
async def test_block_unblock_and_undo(client: Client) -> None:
    desk = await signed_in(client)
    await desk.get(DESK)
    assert (await desk.post(f"{DESK}/cells", {"block": f"r1/{slot_id(12)}"})).status == 303
    assert {"room": "r1", "slot": slot_id(12)} in (await board(client))["blocked"]  # type: ignore[operator]
    page = (await desk.get(DESK)).body.decode()
    assert "blocked Room One at Wed 12:00" in page
    seq = re.search(r'name="upto" value="(\d+)"', page)
    assert seq is not None
    assert (await desk.post(f"{DESK}/undo", {"upto": seq.group(1)})).status == 303
    assert (await board(client))["blocked"] == [{"room": "r4", "slot": slot_id(17)}]
    assert "undid #" in (await desk.get(DESK)).body.decode()
    await desk.post(f"{DESK}/cells", {"unblock": f"r4/{slot_id(17)}"})
    assert (await board(client))["blocked"] == []


@pytest_twisted.ensureDeferred
async def test_hide_show_cancel_and_move_any_session(client: Client) -> None:
    made = (await client.propose(room="r1", hour=12, title="Anyone's")).json["session"]
    desk = await signed_in(client)
    page = (await desk.get(DESK)).body.decode()
    assert "Anyone&#x27;s" in page or "Anyone's" in page
    await desk.post(f"{DESK}/sessions", {"hide": made["id"]})
    assert (await board(client))["sessions"] == []
    assert "(hidden)" in (await desk.get(DESK)).body.decode()
    await desk.post(f"{DESK}/sessions", {"show": made["id"]})
    # Facilitators move sessions on the host's own edit page.
    await desk.get(f"/e/{SLUG}/s/{made['id']}/edit")
    fields = {
        "title": "Anyone's",
        "description": "",
        "host": "Ann Host",
        "tags": "",
        "cell": f"r2/{slot_id(14)}",
    }
    assert (await desk.post(f"/e/{SLUG}/s/{made['id']}/edit", fields)).status == 303
    moved = (await board(client))["sessions"][0]  # type: ignore[index]
    assert (moved["room"], moved["slot"]) == ("r2", slot_id(14))
    await desk.get(DESK)
    await desk.post(f"{DESK}/sessions", {"cancel": made["id"]})
    assert (await board(client))["sessions"] == []


@pytest_twisted.ensureDeferred
async def test_rooms_and_slots_are_edited_as_toml(client: Client) -> None:
    desk = await signed_in(client)
    page = (await desk.get(DESK)).body.decode()
    assert 'slug = "conf"' in html.unescape(page)
    assert '"09:00-10:00"' in html.unescape(page)
    text = re.search(r'<textarea[^>]*id="layout"[^>]*>(.*?)</textarea>', page, re.S)
    assert text is not None
    layout = html.unescape(text.group(1))
    renamed = layout.replace('name = "Room One"', 'name = "The Big Room"')
    assert (await desk.post(f"{DESK}/layout", {"layout": renamed})).status == 303
    rooms = (await board(client))["rooms"]
    assert rooms[0]["name"] == "The Big Room"  # type: ignore[index]

    await desk.get(DESK)
    reply = await desk.post(f"{DESK}/layout", {"layout": renamed + "\nbroken = ["})
    assert reply.status == 422 and 'id="layout-error"' in desk.text()
    assert "broken = [" in desk.text()  # what was typed is kept

    await client.propose(room="r3", hour=12)
    await desk.get(DESK)
    without_r3 = re.sub(r'\[\[rooms\]\]\nid = "r3".*?kind = "room"\n', "", renamed, flags=re.S)
    reply = await desk.post(f"{DESK}/layout", {"layout": without_r3})
    assert reply.status == 409
    assert "would be left in a room or slot that no longer exists" in desk.text()
