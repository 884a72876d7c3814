"""
The host's flow through plain HTML forms: propose, the private edit link, edit, move,
swap, cancel; errors in plain words with the typed text kept; 403 for everyone else.
"""

from __future__ import annotations

import html
import re

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id, utc
from tests.web.browsing import Browser

EDIT_LINK = re.compile(r'class="edit-link"[^>]*href="([^"]+)"')


def proposal(title: str = "Packaging Q&A", hour: int = 12, room: str = "r1") -> dict[str, str]:
    return {
        "title": title,
        "description": "Bring <your> questions",
        "host": "Ann Host",
        "tags": "packaging, beginners",
        "cell": f"{room}/{slot_id(hour)}",
    }


async def propose(browser: Browser, **fields: str) -> tuple[str, str]:
    """
    Propose through the form and follow its redirect; the new session's id and its
    private edit link.
    """
    await browser.get(f"/e/{SLUG}/propose")
    reply = await browser.post(f"/e/{SLUG}/propose", {**proposal(), **fields})
    assert reply.status == 303, browser.text()
    assert re.fullmatch(rf"/e/{SLUG}/s/s\d+/proposed", reply.headers["location"])
    edit_cookie = next(c for c in browser.set_cookies if c.startswith("os_edit="))
    assert (await browser.get(reply.headers["location"])).status == 200
    browser.set_cookies.insert(0, edit_cookie)
    found = EDIT_LINK.search(browser.text())
    assert found is not None
    link = html.unescape(found.group(1))
    session_id = re.search(r"/s/(s\d+)/edit", link)
    assert session_id is not None
    return session_id.group(1), link


async def board_sessions(client: Client) -> dict[str, dict[str, object]]:
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    return {s["id"]: s for s in board["sessions"]}


@pytest_twisted.ensureDeferred
async def test_propose_form_offers_only_free_cells_and_presets(client: Client) -> None:
    await client.propose(room="r2", hour=12, title="Taken")
    browser = Browser(client)
    page = (await browser.get(f"/e/{SLUG}/propose?room=r3&slot={slot_id(14)}")).body.decode()
    cells = re.findall(r'name="cell" value="([^"]+)"', page)
    assert f"r1/{slot_id(12)}" in cells
    assert f"r2/{slot_id(12)}" not in cells  # taken
    assert f"r4/{slot_id(17)}" not in cells  # blocked
    assert f"r1/{slot_id(10)}" not in cells  # over
    assert not any(c.startswith("cafe/") for c in cells)  # a hallway spot
    assert re.search(rf'value="r3/{slot_id(14)}"[^>]*checked', page)
    assert "30 seats" in page
    for label in ("Title", "Description (optional)", "Your name", "Tags (optional)"):
        assert f">{label}</label>" in page


@pytest_twisted.ensureDeferred
async def test_host_gets_an_edit_link_once_and_a_cookie(client: Client) -> None:
    browser = Browser(client)
    session_id, link = await propose(browser)
    assert link.startswith(client.base + f"/e/{SLUG}/s/{session_id}/edit?key=")
    assert browser.last is not None
    assert browser.last.headers["cache-control"] == "no-store"
    edit_cookie = next(c for c in browser.set_cookies if c.startswith("os_edit="))
    assert "HttpOnly" in edit_cookie and "SameSite=lax" in edit_cookie
    assert f"Path=/e/{SLUG}/" in edit_cookie
    # The same browser sees the edit link on the session page, nobody else does.
    page = (await browser.get(f"/e/{SLUG}/s/{session_id}")).body.decode()
    assert "Edit this session" in page and "key=" not in page
    other = Browser(client)
    assert "Edit this session" not in (await other.get(f"/e/{SLUG}/s/{session_id}")).body.decode()


@pytest_twisted.ensureDeferred
async def test_edit_link_works_in_another_browser_and_leaves_the_address_bar(
    client: Client,
) -> None:
    session_id, link = await propose(Browser(client))
    laptop = Browser(client)
    reply = await laptop.get(link.removeprefix(client.base))
    assert reply.status == 303
    assert reply.headers["location"] == f"/e/{SLUG}/s/{session_id}/edit"
    assert "os_edit" in laptop.cookies
    assert (await laptop.get(f"/e/{SLUG}/s/{session_id}/edit")).status == 200
    assert 'value="Packaging Q&amp;A"' in laptop.text()


