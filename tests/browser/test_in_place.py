"""
Every kind of change shows on open pages from the pushed event alone.

A board, a session page, a kiosk and a door screen stay open in real Chromium while the
test makes each kind of change (propose, edit, move, swap, cancel, hide/show, meetups,
block/unblock, layout, official schedule, going) through the API or the store; each
page must show it, having asked the server for nothing at all (the network log stays
empty), and each page's log of applied sequence numbers must have no gap.  The
facilitator's desk, open beside them, shows every change too, from its own stream
(every view of it: L{tests.browser.test_desk_live}).  Then the
browser's clock is moved (not waited for): slots relabel and meetups end on their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from openspace.clock import utc_now
from openspace.commands import SYSTEM, SetLayout, SetOfficialSchedule, SetSources
from openspace.events import Layout
from openspace.model import OfficialTalk, Room, ScheduleSource
from openspace.web.live import LiveOptions
from tests.browser.conftest import BrowserThread, new_context
from tests.conftest import NOW
from tests.support import (
    FACILITATOR_TOKEN,
    SLUG,
    Client,
    RunningServer,
    conference_layout,
    slot_id,
    start_server,
    utc,
)

pytestmark = pytest.mark.browser

LIVE = "() => window.openspace && openspace.live && openspace.live.state.status === 'live'"
API = f"/api/events/{SLUG}"
SOURCE = "http://127.0.0.1:9/schedule.json"


class Screens:
    """
    Named pages of one browser context, open across the steps of a test, each with the
    list of every request it made since it went live.
    """

    def __init__(self, browser: BrowserThread) -> None:
        self.browser = browser
        self.context: Any = None
        self.pages: dict[str, Any] = {}
        self.asked: dict[str, list[str]] = {}

    async def open(self, base: str, paths: dict[str, str]) -> None:
        def work(chromium: Any) -> None:
            self.context = new_context(chromium, viewport={"width": 1280, "height": 900})
            for name, path in paths.items():
                page = self.context.new_page()
                page.goto(base + path)
                if name == "desk":
                    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
                    page.get_by_role("button", name="Sign in").click()
                    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
                page.wait_for_function(LIVE)
                self.asked[name] = asked = []
                page.on("request", lambda request, asked=asked: asked.append(request.url))
                self.pages[name] = page

        await self.browser.run(work)

    async def shows(self, name: str, predicate: str) -> None:
        """
        Wait until C{predicate} (a JavaScript expression) holds on page C{name}.
        """
        page = self.pages[name]
        await self.browser.run(lambda _: page.wait_for_function(f"() => {predicate}"))

    async def evaluate(self, name: str, expression: str) -> Any:
        page = self.pages[name]
        return await self.browser.run(lambda _: page.evaluate(expression))

    async def run(self, work: Any) -> Any:
        return await self.browser.run(lambda _: work())

    async def close(self) -> None:
        await self.browser.run(lambda _: self.context.close())


def text_of(selector: str) -> str:
    """
    The visible text of the elements matching C{selector}, as a JavaScript expression.
    """
    return (
        f"Array.from(document.querySelectorAll({selector!r}))"
        ".filter(e => e.offsetParent !== null).map(e => e.innerText).join('|')"
    )


def card_in(slot: str, title: str) -> str:
    return f"{text_of(f'section[data-slot={slot!r}] .card')}.includes({title!r})"


async def two_sessions_of_one_host(client: Client) -> tuple[str, str, str]:
    """
    Ann proposes "Typing talk" (r1 at 12:00) and "Second" (r2 at 13:00) with one edit
    key: the two sessions' ids and that key.
    """
    first = await client.propose(room="r1", hour=12, title="Typing talk", host="Ann")
    first_id, token = first.json["session"]["id"], first.json["edit_token"]
    second = await client.post(
        f"{API}/sessions",
        {"title": "Second", "host": "Ann", "room": "r2", "slot": slot_id(13)},
        token=token,
    )
    return first_id, second.json["session"]["id"], token


@pytest_twisted.ensureDeferred
async def test_every_change_kind_shows_on_open_pages_without_a_request(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    store = server.service.store
    assert store is not None
    first_id, second_id, token = await two_sessions_of_one_host(client)
    screens = Screens(browser)
    await screens.open(
        server.url,
        {
            "board": f"/e/{SLUG}/",
            "session": f"/e/{SLUG}/s/{first_id}",
            "kiosk": f"/e/{SLUG}/kiosk?refresh=3600&rotate=120",
            "door": f"/e/{SLUG}/kiosk?room=r4",
            "desk": f"/e/{SLUG}/desk",
        },
    )
    try:
        # propose: the "Now" slot of room r4
        made = await client.propose(room="r4", hour=11, title="Fresh idea", host="Bo")
        fresh_id = made.json["session"]["id"]
        await screens.shows("board", card_in(slot_id(11), "Fresh idea"))
        await screens.shows("kiosk", f"{text_of('[data-room=r4] .now')}.includes('Fresh idea')")
        await screens.shows("door", f"{text_of('.now')}.includes('Fresh idea')")
        await screens.shows("desk", f"{text_of('tr[data-session-id]')}.includes('Fresh idea')")
        await screens.shows("desk", f"{text_of('#sessions-title')} === 'Sessions (3)'")
        # edit
        await client.request(
            "PATCH", f"{API}/sessions/{first_id}", {"title": "Typing, typed"}, token=token
        )
        await screens.shows("board", card_in(slot_id(12), "Typing, typed"))
        await screens.shows("session", f"{text_of('h1')} === 'Typing, typed'")
        await screens.shows("kiosk", f"{text_of('[data-room=r1] .next')}.includes('Typing, typed')")
        # move: to r3 at 14:00
        await client.request(
            "PATCH", f"{API}/sessions/{first_id}", {"room": "r3", "slot": slot_id(14)}, token=token
        )
        await screens.shows("board", card_in(slot_id(14), "Typing, typed"))
        await screens.shows("board", f"!{card_in(slot_id(12), 'Typing, typed')}")
        await screens.shows("session", f"{text_of('.detail dd')}.includes('Room Three')")
        await screens.shows("kiosk", f"!{text_of('[data-room=r1] .next')}.includes('Typing')")
        # swap: the host's two sessions trade cells
        swapped = await client.post(
            f"{API}/swaps", {"first": first_id, "second": second_id}, token=token
        )
        assert swapped.status == 200, swapped.body
        await screens.shows("board", card_in(slot_id(13), "Typing, typed"))
        await screens.shows("board", card_in(slot_id(14), "Second"))
        # hide and show (facilitator)
        hidden = f"{API}/sessions/{fresh_id}/hidden"
        await client.request("PUT", hidden, token=server.token)
        await screens.shows("desk", f"{text_of('tr[data-session-id]')}.includes('(hidden)')")
        await screens.shows("board", f"!{card_in(slot_id(11), 'Fresh idea')}")
        await screens.shows("kiosk", f"!{text_of('[data-room=r4] .now')}.includes('Fresh')")
        await client.request("DELETE", hidden, token=server.token)
        await screens.shows("board", card_in(slot_id(11), "Fresh idea"))
        # cancel
        await client.request("DELETE", f"{API}/sessions/{fresh_id}", token=server.token)
        await screens.shows("board", f"!{card_in(slot_id(11), 'Fresh idea')}")
        await screens.shows("door", f"{text_of('.now')}.includes('Free')")
        # meetup
        await client.post(f"{API}/meetups", {"title": "Rust chat", "place": "Café"})
        for name in ("board", "kiosk"):
            await screens.shows(name, f"{text_of('[data-frag=hallway] li')}.includes('Rust chat')")
        # block and unblock: r4 now leaves the free rooms, then comes back
        cell = f"{API}/blocked/r4/{slot_id(11)}"
        # The links themselves: on this laptop-sized page the board is the grid, where
        # the free rooms' line is no box of its own, only its links are.
        free_11 = text_of(f"section[data-slot={slot_id(11)!r}] .free a")
        await screens.shows("door", f"{text_of('[data-claim] strong')} === 'Free now'")
        await client.request("PUT", cell, token=server.token)
        await screens.shows(
            "desk",
            "Array.from(document.querySelectorAll('button[name=unblock]'))"
            ".some(b => b.textContent.includes('Room Four at 11:00–12:00'))",
        )
        await screens.shows("board", f"!{free_11}.includes('Room Four')")
        await screens.shows("door", f"{text_of('[data-claim] strong')} === 'Free from 12:00'")
        await client.request("DELETE", cell, token=server.token)
        await screens.shows("board", f"{free_11}.includes('Room Four')")
        await screens.shows("door", f"{text_of('[data-claim] strong')} === 'Free now'")
        # layout: a new room
        now = utc_now(server.clock)
        base = conference_layout()
        wider = Layout(base.info, (*base.rooms, Room("r5", "Room Five", 8)), base.slots)
        await store.execute(SLUG, SetLayout(wider), SYSTEM, now)
        await screens.shows("board", f"{free_11}.includes('Room Five')")
        # On the kiosk's second page of rooms, not shown at this moment.
        await screens.shows(
            "kiosk", "document.querySelector('[data-room=r5] h2')?.textContent === 'Room Five'"
        )
        # official schedule: a talk now
        talk = OfficialTalk("k1", SOURCE, "Keynote: screens", utc(11), utc(12), room="Main hall")
        await store.execute(SLUG, SetSources((ScheduleSource(SOURCE),)), SYSTEM, now)
        await store.execute(SLUG, SetOfficialSchedule(SOURCE, (talk,)), SYSTEM, now)
        await screens.shows(
            "board", f"{text_of(f'section[data-slot={slot_id(11)!r}] .official summary')} !== ''"
        )
        await screens.shows("kiosk", f"{text_of('[data-frag=talks] li')}.includes('Keynote')")
        # going
        await client.post(f"{API}/sessions/{first_id}/going", {"attendee": "someone-else"})
        await screens.shows("board", f"{text_of('.card .count')}.includes('1 going')")
        await screens.shows("session", f"{text_of('.detail .count')}.startsWith('1 going')")
        await screens.shows(
            "desk", f"{text_of(f'tr[data-session-id={first_id!r}]')}.includes('1 going')"
        )
        # going, up to "Filling up" (16 of Room Two's 20 seats): the capacity badge follows
        for n in range(15):
            await client.post(f"{API}/sessions/{first_id}/going", {"attendee": f"crowd-{n:04d}"})
        filling = f"[data-session-id={first_id!r}] .fill[data-fill=filling]"
        await screens.shows("board", f"{text_of(f'.card{filling}')} === 'Filling up'")
        await screens.shows("session", f"{text_of(f'.detail{filling}')} === 'Filling up'")
        line = f"[data-frag='line:r2/{slot_id(13)}']{filling}"
        await screens.shows(
            "kiosk", f"document.querySelector({line!r})?.textContent === 'Filling up'"
        )

        head = (await client.get(f"{API}/board")).json["seq"]
        for name in screens.pages:
            await screens.shows(name, f"openspace.live.state.seq === {head}")
            log = await screens.evaluate(name, "openspace.live.state.log")
            assert log == list(range(log[0], head + 1)), name
            assert screens.asked[name] == [], name
    finally:
        await screens.close()


@pytest_twisted.ensureDeferred
async def test_time_moves_pages_on_from_the_browser_clock(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    """
    Slots start and end, meetups end: the pages follow the browser's clock, moved by
    the test, and ask the server for nothing.
    """
    await client.propose(room="r1", hour=11, title="On now")
    await client.propose(room="r1", hour=12, title="On next")
    await client.post(f"{API}/meetups", {"title": "Short chat", "place": "Café", "minutes": 20})
    screens = Screens(browser)
    await screens.open(
        server.url, {"board": f"/e/{SLUG}/", "kiosk": f"/e/{SLUG}/kiosk?refresh=3600"}
    )
    try:
        now_label = "section.slot:has(.label:not(:empty)) h2"
        await screens.shows("board", f"{text_of(now_label)}.startsWith('Now11:00')")
        await screens.shows("board", f"{text_of('[data-frag=hallway] li')}.includes('Short')")
        # 11:30 Berlin + 25 minutes: the meetup has ended, 11:00 is still on.
        await screens.run(lambda: screens.context.clock.fast_forward("25:00"))
        await screens.shows("board", f"{text_of('[data-frag=hallway]')} === ''")
        # The jump also looks like a connection gone quiet: let the pages resume first.
        for name in screens.pages:
            await screens.shows(name, LIVE.removeprefix("() => "))
        # An hour later: 12:00 is on now, 11:00 is folded into "Earlier".
        await screens.run(lambda: screens.context.clock.fast_forward("01:00:00"))
        await screens.shows("board", f"{text_of(now_label)}.startsWith('Now12:00')")
        # The grid shows past slots in their rows, so "Earlier" is folded only on phones.
        await screens.shows(
            "board",
            "document.querySelector('details.past summary').textContent === 'Earlier (1 sessions)'",
        )
        await screens.shows("kiosk", f"{text_of('[data-room=r1] .now')}.includes('On next')")
        for name in screens.pages:
            assert screens.asked[name] == [], name
    finally:
        await screens.close()


@pytest_twisted.ensureDeferred
async def test_a_page_that_missed_too_much_fetches_its_page_once(
    tmp_path: Path, browser: BrowserThread
) -> None:
    """
    A board page cut off while more changes happen than the server keeps for resuming
    gets a snapshot when it is back, and catches up with one fetch of its (shared,
    cached) page.
    """
    server = await start_server(tmp_path / "board.sqlite3", NOW, live=LiveOptions(ring_size=2))
    cut: list[bool] = [True]
    held: list[Any] = []
    try:
        async with Client.open(server.url) as client:
            screens = Screens(browser)

            def hold(ws: Any) -> None:
                # While cut, the page's socket reaches nothing; then it passes through.
                if cut[0]:
                    held.append(ws)
                else:
                    ws.connect_to_server()

            def work(chromium: Any) -> None:
                screens.context = new_context(chromium)
                page = screens.context.new_page()
                page.route_web_socket(re.compile(r".*/live.*"), hold)
                page.goto(f"{server.url}/e/{SLUG}/")
                screens.pages["board"] = page
                screens.asked["board"] = asked = []
                page.on("request", lambda request: asked.append(request.url))

            await browser.run(work)
            for hour in (12, 13, 14, 15):
                await client.propose(room="r3", hour=hour, title=f"Missed {hour}")
            cut[0] = False
            # Drop the held socket: the page reconnects, resumes, gets a snapshot.
            assert await screens.evaluate("board", "openspace.live.state.status") == "connecting"
            await screens.run(lambda: held[0].close())
            await screens.shows("board", card_in(slot_id(15), "Missed 15"))
            await screens.shows("board", "openspace.live.state.status === 'live'")
            pages = [url for url in screens.asked["board"] if url.endswith(f"/e/{SLUG}/")]
            assert pages == [f"{server.url}/e/{SLUG}/"]
            await screens.close()
    finally:
        await server.stop()
