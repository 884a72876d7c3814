"""
"My open spaces" in real Chromium: stars stay in localStorage until a visitor asks for
a private calendar, then go with the request and follow every later star.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
import pytest_twisted
from icalendar import Calendar

from tests.browser.conftest import BrowserThread, axe_violations, new_context, screenshot
from tests.support import SLUG, Client, RunningServer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def feed_titles(url: str) -> set[str]:
    """
    The summaries of a calendar, read from the browser thread (the reactor serves it).
    """
    with urllib.request.urlopen(url, timeout=10) as response:
        calendar = Calendar.from_ical(response.read())
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def star(page: Any, title: str) -> None:
    card = page.locator("[data-session-id]", has_text=title)
    card.get_by_role("button", name="☆ Star").click()
    card.get_by_role("button", name="★ Starred").wait_for()


def subscriber(browser: Any, base: str, axe_source: str) -> dict[str, list[str]]:
    context = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    synced: list[str] = []
    page.on(
        "request",
        lambda request: (
            synced.append(request.method) if request.url.endswith("/calendar/stars") else None
        ),
    )
    page.goto(f"{base}/e/{SLUG}/")
    star(page, "Async all the things")
    star(page, "Typing legacy code")
    assert synced == [], "stars left the phone before a private calendar was asked for"

    page.get_by_role("link", name="Subscribe in your calendar").click()
    page.get_by_role("heading", name="Subscribe in your calendar").wait_for()
    assert page.locator('a[href$="/board.ics"][href^="webcal://"]').count() == 1
    found = {"calendar": axe_violations(page, axe_source)}
    screenshot(page, "calendar-phone")
    page.get_by_role("button", name="Make my private link").click()
    page.get_by_role("heading", name="Your private calendar link").wait_for()
    found["private calendar"] = axe_violations(page, axe_source)
    url = page.locator("#my-feed").input_value()
    assert "/my.ics?token=" in url
    assert page.locator(f'a[href="webcal://{url.split("://", 1)[1]}"]').count() == 1
    assert page.locator("img.qr").count() == 1
    screenshot(page, "private-calendar-phone")
    assert feed_titles(url) == {"Async all the things", "Typing legacy code"}

    page.goto(f"{base}/e/{SLUG}/")
    with page.expect_response(lambda r: r.url.endswith("/calendar/stars")) as answer:
        star(page, "Packaging horror stories")
    assert answer.value.status == 204
    assert feed_titles(url) == {
        "Async all the things",
        "Typing legacy code",
        "Packaging horror stories",
    }
    context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_stars_follow_into_a_private_calendar_once_asked(
    server: RunningServer, client: Client, browser: BrowserThread, axe_source: str
) -> None:
    await client.propose(room="r1", hour=12, title="Async all the things")
    await client.propose(room="r2", hour=12, title="Typing legacy code")
    await client.propose(room="r1", hour=13, title="Packaging horror stories")
    await client.propose(room="r3", hour=14, title="Not starred")
    found = await browser.run(subscriber, server.url, axe_source)
    assert {page: v for page, v in found.items() if v} == {}
