"""
Without JavaScript (disabled in Chromium) every form still works: "I'm going" from the
shared board, proposing, editing one's own session, the facilitator's desk.  And a form
posted from another site is refused with nothing changed, whatever its fields.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
import pytest_twisted

from tests.browser.conftest import BrowserThread, new_context
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def board_json(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/events/{SLUG}/board", timeout=10) as response:
        board: dict[str, Any] = json.load(response)
    return board


def without_javascript(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    # Propose, from the shared board's link.
    page.goto(f"{base}/e/{SLUG}/")
    page.get_by_role("link", name="Propose a session").click()
    page.get_by_label("Title").fill("Plain forms")
    page.get_by_label("Your name").fill("Nora")
    page.locator(f'input[name=cell][value="r2/{slot_id(13)}"]').check()
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Your session is on the board").wait_for()
    # Edit it: the session page, rendered for this browser, has the link.
    page.get_by_role("link", name="Edit this session").click()
    page.get_by_label("Title").fill("Plain forms, edited")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Plain forms, edited").wait_for()
    # Going, from the shared board: its form has no token; the browser says same-origin.
    page.goto(f"{base}/e/{SLUG}/")
    card = page.locator("[data-session-id]", has_text="Plain forms, edited")
    card.get_by_role("button", name="I’m going").click()
    page.wait_for_url(f"{base}/e/{SLUG}/")
    card = page.locator("[data-session-id]", has_text="Plain forms, edited")
    assert "1 going · 20 seats" in card.inner_text()
    # The session page shows this browser's own state, with the undo.
    card.get_by_role("link", name="Plain forms, edited").click()
    page.get_by_role("button", name="✓ Going — undo").click()
    page.get_by_role("button", name="I’m going").wait_for()
    assert "0 going" in page.locator(".detail .count").inner_text()
    # The facilitator's desk.
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Block Room Two at 12:00–13:00").click()
    page.get_by_role("button", name="Unblock Room Two at 12:00–13:00").wait_for()
    context.close()


@pytest_twisted.ensureDeferred
async def test_forms_work_without_javascript(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await browser.run(without_javascript, server.url)
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert [s["title"] for s in board["sessions"]] == ["Plain forms, edited"]
    assert {"room": "r2", "slot": slot_id(12)} in board["blocked"]


EVIL = "http://evil.example/"


def cross_site_post(browser: Any, base: str, session_id: str) -> int:
    """
    A page of another site posts the going form and the propose form to ours.
    """
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")  # our cookies exist in this browser
    forms = f"""<!DOCTYPE html><title>win a prize</title>
    <form method="post" action="{base}/e/{SLUG}/going">
      <input type="hidden" name="back" value="/e/{SLUG}/">
      <button name="join" value="{session_id}">Going</button>
    </form>
    <form method="post" action="{base}/e/{SLUG}/propose">
      <input name="title" value="Spam"><input name="host" value="Spammer">
      <input name="cell" value="r3/{slot_id(14)}">
      <button>Propose</button>
    </form>"""
    context.route(EVIL, lambda route: route.fulfill(content_type="text/html", body=forms))
    statuses = []
    for name in ("Going", "Propose"):
        page.goto(EVIL)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name=name).click()
        statuses.append(answer.value.status)
    context.close()
    assert statuses == [403, 403]
    return len(statuses)


@pytest_twisted.ensureDeferred
async def test_a_cross_site_form_post_is_refused_and_changes_nothing(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    session_id = (await client.propose(title="Target")).json["session"]["id"]
    before = (await client.get(f"/api/events/{SLUG}/board")).json
    assert await browser.run(cross_site_post, server.url, session_id) == 2
    after = (await client.get(f"/api/events/{SLUG}/board")).json
    assert after == before


def desk_without_javascript(browser: Any, base: str) -> list[str]:
    """
    The desk's live region holds no form of its own: its buttons and hidden fields
    submit the forms outside it (with the CSRF token) through their C{form} attribute.
    """
    rooms = []
    context = new_context(browser, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/e/{SLUG}/desk?placement={slot_id(14)}")
    page.get_by_role("button", name="Apply this move").click()
    page.wait_for_url(f"{base}/e/{SLUG}/desk")
    rooms.append(board_json(base)["sessions"][0]["room"])
    # From the view with attendees' going, an undo comes back to that view.
    page.goto(f"{base}/e/{SLUG}/desk?going=1")
    # The newest change first: the placement.
    row = page.locator("#undo-title ~ .table-scroll tbody tr").first
    row.locator("button[name=only]").click()
    page.wait_for_url(f"{base}/e/{SLUG}/desk?going=1")
    rooms.append(board_json(base)["sessions"][0]["room"])
    context.close()
    return rooms


@pytest_twisted.ensureDeferred
async def test_desk_placement_and_undo_without_javascript(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    made = (await client.propose(room="r3", hour=14, title="Crowded")).json["session"]
    for n in range(12):
        body = {"attendee": f"crowd-{n:04d}"}
        await client.post(f"/api/events/{SLUG}/sessions/{made['id']}/going", body)
    # Room Three seats 10: moved to a bigger free room by the plan, then back by the undo.
    assert await browser.run(desk_without_javascript, server.url) == ["r1", "r3"]
