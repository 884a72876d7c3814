"""
The facilitator's desk and capacity states in real Chromium: the desk, full of what
a real event puts on it (full sessions, reports, meetups, going traffic, a placement
suggestion), has no axe-core violation of any severity at 1280 px and on a 390 px
phone, where only its tables scroll sideways; "undo back to here" works past the going
traffic; and a session's capacity badge changes live as people say they are going.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_twisted

from tests.browser.conftest import BrowserThread, axe_violations, new_context, screenshot
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id

pytestmark = pytest.mark.browser

API = f"/api/events/{SLUG}"


async def _going(client: Client, session_id: str, count: int, prefix: str) -> None:
    for n in range(count):
        await client.post(f"{API}/sessions/{session_id}/going", {"attendee": f"{prefix}-{n:04d}"})


async def busy_event(client: Client, server: RunningServer) -> None:
    """
    A desk with something in every section.
    """
    full = (await client.propose(room="r3", hour=13, title="Crowded room")).json["session"]
    await client.propose(room="r1", hour=13, title="Quiet room")
    spam = (await client.propose(room="r2", hour=14, title="Cheap watches")).json["session"]
    await _going(client, full["id"], 14, "going")
    for n in range(3):
        body = {"item": spam["id"], "attendee": f"reporter-{n}", "reason": f"spam {n}"}
        await client.post(f"{API}/reports", body)
    await client.post(f"{API}/meetups", {"title": "Rust chat", "place": "cafe"})
    await client.post(f"{API}/blocked", {"slot": slot_id(17)}, token=server.token)


def sign_in(context: Any, base: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
    return page


def audit_desk(browser: Any, base: str, axe_source: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, width, height in (("desk-1280", 1280, 900), ("desk-phone", 390, 844)):
        context = new_context(browser, viewport={"width": width, "height": height})
        page = sign_in(context, base)
        found[name] = axe_violations(page, axe_source)
        found[f"{name} overflow"] = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        screenshot(page, name)
        page.goto(f"{base}/e/{SLUG}/desk?placement={slot_id(13)}")
        page.get_by_role("button", name="Apply this move").wait_for()
        found[f"{name} placement"] = axe_violations(page, axe_source)
        page.goto(f"{base}/e/{SLUG}/desk?going=1")
        found[f"{name} with going"] = axe_violations(page, axe_source)
        context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_the_desk_has_no_axe_violations_at_1280_px_or_on_a_phone(
    server: RunningServer, client: Client, browser: BrowserThread, axe_source: str
) -> None:
    await busy_event(client, server)
    found = await browser.run(audit_desk, server.url, axe_source)
    assert found["desk-1280 overflow"] <= 0
    assert found["desk-phone overflow"] <= 0, "the desk scrolls sideways on a phone"
    assert {k: v for k, v in found.items() if "overflow" not in k and v} == {}


def undo_past_going(browser: Any, base: str) -> str:
    context = new_context(browser, viewport={"width": 390, "height": 844})
    page = sign_in(context, base)
    row = page.locator("tr", has_text="blocked a whole slot").first
    row.get_by_role("button", name="Undo back to here").click()
    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
    text: str = page.locator("#undo-title").locator("..").inner_text()
    context.close()
    return text


@pytest_twisted.ensureDeferred
async def test_undo_back_to_here_on_a_phone_past_a_flood_of_going(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    session = (await client.propose(title="Packaging")).json["session"]
    seq = (await client.get(f"{API}/board")).json["seq"]
    await client.post(f"{API}/blocked", {"slot": slot_id(16)}, token=server.token)
    await _going(client, session["id"], 60, "flood")
    text = await browser.run(undo_past_going, server.url)
    board = (await client.get(f"{API}/board")).json
    assert not any(cell["slot"] == slot_id(16) for cell in board["blocked"])
    assert f"undid #{seq + 1}" in text
    assert board["seq"] == seq + 62


def watch_badge(browser: Any, base: str, session_id: str, ready: Any) -> str:
    context = new_context(browser, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    badge = page.locator(f'.card[data-session-id="{session_id}"] .fill')
    page.wait_for_function("() => window.openspace && openspace.live && openspace.live.state")
    page.wait_for_function(
        "() => document.querySelector('.live-status') && "
        "/live/i.test(document.querySelector('.live-status').textContent)"
    )
    before = badge.inner_text()
    ready()
    page.wait_for_function(
        f"() => document.querySelector('.card[data-session-id=\"{session_id}\"] .fill')"
        ".textContent === 'Full'"
    )
    after = badge.inner_text()
    context.close()
    return f"{before}->{after}"


@pytest_twisted.ensureDeferred
async def test_the_capacity_badge_changes_live(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    session_id = (await client.propose(room="r3", hour=12, title="Soon full")).json["session"]["id"]
    watching: Deferred[None] = Deferred()

    def ready() -> None:
        reactor.callFromThread(watching.callback, None)  # type: ignore[attr-defined]

    seen = browser.run(watch_badge, server.url, session_id, ready)
    await watching
    await _going(client, session_id, 10, "live")
    assert await seen == "Roomy->Full"
