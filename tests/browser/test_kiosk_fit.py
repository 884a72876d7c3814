"""
In real Chromium: the kiosk and the door screen fit a landscape TV (1920×1080,
1280×720) and a portrait one (1080×1920) with 1 to 12 rooms and the longest texts the
engine allows, with nothing scrolled or cut off; rooms that need paging are on balanced
pages that say "Page 2 of 3"; axe-core finds nothing at all on either at 1920×1080.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from openspace.commands import (
    SYSTEM,
    SetLayout,
    SetOfficialSchedule,
    SetSources,
    StartMeetup,
)
from openspace.events import Layout
from openspace.fields import HOST_MAX, PLACE_MAX, TITLE_MAX
from openspace.model import EventInfo, OfficialTalk, Room, RoomKind, ScheduleSource, Slot
from openspace.web.pages.kiosk import page_sizes
from tests.browser.conftest import BrowserThread, axe_violations, new_context
from tests.conftest import NOW
from tests.support import (
    DAY,
    FACILITATOR_TOKEN,
    Client,
    RunningServer,
    slot_id,
    start_server,
    utc,
)

pytestmark = pytest.mark.browser

SIZES = ((1920, 1080), (1280, 720), (1080, 1920))
ROOM_COUNTS = range(1, 13)
MEETUPS = 10
TALKS = 10
SOURCE = "http://127.0.0.1:9/schedule.json"
# Words as wide as type gets, and one that never breaks: the worst a line can hold.
WIDE = "WWWWWWWWW "


def longest(length: int, seed: str, unbroken: bool = False) -> str:
    """
    A text of exactly C{length} characters (the engine strips a space at the end).
    """
    return (seed + ("M" if unbroken else WIDE) * length)[: length - 1] + "W"


def slug(rooms: int) -> str:
    return f"fit{rooms}"


def layout(rooms: int) -> Layout:
    """
    C{rooms} rooms with the longest names and directions, a hallway spot, hourly slots.
    """
    shown = [
        Room(f"r{n}", longest(HOST_MAX, f"{n} "), 30, longest(PLACE_MAX * 2, "Where "))
        for n in range(1, rooms + 1)
    ]
    return Layout(
        EventInfo(slug(rooms), longest(TITLE_MAX, "Event "), "Europe/Berlin"),
        (*shown, Room("cafe", "Café", None, "Lobby", kind=RoomKind.hallway)),
        tuple(
            Slot(slot_id(hour), DAY.replace(hour=hour), DAY.replace(hour=hour + 1))
            for hour in range(9, 18)
        ),
        frozenset(),
    )


async def fill(server: RunningServer, client: Client, rooms: int) -> None:
    """
    Every room holds a session now and next, with the longest title and host (one of
    them a title without a space); ten meetups with the longest title and place run.
    """
    assert server.service.store is not None
    await server.service.store.execute(slug(rooms), SetLayout(layout(rooms)), SYSTEM, NOW)
    base = f"/api/events/{slug(rooms)}"
    for n in range(1, rooms + 1):
        for hour in (11, 12):
            body = {
                "title": longest(TITLE_MAX, f"{n}/{hour} ", unbroken=n == 2),
                "host": longest(HOST_MAX, "Host "),
                "room": f"r{n}",
                "slot": slot_id(hour),
            }
            reply = await client.post(f"{base}/sessions", body, token=FACILITATOR_TOKEN)
            assert reply.status == 201, reply.body
    for n in range(MEETUPS):
        # Ten people's meetups (one person may run three).
        start = StartMeetup(
            longest(TITLE_MAX, f"Meetup {n} "), longest(PLACE_MAX, "At "), owner=f"person-{n}"
        )
        await server.service.store.execute(slug(rooms), start, SYSTEM, NOW)
    if rooms == max(ROOM_COUNTS):
        # The biggest board also has ten official talks on now, beside the meetups.
        talks = tuple(
            OfficialTalk(
                f"t{n}",
                SOURCE,
                longest(TITLE_MAX, f"Talk {n} "),
                utc(11),
                utc(12),
                room=longest(HOST_MAX, "Hall "),
                speakers=(longest(HOST_MAX, "Speaker "),),
                url=f"https://conference.example/talks/{n}",
            )
            for n in range(TALKS)
        )
        store = server.service.store
        await store.execute(slug(rooms), SetSources((ScheduleSource(SOURCE),)), SYSTEM, NOW)
        await store.execute(slug(rooms), SetOfficialSchedule(SOURCE, talks), SYSTEM, NOW)


@pytest_twisted.async_yield_fixture
async def boards(tmp_path: Path) -> Any:
    server = await start_server(tmp_path / "fit.sqlite3", NOW)
    async with Client.open(server.url) as client:
        for rooms in ROOM_COUNTS:
            await fill(server, client, rooms)
    yield server
    await server.stop()


# Every shown element inside the viewport, nothing scrolled, and nothing cut off but
# clamped text (-webkit-line-clamp) whose full text is in its title attribute (meetups:
# on the board, where the QR code leads).  Returns what is wrong, if anything.
MEASURE = """() => {
  const vw = innerWidth, vh = innerHeight, wrong = [];
  const root = document.scrollingElement;
  if (root.scrollHeight > vh || root.scrollWidth > vw)
    wrong.push(`the page scrolls: ${root.scrollWidth}×${root.scrollHeight}`);
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  const clamps = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (clamps.some((c) => c.contains(el))) continue;   // inside clamped text
    if (el.matches(".skip-link:not(:focus)")) continue;  // shown when focused
    const style = getComputedStyle(el);
    if (el.closest("[hidden]") || style.display === "none") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.top < -0.5 || box.right > vw + 0.5 || box.bottom > vh + 0.5)
      wrong.push(`${name(el)} is outside the screen: ${JSON.stringify(box)}`);
    const over = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
    if (style.display === "inline" || !over) continue;
    const clamped = style.webkitLineClamp !== "none" && style.overflow === "hidden";
    if (!clamped) {
      wrong.push(`${name(el)} is cut off: ${el.textContent.slice(0, 60)}`);
      continue;
    }
    clamps.push(el);
    const full = el.getAttribute("title");
    if (!(full ? el.textContent.includes(full) : el.tagName === "LI"))
      wrong.push(`${name(el)} is clamped without its full text in a title`);
  }
  const small = Array.from(document.querySelectorAll("section.room p.now:not([hidden])"))
    .map((p) => parseFloat(getComputedStyle(p).fontSize)).filter((size) => size < 12);
  if (small.length) wrong.push(`"Now" lines in type of ${small[0]}px`);
  return wrong;
}"""


def check_screens(browser: Any, base: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for width, height in SIZES:
        context = new_context(browser, viewport={"width": width, "height": height})
        page = context.new_page()
        for rooms in ROOM_COUNTS:
            page.goto(f"{base}/e/{slug(rooms)}/kiosk")
            sizes = page.eval_on_selector_all(
                ".rooms .page", "pages => pages.map(p => p.querySelectorAll('.room').length)"
            )
            assert sizes == page_sizes(rooms), (rooms, sizes)
            assert max(sizes) - min(sizes) <= 1
            for index in range(len(sizes)):
                # Show page `index` as kiosk.js's rotation would.
                page.evaluate(
                    """index => document.querySelectorAll('.rooms .page')
                      .forEach((p, i) => { p.hidden = i !== index; })""",
                    index,
                )
                where = f"kiosk {width}×{height}, {rooms} rooms, page {index + 1}"
                found[where] = page.evaluate(MEASURE)
                if len(sizes) > 1:
                    shown = page.locator(".rooms .page:not([hidden]) .page-no").inner_text()
                    assert shown == f"Page {index + 1} of {len(sizes)}", where
                else:
                    assert page.locator(".page-no").count() == 0
            if rooms == 12:
                page.screenshot(path=_artifact(f"kiosk-{width}x{height}-12-rooms"))
        for room in ("r1", "r2"):
            page.goto(f"{base}/e/{slug(12)}/kiosk?room={room}")
            assert page.locator("[data-claim]").is_visible()
            found[f"door {width}×{height}, {room}"] = page.evaluate(MEASURE)
        page.screenshot(path=_artifact(f"door-{width}x{height}"))
        context.close()
    return found


def _artifact(name: str) -> str:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


@pytest_twisted.ensureDeferred
async def test_kiosk_and_door_fit_every_screen_with_the_longest_texts(
    boards: RunningServer, browser: BrowserThread
) -> None:
    found = await browser.run(check_screens, boards.url)
    assert len(found) == sum(len(page_sizes(n)) for n in ROOM_COUNTS) * len(SIZES) + 2 * len(SIZES)
    assert {where: wrong for where, wrong in found.items() if wrong} == {}


def audit_screens(browser: Any, base: str, axe_source: str) -> dict[str, list[str]]:
    context = new_context(browser, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    found = {}
    for name, path in (
        ("kiosk", f"/e/{slug(5)}/kiosk"),
        ("door", f"/e/{slug(5)}/kiosk?room=r1"),
        ("kiosk, 12 rooms", f"/e/{slug(12)}/kiosk"),
    ):
        page.goto(base + path)
        found[name] = axe_violations(page, axe_source)
    context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_axe_finds_nothing_on_the_kiosk_and_door_screen(
    boards: RunningServer, browser: BrowserThread, axe_source: str
) -> None:
    found = await browser.run(audit_screens, boards.url, axe_source)
    assert found == {"kiosk": [], "door": [], "kiosk, 12 rooms": []}


def test_pages_are_balanced() -> None:
    assert page_sizes(0) == [0]
    assert page_sizes(4) == [4]
    assert page_sizes(5) == [3, 2]
    assert page_sizes(9) == [3, 3, 3]
    assert page_sizes(10) == [4, 3, 3]
    for count in range(1, 60):
        sizes = page_sizes(count)
        assert sum(sizes) == count
        assert max(sizes) <= 4 and max(sizes) - min(sizes) <= 1
        assert len(sizes) == -(-count // 4)
