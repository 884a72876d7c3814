"""
The offline phone in real Chromium, its network cut with C{context.set_offline}: the
installed board opens with no network, with its banner; a proposal made offline is
sent once when the network is back, even when it is sent again and again; a proposal
whose cell was taken meanwhile keeps what was typed and offers the free rooms.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_twisted

from openspace.commands import SYSTEM, SetLayout
from openspace.store.sqlite import open_sqlite_store
from tests.browser.conftest import BrowserThread, new_context, screenshot
from tests.conftest import NOW
from tests.process import OpenspaceProcess
from tests.support import SLUG, ZONE, Client, RunningServer, conference_layout, slot_id

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "Written on the train"


def board_sessions(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base}/api/events/{SLUG}/board", timeout=10) as response:
        sessions: list[dict[str, Any]] = json.loads(response.read())["sessions"]
        return sessions


def installed(browser: Any, base: str) -> tuple[Any, Any]:
    """
    A phone that opened the board: the worker controls it and has kept the board and
    the event's forms.
    """
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The second visit goes through the worker, which then keeps the forms too.
    page.reload()
    for path in (f"/e/{SLUG}/", f"/e/{SLUG}/propose", f"/e/{SLUG}/meetup"):
        page.wait_for_function(
            "async (path) => !!(await (await caches.open('os-pages')).match(path))", arg=path
        )
    page.locator(".live-status[data-status=live]").wait_for()
    return context, page


def propose_offline(context: Any, page: Any, room: str = "r2", hour: int = 14) -> None:
    context.set_offline(True)
    page.goto(f"{urlsplit(page.url)._replace(path='').geturl()}/e/{SLUG}/propose")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your name").fill("Farah Haddad")
    page.locator(f'input[name=cell][value="{room}/{slot_id(hour)}"]').check()
    page.get_by_role("button", name="Propose").click()
    page.locator(".outbox-waiting", has_text=f"Propose “{TITLE}”").wait_for()


def offline_cold_start(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    context.set_offline(True)
    page.locator(".live-status[data-status=offline]").wait_for(timeout=5000)
    page.close()
    # A cold start from the home screen, at 14:30 by the phone's clock.
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2030, 5, 15, 14, 30, tzinfo=ZONE))
    page.goto(f"{base}/e/{SLUG}/")
    banner = page.locator(".offline-banner")
    banner.wait_for()
    assert banner.inner_text().startswith("Offline — as of ")
    # By the phone's clock the morning is over: folded under "Earlier", as the server
    # would render the board now (screen.js), and marked over (offline.js).
    page.locator("details.past summary").click()
    assert page.get_by_role("link", name="Async all the things").is_visible()
    page.locator(f'section[data-slot="{slot_id(13)}"].over').wait_for()
    assert page.locator(f'section[data-slot="{slot_id(15)}"].over').count() == 0
    assert "Over" in page.locator(f'section[data-slot="{slot_id(13)}"] h2').inner_text()
    page.locator(".live-status[data-status=offline]").wait_for(timeout=5000)
    screenshot(page, "offline-board-phone")
    # Back online: live again, the banner gone, without a reload.
    context.set_offline(False)
    page.locator(".live-status[data-status=live]").wait_for()
    assert banner.is_hidden()
    context.close()


@pytest_twisted.ensureDeferred
async def test_offline_cold_start_shows_the_last_board_and_the_banner(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await client.propose(room="r1", hour=11, title="Async all the things")
    await client.propose(room="r2", hour=15, title="Later on")
    await browser.run(offline_cold_start, server.url)


def badge_turns_offline(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    # The socket goes silent without the browser noticing: the pings go unanswered.
    # (It reconnects at once, so the "offline" moment is caught as it happens.)
    page.evaluate(SILENCE)
    took = page.wait_for_function("() => window.wentOffline", timeout=10_000).json_value()
    assert took <= 5000, took
    context.close()


SILENCE = """
() => {
  const silenced = performance.now();
  const badge = document.querySelector(".live-status");
  new MutationObserver(() => {
    if (badge.dataset.status === "offline" && !window.wentOffline)
      window.wentOffline = performance.now() - silenced;
  }).observe(badge, { attributes: true });
  WebSocket.prototype.send = function () {};
}
"""


@pytest_twisted.ensureDeferred
async def test_the_badge_says_offline_when_the_socket_goes_silent(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(badge_turns_offline, server.url)


def offline_proposal(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    propose_offline(context, page)
    assert [s for s in board_sessions(base) if s["title"] == TITLE] == []
    screenshot(page, "offline-outbox-phone")
    context.set_offline(False)
    sent = page.locator(".outbox-sent", has_text=f"“{TITLE}” is on the board")
    sent.wait_for()
    link = sent.locator("a.edit-link").inner_text()
    assert "/edit?key=" in link
    # The board converges by itself: the new card appears without a reload.
    page.locator("[data-session-id]", has_text=TITLE).wait_for()
    mine = [s for s in board_sessions(base) if s["title"] == TITLE]
    assert len(mine) == 1
    assert f"/s/{mine[0]['id']}/edit?key=" in link
    # The link edits it: it is the session's key.
    page.goto(link)
    page.get_by_role("button", name="Save changes").wait_for()
    # Nothing that carries an edit key was kept.
    kept = page.evaluate(
        "async () => (await (await caches.open('os-pages')).keys()).map(r => r.url)"
    )
    assert kept and not [url for url in kept if "edit" in url or "key=" in url], kept
    context.close()


@pytest_twisted.ensureDeferred
async def test_an_offline_proposal_is_sent_once_back_online(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(offline_proposal, server.url)


REWIND = """
async () => {
  const items = await openspaceOutbox.all();
  for (const item of items) {
    item.state = "waiting";
    delete item.reply;
    await openspaceOutbox.put(item);
  }
  return items.length;
}
"""


def queue_and_send(browser: Any, base: str) -> tuple[Any, Any, dict[str, Any]]:
    context, page = installed(browser, base)
    propose_offline(context, page)
    context.set_offline(False)
    page.locator(".outbox-sent").wait_for()
    return context, page, sent_reply(page)


def sent_reply(page: Any) -> dict[str, Any]:
    reply: dict[str, Any] = page.evaluate("async () => (await openspaceOutbox.all())[0].reply")
    return reply


def replay_by_reload(page: Any) -> dict[str, Any]:
    """
    The reply was lost (as when the network drops while it comes back): the item is
    waiting again, and the page sends it again when it loads.
    """
    assert page.evaluate(REWIND) == 1
    page.reload()
    page.locator(".outbox-sent").wait_for()
    return sent_reply(page)


async def serve_process(db: Path, port: int) -> OpenspaceProcess:
    process, _ = await OpenspaceProcess.serve(str(db), listen=f"tcp:{port}:interface=127.0.0.1")
    return process


@pytest_twisted.ensureDeferred
async def test_one_queued_write_replayed_three_times_is_one_session(
    tmp_path: Path, browser: BrowserThread
) -> None:
    # A real server process, so that "restarted" means a new process on the same address.
    db = tmp_path / "board.sqlite3"
    store = await open_sqlite_store(db)
    await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    await store.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    process = await serve_process(db, port)
    try:
        context, page, first = await browser.run(queue_and_send, base)
        # 1: the page reloads.
        assert await browser.run(lambda _: replay_by_reload(page)) == first

        # 2: a second tab of the same phone.
        def second_tab(_: Any) -> dict[str, Any]:
            assert page.evaluate(REWIND) == 1
            other = context.new_page()
            other.goto(f"{base}/e/{SLUG}/")
            other.locator(".outbox-sent").wait_for()
            reply = sent_reply(other)
            other.close()
            return reply

        assert await browser.run(second_tab) == first

        # 3: the server dies and starts again in between.
        await browser.run(lambda _: page.evaluate(REWIND))
        await process.kill()
        process = await serve_process(db, port)
        assert await browser.run(lambda _: replay_by_reload(page)) == first
        mine = [s for s in board_sessions(base) if s["title"] == TITLE]
        assert [s["id"] for s in mine] == [first["session"]["id"]]
        await browser.run(lambda _: context.close())
    finally:
        await process.kill()


def conflicting_proposal(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    propose_offline(context, page, "r2", 14)
    # Meanwhile someone else takes that cell.
    request = urllib.request.Request(
        f"{base}/api/events/{SLUG}/sessions",
        data=json.dumps(
            {"title": "Got there first", "host": "Omar", "room": "r2", "slot": slot_id(14)}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    context.set_offline(False)
    refused = page.locator(".outbox-refused")
    refused.wait_for()
    assert "Got there first" in refused.inner_text()
    assert TITLE in refused.locator(".kept-title").inner_text()
    assert "Farah Haddad" in refused.locator(".kept-host").inner_text()
    offered = refused.locator(".kept button").all_inner_texts()
    assert offered == ["Room One", "Room Three", "Room Four"]
    screenshot(page, "offline-refused-phone")
    refused.get_by_role("button", name="Room Three").click()
    page.locator(".outbox-sent", has_text=TITLE).wait_for()
    mine = [s for s in board_sessions(base) if s["title"] == TITLE]
    assert [(s["room"], s["slot"]) for s in mine] == [("r3", slot_id(14))]
    context.close()


@pytest_twisted.ensureDeferred
async def test_a_conflicting_queued_proposal_keeps_the_text_and_offers_free_rooms(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(conflicting_proposal, server.url)


def going_offline(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    context.set_offline(True)
    card = page.locator("[data-session-id]", has_text="Async all the things")
    card.get_by_role("button", name="I’m going").click()
    card.get_by_role("button", name="Waiting to send…").wait_for()
    page.locator(".outbox-waiting", has_text="I’m going: Async all the things").wait_for()
    context.set_offline(False)
    card.get_by_role("button", name="✓ Going — undo").wait_for()
    assert page.locator(".outbox li").count() == 0
    (session,) = board_sessions(base)
    assert session["going"] == 1
    context.close()


@pytest_twisted.ensureDeferred
async def test_going_offline_is_sent_once_back_online(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await client.propose(room="r1", hour=11, title="Async all the things")
    await browser.run(going_offline, server.url)


def meetup_offline(browser: Any, base: str) -> None:
    context, page = installed(browser, base)
    context.set_offline(True)
    page.goto(f"{base}/e/{SLUG}/meetup")
    page.get_by_label("What is it about?").fill("Offline-first coffee")
    page.get_by_label("Where", exact=True).select_option("cafe")
    page.get_by_role("button", name="Start the meetup").click()
    page.locator(".outbox-waiting", has_text="Meetup “Offline-first coffee”").wait_for()
    context.set_offline(False)
    page.locator(".hallway", has_text="Offline-first coffee").wait_for()
    page.locator(".outbox-waiting").wait_for(state="detached")
    with urllib.request.urlopen(f"{base}/api/events/{SLUG}/board", timeout=10) as response:
        meetups = json.loads(response.read())["meetups"]
    assert [m["title"] for m in meetups] == ["Offline-first coffee"]
    context.close()


@pytest_twisted.ensureDeferred
async def test_a_meetup_started_offline_is_sent_once_back_online(
    server: RunningServer, browser: BrowserThread
) -> None:
    await browser.run(meetup_offline, server.url)