@pytest_twisted.ensureDeferred
async def test_host_edits_moves_swaps_and_cancels(client: Client) -> None:
    phone = Browser(client)
    first, _ = await propose(phone, title="First", cell=f"r1/{slot_id(12)}")
    second, _ = await propose(phone, title="Second", cell=f"r2/{slot_id(13)}")
    await phone.get(f"/e/{SLUG}/s/{first}/edit")
    assert "Swap with another of your sessions" in phone.text()
    edited = {**proposal("First, renamed"), "cell": f"r3/{slot_id(15)}"}
    reply = await phone.post(f"/e/{SLUG}/s/{first}/edit", edited)
    assert reply.status == 303, phone.text()
    sessions = await board_sessions(client)
    assert sessions[first]["title"] == "First, renamed"
    assert (sessions[first]["room"], sessions[first]["slot"]) == ("r3", slot_id(15))

    await phone.get(f"/e/{SLUG}/s/{first}/edit")
    assert (await phone.post(f"/e/{SLUG}/s/{first}/swap", {"other": second})).status == 303
    sessions = await board_sessions(client)
    assert (sessions[first]["room"], sessions[second]["room"]) == ("r2", "r3")

    await phone.get(f"/e/{SLUG}/s/{first}/edit")
    reply = await phone.post(f"/e/{SLUG}/s/{first}/cancel", {"confirm": "yes"})
    assert reply.status == 303 and reply.headers["location"] == f"/e/{SLUG}/"
    assert first not in await board_sessions(client)


@pytest_twisted.ensureDeferred
async def test_without_the_key_host_routes_are_403_and_change_nothing(client: Client) -> None:
    session_id, _ = await propose(Browser(client))
    stranger = Browser(client)
    await stranger.get(f"/e/{SLUG}/")
    assert (await stranger.get(f"/e/{SLUG}/s/{session_id}/edit")).status == 403
    assert (await stranger.get(f"/e/{SLUG}/s/{session_id}/edit?key=guess")).status == 403
    await stranger.get(f"/e/{SLUG}/propose")
    token = stranger.csrf()
    base = f"/e/{SLUG}/s/{session_id}"
    for path, fields in (
        (f"{base}/edit", proposal("Hijacked")),
        (f"{base}/swap", {"other": session_id}),
        (f"{base}/cancel", {}),
    ):
        reply = await stranger.post(path, fields, csrf=token)
        assert reply.status == 403, path
        assert "private edit link" in stranger.text()
    assert (await board_sessions(client))[session_id]["title"] == "Packaging Q&A"


@pytest_twisted.ensureDeferred
async def test_errors_are_shown_next_to_fields_and_typed_text_is_kept(client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    too_long = {**proposal("x" * 130), "description": "Keep <me>"}
    reply = await browser.post(f"/e/{SLUG}/propose", too_long)
    assert reply.status == 422
    page = browser.text()
    assert re.search(
        r'<p class="error" id="title-error">The title can be up to 120 characters; this is 130',
        page,
    )
    assert 'aria-describedby="title-error"' in page
    assert "Keep &lt;me&gt;</textarea>" in page and 'value="Ann Host"' in page
    assert f'value="r1/{slot_id(12)}" required="" checked=""' in page

    # The cell was taken meanwhile: say so at the picker, keep the text.
    await client.propose(room="r2", hour=13, title="Quicker")
    reply = await browser.post(f"/e/{SLUG}/propose", proposal("Mine", 13, "r2"))
    assert reply.status == 409
    assert re.search(
        r'id="cell-error">Room Two is already taken at that time by “Quicker”', browser.text()
    )
    assert 'value="Mine"' in browser.text()

    # No cell picked at all.
    reply = await browser.post(f"/e/{SLUG}/propose", {**proposal(), "cell": ""})
    assert reply.status == 422 and "Pick a room and time." in browser.text()


@pytest_twisted.ensureDeferred
async def test_slot_over_meanwhile_is_explained(server: RunningServer, client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    server.set_now(utc(12, 5))
    reply = await browser.post(f"/e/{SLUG}/propose", proposal(hour=11))
    assert reply.status == 409
    assert 'id="cell-error">That time slot is already over.' in browser.text()


@pytest_twisted.ensureDeferred
async def test_meetup_form_starts_a_meetup_shown_on_the_board(client: Client) -> None:
    browser = Browser(client)
    board = (await browser.get(f"/e/{SLUG}/")).body.decode()
    assert f'href="/e/{SLUG}/meetup"' in board
    await browser.get(f"/e/{SLUG}/meetup")
    assert '<option value="cafe" selected="">Café</option>' in browser.text()
    reply = await browser.post(
        f"/e/{SLUG}/meetup",
        {"title": "", "spot": "cafe", "place": "", "minutes": "30", "when": "now"},
    )
    assert reply.status == 422 and 'id="title-error"' in browser.text()
    reply = await browser.post(
        f"/e/{SLUG}/meetup",
        {"title": "Sprint chat", "spot": "cafe", "place": "", "minutes": "45", "when": "now"},
    )
    assert reply.status == 303
    page = (await browser.get(f"/e/{SLUG}/")).body.decode()
    assert "Sprint chat" in page and "Café, until 12:15" in page
    # From the shared board page (no token in it), as a current browser sends it.
    await browser.post(
        f"/e/{SLUG}/meetup",
        {"title": "Plant talk", "spot": "", "place": "by the big plant", "minutes": "15"},
        csrf=None,
        site="same-origin",
    )
    assert "by the big plant" in (await browser.get(f"/e/{SLUG}/")).body.decode()
