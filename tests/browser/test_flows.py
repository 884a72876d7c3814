"""
The people's flows in real Chromium: a newcomer on a phone, a host, a stranger, a
facilitator, and a kiosk that updates itself.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
import pytest_twisted

from openspace.commands import SYSTEM, StartMeetup
from tests.browser.conftest import BrowserThread, new_context, screenshot
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id, utc

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TV = {"width": 1920, "height": 1080}


def api_post(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """
    A JSON API call from the browser thread (the reactor serves it meanwhile).
    """
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


async def seed(server: RunningServer, client: Client) -> None:
    await client.propose(room="r1", hour=11, title="Async all the things", tags=["async"])
    await client.propose(room="r2", hour=11, title="Typing legacy code", host="Chen Wei")
    await client.propose(room="r1", hour=12, title="Packaging horror stories")
    await client.propose(room="r3", hour=14, title="Mentored sprint prep")
    assert server.service.store is not None
    await server.service.store.execute(
        SLUG, StartMeetup("Coffee and mypy", "cafe", minutes=45), SYSTEM, utc(11, 30)
    )


def newcomer(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    assert page.locator("h2", has_text="Happening in the hallway now").is_visible()
    assert page.get_by_text("Coffee and mypy").is_visible()
    now = page.locator("section.slot", has=page.locator(".label", has_text="Now"))
    assert now.get_by_role("link", name="Async all the things").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "board-phone")

    card = page.locator("[data-session-id]", has_text="Async all the things")
    card.get_by_role("button", name="I’m going").click()
    card = page.locator("[data-session-id]", has_text="Async all the things")
    card.get_by_role("button", name="✓ Going — undo").wait_for()
    # The count comes with the live event, rendered in place.
    card.locator(".count", has_text="1 going · 30 seats").wait_for()

    card.get_by_role("button", name="☆ Star").click()
    page.get_by_label("Show only my starred sessions").check()
    assert page.locator(".card:visible").count() == 1
    page.reload()
    assert page.get_by_label("Show only my starred sessions").is_checked()
    assert page.locator(".card:visible").count() == 1
    page.get_by_label("Show only my starred sessions").uncheck()
    assert page.locator(".card:visible").count() == 4

    page.get_by_role("link", name="Typing legacy code").click()
    page.get_by_role("heading", name="Typing legacy code").wait_for()
    assert page.get_by_text("Chen Wei").is_visible()
    screenshot(page, "session-phone")
    page.get_by_role("link", name="← Back to the board").click()
    page.wait_for_url(f"{base}/e/{SLUG}/")
    context.close()


@pytest_twisted.ensureDeferred
async def test_newcomer_opens_the_board_on_a_phone(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await seed(server, client)
    await browser.run(newcomer, server.url)


def host_flow(browser: Any, base: str) -> None:
    phone = new_context(browser, viewport=PHONE)
    page = phone.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    page.get_by_role("link", name="Propose a session").click()
    page.get_by_label("Title").fill("Testing against real databases")
    page.get_by_label("Your name").fill("Émile Laurent")
    page.get_by_label("Tags (optional)").fill("testing, postgres")
    screenshot(page, "propose-phone")
    page.locator(f'input[name=cell][value="r2/{slot_id(13)}"]').check()
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Your session is on the board").wait_for()
    link = page.locator("a.edit-link").inner_text()
    assert "/edit?key=" in link
    screenshot(page, "proposed-phone")

    page.get_by_role("link", name="Edit this session").click()
    page.locator(f'input[name=cell][value="r3/{slot_id(15)}"]').check()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Testing against real databases").wait_for()
    assert "Room Three" in page.locator("dl").inner_text()
    assert "15:00–16:00" in page.locator("dl").inner_text()

    # Another browser without the link sees no controls and cannot edit.
    stranger = new_context(browser, viewport=PHONE)
    other = stranger.new_page()
    other.goto(page.url)
    assert other.get_by_role("link", name="Edit this session").count() == 0
    response = other.goto(page.url + "/edit")
    assert response is not None and response.status == 403
    screenshot(other, "forbidden-phone")
    stranger.close()

    page.get_by_role("link", name="Edit this session").click()
    page.get_by_role("button", name="Cancel the session").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    page.wait_for_url(f"{base}/e/{SLUG}/")
    assert page.get_by_text("Testing against real databases").count() == 0
    phone.close()


@pytest_twisted.ensureDeferred
async def test_host_proposes_moves_and_cancels(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(host_flow, server.url)


def facilitator(browser: Any, base: str) -> None:
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
    page.get_by_role("button", name="Block Room Two at 12:00–13:00").click()
    page.get_by_role("button", name="Unblock Room Two at 12:00–13:00").wait_for()
    assert page.get_by_text("blocked Room Two at Wed 12:00").is_visible()
    screenshot(page, "desk")
    page.get_by_role("button", name=re.compile(r"Undo back to here\W+#\d+")).first.click()
    page.get_by_role("button", name="Block Room Two at 12:00–13:00").wait_for()
    assert page.get_by_text("undid #").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Facilitator token").wait_for()
    context.close()


@pytest_twisted.ensureDeferred
async def test_facilitator_blocks_a_cell_and_undoes(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await seed(server, client)
    await browser.run(facilitator, server.url)


def kiosk(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=TV)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/kiosk?refresh=2")
    r1 = page.locator("[data-room=r1]")
    # Every coming slot has its line; only the one on now and the next are shown.
    assert "Async all the things" in r1.locator(".now:visible").inner_text()
    assert "Packaging horror stories" in r1.locator(".next:visible").inner_text()
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]
    screenshot(page, "kiosk")
    page.evaluate("window.__notReloaded = true")
    api_post(
        base,
        f"/api/events/{SLUG}/sessions",
        {"title": "Late addition", "host": "Gus", "room": "r4", "slot": slot_id(11)},
    )
    # Within the refresh interval (2 s) plus a margin, without a reload.
    page.locator("[data-room=r4] .now", has_text="Late addition").wait_for(timeout=6000)
    assert page.evaluate("window.__notReloaded") is True
    door = context.new_page()
    door.goto(f"{base}/e/{SLUG}/kiosk?room=r2")
    assert door.get_by_text("scan to claim").is_visible()
    screenshot(door, "door")
    context.close()


@pytest_twisted.ensureDeferred
async def test_kiosk_shows_now_and_next_and_updates_itself(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await seed(server, client)
    await browser.run(kiosk, server.url)
