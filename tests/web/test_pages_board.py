"""
The attendee pages over real HTTP: event list, board, session page, assets, headers.
"""

from __future__ import annotations

import gzip
import re

import pytest_twisted

from openspace.commands import SYSTEM, StartMeetup
from tests.support import SLUG, Client, RunningServer, slot_id, utc
from tests.web.browsing import Browser, raw_get


@pytest_twisted.ensureDeferred
async def test_home_lists_events(client: Client) -> None:
    reply = await client.get("/")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert f'href="/e/{SLUG}/"' in reply.body.decode()
    assert "Test Conference" in reply.body.decode()


@pytest_twisted.ensureDeferred
async def test_board_groups_sessions_by_time(client: Client) -> None:
    await client.propose(room="r1", hour=11, title="Happening now", tags=["async"])
    await client.propose(room="r2", hour=12, title="Coming next")
    await client.propose(room="r3", hour=15, title="Later on")
    await client.propose(room="r1", hour=9, title="Already over")  # refused: slot over
    page = (await client.get(f"/e/{SLUG}/")).body.decode()
    now_at = page.index("Now")
    assert now_at < page.index("Happening now") < page.index("Next") < page.index("Coming next")
    assert page.index("Coming next") < page.index("Later on")
    assert "#async" in page
    assert "0 going · 30 seats" in page
    assert 'data-session-id="s' in page and f'data-slot="{slot_id(11)}"' in page
    assert re.search(r'data-seq="\d+"', page)
    # Past slots are folded into a <details>, free rooms can be claimed in one tap.
    assert "<details" in page and "Earlier (0 sessions)" in page
    assert f"/e/{SLUG}/propose?room=r2&amp;slot={slot_id(11)}" in page


@pytest_twisted.ensureDeferred
async def test_board_shows_hallway_meetups_running_now(
    server: RunningServer, client: Client
) -> None:
    assert server.service.store is not None
    await server.service.store.execute(
        SLUG, StartMeetup("Packaging chat", "cafe", minutes=30), SYSTEM, utc(11, 30)
    )
    page = (await client.get(f"/e/{SLUG}/")).body.decode()
    assert "Happening in the hallway now" in page
    assert page.index("Happening in the hallway now") < page.index("Packaging chat")
    assert "Café, until 12:00" in page


@pytest_twisted.ensureDeferred
async def test_session_page_has_everything_and_a_way_back(client: Client) -> None:
    made = await client.propose(
        room="r2", hour=12, title="Typing", description="Line one\nLine two", tags=["types"]
    )
    session = made.json["session"]
    page = (await client.get(f"/e/{SLUG}/s/{session['id']}")).body.decode()
    for text in (
        "Typing",
        "Line one\nLine two",
        "Room Two",
        "Level 1",
        "Ann Host",
        "#types",
        "12:00–13:00",
        "20 seats",
    ):
        assert text in page
    assert f'href="/e/{SLUG}/"' in page
    assert "Edit this session" not in page
    assert (await client.get(f"/e/{SLUG}/s/nope")).status == 404


@pytest_twisted.ensureDeferred
async def test_unknown_event_is_a_404_page(client: Client) -> None:
    reply = await client.get("/e/nope/")
    assert reply.status == 404
    assert "There is no event" in reply.body.decode()


@pytest_twisted.ensureDeferred
async def test_pages_carry_security_headers(client: Client) -> None:
    for path in ("/", f"/e/{SLUG}/", f"/e/{SLUG}/propose", f"/e/{SLUG}/meetup"):
        headers = (await client.get(path)).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


@pytest_twisted.ensureDeferred
async def test_assets_are_fingerprinted_gzipped_and_cached(client: Client) -> None:
    page = (await client.get(f"/e/{SLUG}/")).body.decode()
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    for url in urls:
        assert re.fullmatch(r"/static/[a-z]+\.[0-9a-f]{10}\.(css|js|svg|ico)", url)
        plain = await raw_get(client, url, {})
        packed = await raw_get(client, url, {"Accept-Encoding": "gzip"})
        assert plain.status == packed.status == 200
        assert "immutable" in plain.headers["cache-control"]
        assert "max-age=31536000" in plain.headers["cache-control"]
        assert packed.headers["content-encoding"] == "gzip"
        assert gzip.decompress(packed.body) == plain.body
    assert (await client.get("/static/board.0000000000.js")).status == 404


@pytest_twisted.ensureDeferred
async def test_board_page_is_gzipped_when_asked(client: Client) -> None:
    reply = await raw_get(client, f"/e/{SLUG}/", {"Accept-Encoding": "gzip, deflate"})
    assert reply.headers["content-encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(reply.body)


@pytest_twisted.ensureDeferred
async def test_going_works_as_a_plain_form(client: Client) -> None:
    made = await client.propose(room="r2", hour=12)
    session_id = made.json["session"]["id"]
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/")
    # The board is shared: its form has no token, the browser says where it came from.
    joining = {"join": session_id, "back": f"/e/{SLUG}/"}
    reply = await browser.post(f"/e/{SLUG}/going", joining, csrf=None, site="same-origin")
    assert reply.status == 303
    assert reply.headers["location"] == f"/e/{SLUG}/"
    attendee = browser.cookies["os_attendee"]
    assert any("os_attendee" in c and "HttpOnly" not in c for c in browser.set_cookies)
    page = (await browser.get(f"/e/{SLUG}/")).body.decode()
    assert "1 going · 20 seats" in page and "✓ Going" not in page
    assert (await browser.get(f"/e/{SLUG}/me")).json == {"going": [session_id], "own": []}
    assert "✓ Going" in (await browser.get(f"/e/{SLUG}/s/{session_id}")).body.decode()
    # The same id through the API (what the script does) leaves the count alone.
    again = await client.post(
        f"/api/events/{SLUG}/sessions/{session_id}/going", {"attendee": attendee}
    )
    assert again.json["going"] == 1
    await browser.post(f"/e/{SLUG}/going", {"leave": session_id, "back": "https://evil.example/"})
    assert browser.last is not None and browser.last.status == 303
    assert browser.last is not None and browser.last.headers["location"] == f"/e/{SLUG}/"
    assert "0 going · 20 seats" in (await browser.get(f"/e/{SLUG}/")).body.decode()
