"""
Forms that help, in real Chromium, with and without JavaScript: every error at once
with the focus on the summary, a reload after proposing that proposes nothing, the copy
button, the two-step cancel, the 410 page, the meetup form's defaults and "later", no
console errors, and axe-core with no violation of any severity on the form pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_twisted

from tests.browser.conftest import BrowserThread, axe_violations, new_context, screenshot
from tests.browser.test_offline import installed
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
WITH_AND_WITHOUT_JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


class Console:
    """
    Every console error and uncaught exception of a context's pages, and every
    request that failed or answered an error for something a page loaded.
    """

    def __init__(self, context: Any) -> None:
        self.problems: list[str] = []
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text} @ {page.url}")
                if message.type == "error" and "status of 4" not in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                self.problems.append(f"{response.status} {response.url}")
                if response.status >= 400 and response.request.resource_type != "document"
                else None
            ),
        )
        # A request the page itself gave up on (a navigation cut short a favicon or script
        # load) is the browser at work, not a failure of the server.
        page.on(
            "requestfailed",
            lambda request: (
                self.problems.append(f"failed {request.url}: {request.failure}")
                if request.failure != "net::ERR_ABORTED"
                else None
            ),
        )

    def close(self, context: Any) -> None:
        """
        Close C{context}, once its pages said nothing wrong.
        """
        assert self.problems == []
        context.close()


def propose_with_errors_then_fix(browser: Any, base: str, javascript: bool) -> None:
    context = new_context(browser, viewport=PHONE, java_script_enabled=javascript)
    console = Console(context)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/propose")
    page.get_by_label("Description (optional)").fill("Bring questions")
    page.get_by_label("Tags (optional)").fill("testing")
    page.get_by_role("button", name="Propose").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    # The summary comes first and has the focus, with or without JavaScript.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.get_by_role("link").all_inner_texts() == [
        "Enter a title.",
        "Enter your name.",
        "Pick a room and time.",
    ]
    assert page.get_by_label("Description (optional)").input_value() == "Bring questions"
    assert page.get_by_label("Tags (optional)").input_value() == "testing"
    screenshot(page, f"propose-errors-{'js' if javascript else 'nojs'}")
    summary.get_by_role("link", name="Enter your name.").click()
    if javascript:
        assert page.evaluate("document.activeElement.id") == "host"
    page.get_by_label("Title").fill("Fixtures that scale")
    page.get_by_label("Your name").fill("Ann")
    page.locator(f'input[name=cell][value="r2/{slot_id(13)}"]').check()
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Your session is on the board").wait_for()
    assert "/edit?key=" in page.locator("a.edit-link").inner_text()
    assert page.url.endswith("/proposed")
    # Reloading is a GET: no second proposal, no "taken by" yourself.
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.reload()
    page.get_by_role("heading", name="Your session is on the board").wait_for()
    assert page.locator("a.edit-link").count() == 0
    assert page.get_by_role("link", name="edit your session").is_visible()
    assert posts == []
    page.goto(f"{base}/api/events/{SLUG}/board")
    sessions = page.evaluate("JSON.parse(document.body.innerText).sessions")
    assert [s["title"] for s in sessions] == ["Fixtures that scale"]
    console.close(context)


@pytest_twisted.ensureDeferred
@WITH_AND_WITHOUT_JS
async def test_propose_shows_every_error_then_the_link_once(
    server: RunningServer, browser: BrowserThread, javascript: bool
) -> None:
    await browser.run(propose_with_errors_then_fix, server.url, javascript)


def proposed(page: Any, base: str, title: str, cell: str) -> str:
    """
    Propose through the form; the private edit link.
    """
    page.goto(f"{base}/e/{SLUG}/propose")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your name").fill("Ann")
    page.locator(f'input[name=cell][value="{cell}"]').check()
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Your session is on the board").wait_for()
    return str(page.locator("a.edit-link").inner_text())


def copy_link(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    console = Console(context)
    page = context.new_page()
    link = proposed(page, base, "Copy me", f"r1/{slot_id(12)}")
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    # Without the Clipboard API the link is selected, ready to copy.
    bare = context.new_page()
    bare.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    link = proposed(bare, base, "Select me", f"r1/{slot_id(13)}")
    bare.get_by_role("button", name="Copy the link").click()
    bare.get_by_text("Selected: copy it").wait_for()
    assert bare.evaluate("getSelection().toString()") == link
    screenshot(bare, "copy-fallback")
    console.close(context)


@pytest_twisted.ensureDeferred
async def test_the_edit_link_has_a_copy_button(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(copy_link, server.url)


def cancel_two_steps(browser: Any, base: str, javascript: bool) -> None:
    context = new_context(browser, viewport=PHONE, java_script_enabled=javascript)
    console = Console(context)
    page = context.new_page()
    proposed(page, base, "Maybe not", f"r3/{slot_id(14)}")
    page.get_by_role("link", name="Edit this session").click()
    page.get_by_role("button", name="Cancel the session").click()
    yes = page.get_by_role("button", name="Yes, cancel it")
    yes.wait_for()
    if javascript:
        # Asked in place; "No, keep it" closes the question and keeps the session.
        assert page.url.endswith("/edit")
        assert page.evaluate("document.activeElement.textContent") == "Yes, cancel it"
        page.get_by_role("link", name="No, keep it").click()
        assert not yes.is_visible()
        assert page.evaluate("document.activeElement.textContent") == "Cancel the session…"
        page.get_by_role("button", name="Cancel the session").click()
    else:
        assert page.url.split("?")[0].endswith("/cancel")
    screenshot(page, f"cancel-confirm-{'js' if javascript else 'nojs'}")
    yes.click()
    page.wait_for_url(f"{base}/e/{SLUG}/")
    assert page.get_by_text("Maybe not").count() == 0
    response = page.goto(f"{base}/e/{SLUG}/s/s2")
    assert response is not None and response.status == 410
    assert page.get_by_role("heading", name="This session was cancelled").is_visible()
    assert page.get_by_role("link", name="propose a session there").is_visible()
    screenshot(page, "cancelled-410")
    console.close(context)


@pytest_twisted.ensureDeferred
@WITH_AND_WITHOUT_JS
async def test_cancelling_asks_first(
    server: RunningServer, browser: BrowserThread, javascript: bool
) -> None:
    await browser.run(cancel_two_steps, server.url, javascript)


def meetup_flow(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=PHONE)
    console = Console(context)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/meetup")
    assert page.get_by_label("Where", exact=True).input_value() == "cafe"
    assert page.get_by_label("Now").is_checked()
    page.get_by_label("What is it about?").fill("Coffee and types")
    page.get_by_role("button", name="Start the meetup").click()
    page.wait_for_url(f"{base}/e/{SLUG}/")
    assert page.get_by_text("Coffee and types").is_visible()
    page.goto(f"{base}/e/{SLUG}/meetup")
    page.get_by_label("What is it about?").fill("Tea later")
    page.get_by_label("Time today", exact=True).fill("16:30")
    # Typing a time picks "At a time today".
    assert page.get_by_label("At a time today").is_checked()
    page.get_by_role("button", name="Start the meetup").click()
    page.get_by_role("heading", name="“Tea later” is planned").wait_for()
    assert page.get_by_text("Café, 16:30–17:00").is_visible()
    page.goto(f"{base}/api/events/{SLUG}/board")
    meetups = page.evaluate("JSON.parse(document.body.innerText).meetups")
    tea = next(m for m in meetups if m["title"] == "Tea later")
    assert tea["starts"].startswith("2030-05-15T16:30:00")
    console.close(context)


@pytest_twisted.ensureDeferred
async def test_meetup_form_defaults_and_later(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(meetup_flow, server.url)


def audit_forms(browser: Any, base: str, axe_source: str) -> dict[str, list[str]]:
    """
    Every form page, empty and refused, at phone and laptop sizes, light and dark.
    """
    found: dict[str, list[str]] = {}
    for size_name, size in (("phone", PHONE), ("laptop", LAPTOP)):
        for scheme in ("light", "dark"):
            context = new_context(browser, viewport=size, color_scheme=scheme)
            console = Console(context)
            page = context.new_page()
            hour = 12 if size_name == "phone" else 13
            cell = f"r{1 if scheme == 'light' else 2}/{slot_id(hour)}"
            name = f"{size_name}, {scheme}"
            found[f"proposed ({name})"] = (
                axe_violations(page, axe_source)
                if proposed(page, base, f"Audit {name}", cell)
                else ["no link"]
            )
            page.get_by_role("link", name="Edit this session").click()
            found[f"edit ({name})"] = axe_violations(page, axe_source)
            page.get_by_role("button", name="Cancel the session").click()
            found[f"edit, cancel asked ({name})"] = axe_violations(page, axe_source)
            page.goto(f"{base}/e/{SLUG}/propose")
            found[f"propose ({name})"] = axe_violations(page, axe_source)
            page.get_by_role("button", name="Propose").click()
            page.locator("#error-summary").wait_for()
            found[f"propose, refused ({name})"] = axe_violations(page, axe_source)
            screenshot(page, f"propose-refused-{size_name}-{scheme}")
            page.goto(f"{base}/e/{SLUG}/meetup")
            found[f"meetup ({name})"] = axe_violations(page, axe_source)
            page.get_by_label("Where", exact=True).select_option("")
            page.get_by_role("button", name="Start the meetup").click()
            page.locator("#error-summary").wait_for()
            found[f"meetup, refused ({name})"] = axe_violations(page, axe_source)
            page.goto(f"{base}/e/{SLUG}/desk")
            found[f"sign-in ({name})"] = axe_violations(page, axe_source)
            page.get_by_role("button", name="Sign in").click()
            page.locator("#error-summary").wait_for()
            found[f"sign-in, refused ({name})"] = axe_violations(page, axe_source)
            page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
            found[f"console ({name})"] = console.problems
            context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_axe_finds_nothing_on_the_form_pages(
    server: RunningServer, client: Client, browser: BrowserThread, axe_source: str
) -> None:
    await client.propose(room="r1", hour=11, title="Already on", tags=["async"])
    found = await browser.run(audit_forms, server.url, axe_source)
    assert {page: v for page, v in found.items() if v} == {}


def meetup_later_offline(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    context.set_offline(True)
    page.goto(f"{base}/e/{SLUG}/meetup")
    page.get_by_label("What is it about?").fill("Offline later")
    page.get_by_label("In 30 minutes").check()
    page.get_by_role("button", name="Start the meetup").click()
    page.locator(".outbox-waiting", has_text="Meetup “Offline later”").wait_for()
    context.set_offline(False)
    page.locator(".outbox-waiting").wait_for(state="detached")
    context.close()


@pytest_twisted.ensureDeferred
async def test_a_meetup_planned_offline_keeps_its_later_start(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    # The worker reads the phone's real clock: the server's must agree for this test.
    real_now = datetime.now(UTC)
    server.set_now(real_now)
    await browser.run(meetup_later_offline, server.url)
    meetups = (await client.get(f"/api/events/{SLUG}/board")).json["meetups"]
    starts = datetime.fromisoformat(meetups[0]["starts"])
    assert abs(starts - (real_now + timedelta(minutes=30))) < timedelta(minutes=2)


def keyboard_walk(browser: Any, base: str) -> list[str]:
    """
    Tab through the propose and meetup pages: the skip link comes first and works, and
    every element that takes the focus shows a ring.
    """
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    unringed: list[str] = []
    for path in (f"/e/{SLUG}/propose", f"/e/{SLUG}/meetup"):
        page.goto(base + path)
        page.keyboard.press("Tab")
        skip = page.evaluate(
            "[document.activeElement.className, document.activeElement.getBoundingClientRect().top]"
        )
        assert skip[0] == "skip-link" and skip[1] >= 0, skip
        page.keyboard.press("Enter")
        assert page.evaluate("[location.hash, document.activeElement.id]") == ["#main", "main"]
        for _ in range(12):
            page.keyboard.press("Tab")
            ring = page.evaluate(
                "(() => { const e = document.activeElement, s = getComputedStyle(e);"
                " return [e.outerHTML.slice(0, 60), s.outlineStyle,"
                " parseFloat(s.outlineWidth)] })()"
            )
            if not ring[0].startswith("<body") and (ring[1] == "none" or ring[2] < 2):
                unringed.append(f"{path}: {ring[0]}")
    context.close()
    return unringed


@pytest_twisted.ensureDeferred
async def test_skip_link_and_a_visible_focus_on_every_stop(
    server: RunningServer, browser: BrowserThread
) -> None:
    assert await browser.run(keyboard_walk, server.url) == []
