"""
Live pages in real Chromium: changes made through the API appear on an open board,
kiosk and facilitator desk without a reload, and a page that lost the server resumes on
the restarted one with every change once.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from tests.browser.conftest import BrowserThread, new_context
from tests.live.restarts import make_db, serve_again
from tests.process import OpenspaceProcess
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id

pytestmark = pytest.mark.browser

LIVE = "() => window.openspace && openspace.live && openspace.live.state.status === 'live'"


def propose(base: str, title: str, room: str, hour: int) -> None:
    """
    Propose from the browser thread, while the reactor serves.
    """
    body = {"title": title, "host": "Ann", "room": room, "slot": slot_id(hour)}
    request = urllib.request.Request(
        f"{base}/api/events/{SLUG}/sessions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def board_kiosk_and_desk_follow_changes(browser: Any, base: str) -> None:
    context = new_context(browser)
    board, kiosk, desk = context.new_page(), context.new_page(), context.new_page()
    board.goto(f"{base}/e/{SLUG}/")
    kiosk.goto(f"{base}/e/{SLUG}/kiosk?refresh=3600")
    desk.goto(f"{base}/e/{SLUG}/desk")
    desk.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    desk.get_by_role("button", name="Sign in").click()
    desk.get_by_role("heading", name="Recent changes (last 50)").wait_for()
    desk.locator("textarea").first.fill("typed, not yet sent")
    pages = (board, kiosk, desk)
    for page in pages:
        page.wait_for_function(LIVE)
        page.evaluate("window.__notReloaded = true")
        assert page.locator(".live-status").inner_text() == "live"
    propose(base, "Pushed, not polled", "r4", 11)
    board.get_by_text("Pushed, not polled").wait_for()
    kiosk.locator("[data-room=r4] .now", has_text="Pushed, not polled").wait_for()
    desk.locator("tr[data-session-id]", has_text="Pushed, not polled").wait_for()
    assert desk.locator("textarea").first.input_value() == "typed, not yet sent"
    for page in pages:
        assert page.evaluate("window.__notReloaded") is True
        assert page.evaluate("openspace.live.state.log") == [2]
    context.close()


@pytest_twisted.ensureDeferred
async def test_a_change_appears_on_an_open_board_kiosk_and_desk_without_reload(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(board_kiosk_and_desk_follow_changes, server.url)


class Tab:
    """
    One page kept open across several steps, all run in the browser thread.
    """

    def __init__(self, browser: BrowserThread) -> None:
        self.browser = browser
        self.page: Any = None

    async def open(self, url: str) -> None:
        def work(chromium: Any) -> None:
            self.page = new_context(chromium).new_page()
            self.page.goto(url)
            self.page.wait_for_function(LIVE)
            self.page.evaluate("window.__notReloaded = true")

        await self.browser.run(work)

    async def wait_for(self, expression: str) -> Any:
        """
        Wait until C{expression} is true in the page.  Given as a function, as a string
        it would be eval'd, which the pages' CSP (rightly) forbids.
        """
        predicate = f"() => {expression}"
        return await self.browser.run(lambda _: self.page.wait_for_function(predicate))

    async def evaluate(self, expression: str) -> Any:
        return await self.browser.run(lambda _: self.page.evaluate(expression))

    async def close(self) -> None:
        await self.browser.run(lambda _: self.page.context.close())


@pytest_twisted.ensureDeferred
async def test_a_page_resumes_on_the_restarted_server_without_gaps(
    tmp_path: Path, now: datetime, browser: BrowserThread
) -> None:
    db = tmp_path / "restart.sqlite3"
    await make_db(db, now)
    # Real processes: a restart must also cut the page's kept-alive HTTP connections.
    first, url = await OpenspaceProcess.serve(str(db))
    tab = Tab(browser)
    await tab.open(f"{url}/e/{SLUG}/")
    assert await first.stop() == 0
    await tab.wait_for("openspace.live.state.status === 'reconnecting'")
    badge = await tab.evaluate("document.querySelector('.live-status').textContent")
    assert badge == "reconnecting…"
    second = await serve_again(db, url)
    try:
        titles = ["After the restart", "Second change", "Third change"]
        async with Client.open(url) as client:
            for hour, title in enumerate(titles, start=12):
                assert (await client.propose(hour=hour, title=title)).status == 201
        await tab.wait_for("openspace.live.state.seq === 4")
        assert await tab.evaluate("openspace.live.state.log") == [2, 3, 4]
        await tab.wait_for("openspace.live.state.status === 'live'")
        for title in titles:
            await tab.wait_for(f"document.querySelector('main').innerText.includes({title!r})")
        assert await tab.evaluate("window.__notReloaded") is True
        await tab.close()
    finally:
        await second.kill()


@pytest_twisted.ensureDeferred
async def test_a_page_reloads_once_when_the_server_has_new_assets(
    server: RunningServer, browser: BrowserThread
) -> None:
    live = server.service.live
    assert live is not None
    tab = Tab(browser)
    await tab.open(f"{server.url}/e/{SLUG}/")
    # As after an upgrade: the server speaks of other assets, and connections drop.
    live.hub.version = "new-assets"
    live.close_all()
    await tab.wait_for(
        "sessionStorage.getItem('openspace.live.reloaded') === 'new-assets'"
        " && window.__notReloaded === undefined"
        " && window.openspace && openspace.live && openspace.live.state.status === 'live'"
    )
    assert await tab.evaluate("openspace.live.state.version") == "new-assets"
    await tab.close()


def going_counts_change_in_place(browser: Any, base: str, session_id: str) -> None:
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    page.wait_for_function(LIVE)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    region = page.locator("[data-live]")
    seq_before = region.get_attribute("data-seq")
    count = page.locator(f'.card[data-session-id="{session_id}"] .count')
    assert count.inner_text().startswith("0 going")
    request = urllib.request.Request(
        f"{base}/api/events/{SLUG}/sessions/{session_id}/going",
        data=json.dumps({"attendee": "attendee-in-place"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    page.wait_for_function(
        "id => document.querySelector(`.card[data-session-id='${id}'] .count`)"
        ".textContent.startsWith('1 going')",
        arg=session_id,
    )
    # Updated in place: the browser asked the server for nothing.
    assert asked == []
    assert page.evaluate("openspace.live.state.seq") == int(seq_before or 0) + 1
    context.close()


@pytest_twisted.ensureDeferred
async def test_going_counts_change_in_place_without_fetching_the_board(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    session_id = (await client.propose(title="Counted")).json["session"]["id"]
    await browser.run(going_counts_change_in_place, server.url, session_id)
