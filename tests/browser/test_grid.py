"""
The board's grid in real Chromium: rooms as columns and slots as rows at 1280×800, the
list on a phone, the now-line placed by a moved page clock, a change landing in its cell
with no request, tag and search filters with and without JavaScript, the print
stylesheet on a landscape page, and axe-core at phone and laptop sizes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import pytest_twisted

from openspace.clock import utc_now
from openspace.commands import SYSTEM, SetLayout, SetOfficialSchedule, SetSources
from openspace.events import Layout
from openspace.model import OfficialTalk, ScheduleSource, Slot
from tests.browser.conftest import BrowserThread, axe_violations, new_context, screenshot
from tests.browser.test_forms import Console
from tests.support import SLUG, Client, RunningServer, conference_layout, slot_id, utc

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LIVE = "() => window.openspace && openspace.live && openspace.live.state.status === 'live'"
BOX = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def box(page: Any, where: Any) -> tuple[float, float, float, float]:
    """
    The bounding box of the first element a selector or a C{(selector, title)} matches.
    """
    if isinstance(where, tuple):
        found = page.locator(where[0]).filter(has=page.get_by_role("link", name=where[1]))
    else:
        found = page.locator(where)
    left, top, right, bottom = found.first.evaluate(BOX)
    return left, top, right, bottom


def inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        inner[0] >= outer[0] - 1
        and inner[1] >= outer[1] - 1
        and inner[2] <= outer[2] + 1
        and inner[3] <= outer[3] + 1
    )


def column_of(page: Any, room: str) -> tuple[float, float]:
    """
    The left and right edge of C{room}'s column header.
    """
    left, _, right, _ = box(page, f".grid-head span:text-is('{room}')")
    return left, right


def card(title: str) -> tuple[str, str]:
    return (".card", title)


def slot(hour: int) -> str:
    return f"section.slot[data-slot='{slot_id(hour)}']"


async def official_talk(server: RunningServer) -> None:
    """
    An official keynote in Room Three at 14:00.
    """
    store = server.service.store
    assert store is not None
    url = "https://example.org/schedule.json"
    talk = OfficialTalk("k1", url, "Keynote", utc(14), utc(15), "Room Three", ("Ada",))
    now = utc_now(server.clock)
    await store.execute(SLUG, SetSources((ScheduleSource(url),)), SYSTEM, now)
    await store.execute(SLUG, SetOfficialSchedule(url, (talk,)), SYSTEM, now)


async def board_with_sessions(client: Client) -> None:
    await client.propose(room="r1", hour=11, title="Async all the things", tags=["async"])
    await client.propose(
        room="r2",
        hour=12,
        title="Typing legacy code",
        host="Bo Types",
        tags=["typing"],
        description="Gradual typing with a flux capacitor.",
    )
    await client.propose(room="r3", hour=12, title="Packaging", tags=["async", "packaging"])


def grid_and_list(browser: Any, base: str) -> None:
    context = new_context(browser, viewport=LAPTOP)
    console = Console(context)
    page = context.new_page()
    page.goto(f"{base}/e/{SLUG}/")
    page.wait_for_function(LIVE)
    screenshot(page, "grid-laptop")
    # Rooms as columns: each card sits under its room's header ...
    for title, room in (("Typing legacy code", "Room Two"), ("Packaging", "Room Three")):
        left, right = column_of(page, room)
        card_box = box(page, card(title))
        assert left - 1 <= card_box[0] and card_box[2] <= right + 1, (title, room)
    # ... and slots as rows: both 12:00 cards side by side in the 12:00 row, after 11:00.
    typing, packaging = box(page, card("Typing legacy code")), box(page, card("Packaging"))
    assert abs(typing[1] - packaging[1]) < 1
    assert inside(typing, box(page, slot(12))) and inside(packaging, box(page, slot(12)))
    assert box(page, slot(11))[3] <= box(page, slot(12))[1]
    assert box(page, f"{slot(12)} h2")[2] <= column_of(page, "Room One")[0] + 1
    # Free cells propose that cell; the blocked one says so, in its column.
    free = page.locator(f"{slot(12)} .free a", has_text="Room Four")
    assert "Propose here" in free.evaluate("e => getComputedStyle(e, '::before').content")
    assert free.get_attribute("href") == f"/e/{SLUG}/propose?room=r4&slot={slot_id(12)}"
    left, right = column_of(page, "Room Four")
    blocked = box(page, f"{slot(17)} .cell.blocked")
    assert left - 1 <= blocked[0] and blocked[2] <= right + 1
    assert page.locator(f"{slot(17)} .cell.blocked").inner_text() == "Blocked"
    # An official talk keeps its room busy; the slot's official talks sit under its row.
    left, right = column_of(page, "Room Three")
    talk = box(page, f"{slot(14)} .cell.talk")
    assert left - 1 <= talk[0] and talk[2] <= right + 1
    official = box(page, f"{slot(14)} details.official")
    assert official[1] >= talk[3] and official[0] >= column_of(page, "Room One")[0] - 1
    # The hallway's meetups are beside the grid.
    assert box(page, ".hallway")[0] >= box(page, ".grid")[2]
    # The now-line: 11:30 in Berlin is half way through the 11:00 slot ...
    line, row = box(page, f"{slot(11)} .now-line"), box(page, slot(11))
    assert abs((line[1] - row[1]) / (row[3] - row[1]) - 0.5) < 0.05
    # ... and the page's clock, moved (not waited for), moves it on.
    context.clock.fast_forward("45:00")
    page.wait_for_function(f'() => document.querySelector("{slot(12)} .now-line") !== null')
    line, row = box(page, f"{slot(12)} .now-line"), box(page, slot(12))
    assert abs((line[1] - row[1]) / (row[3] - row[1]) - 0.25) < 0.05
    assert page.locator(".now-line").count() == 1
    # A phone keeps the list: one column of cards, no room headers, no blocked cell.
    page.set_viewport_size(PHONE)
    assert not page.locator(".grid-head").is_visible()
    assert not page.locator(".cell.blocked").is_visible()
    assert not page.locator(".now-line").is_visible()
    lefts = {round(box(page, card(t))[0]) for t in ("Typing legacy code", "Packaging")}
    assert len(lefts) == 1
    assert page.locator(f"{slot(13)} .free").inner_text().startswith("Free: Room One · ")
    screenshot(page, "grid-phone")
    console.close(context)


@pytest_twisted.ensureDeferred
async def test_the_grid_on_a_laptop_and_the_list_on_a_phone(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await board_with_sessions(client)
    await client.request("PUT", f"/api/events/{SLUG}/blocked/r4/{slot_id(17)}", token=server.token)
    await client.post(f"/api/events/{SLUG}/meetups", {"title": "Rust chat", "place": "Café"})
    await official_talk(server)
    await browser.run(grid_and_list, server.url)


@pytest_twisted.ensureDeferred
async def test_a_change_lands_in_its_cell_with_no_request(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await board_with_sessions(client)
    opened: dict[str, Any] = {}

    def open_board(chromium: Any) -> None:
        context = new_context(chromium, viewport=LAPTOP)
        page = context.new_page()
        page.goto(f"{server.url}/e/{SLUG}/")
        page.wait_for_function(LIVE)
        opened.update(context=context, page=page, asked=[])
        page.on("request", lambda request: opened["asked"].append(request.url))

    await browser.run(open_board)
    try:
        await client.propose(room="r3", hour=14, title="Fresh in the grid")

        def lands(_: Any) -> None:
            page = opened["page"]
            page.get_by_role("link", name="Fresh in the grid").wait_for()
            left, right = column_of(page, "Room Three")
            fresh = box(page, card("Fresh in the grid"))
            assert left - 1 <= fresh[0] and fresh[2] <= right + 1
            assert inside(fresh, box(page, slot(14)))
            assert page.locator(f"{slot(14)} .free a", has_text="Room Three").count() == 0

        await browser.run(lands)
        # A move: the card leaves its cell (free again) for another room and hour.
        fresh = [s for s in (await client.get(f"/api/events/{SLUG}/board")).json["sessions"]]
        (moved,) = [s["id"] for s in fresh if s["title"] == "Fresh in the grid"]
        await client.request(
            "PATCH",
            f"/api/events/{SLUG}/sessions/{moved}",
            {"room": "r1", "slot": slot_id(15)},
            token=server.token,
        )

        def moves(_: Any) -> None:
            page = opened["page"]
            page.locator(f"{slot(15)} .card").wait_for()
            left, right = column_of(page, "Room One")
            card_box = box(page, card("Fresh in the grid"))
            assert left - 1 <= card_box[0] and card_box[2] <= right + 1
            assert inside(card_box, box(page, slot(15)))
            assert page.locator(f"{slot(14)} .free a", has_text="Room Three").count() == 1

        await browser.run(moves)
        assert opened["asked"] == []
    finally:
        await browser.run(lambda _: opened["context"].close())


def visible_titles(page: Any) -> list[str]:
    titles: list[str] = page.eval_on_selector_all(
        ".card h3", "hs => hs.filter(h => h.offsetParent !== null).map(h => h.innerText)"
    )
    return sorted(titles)


def filters(browser: Any, base: str, javascript: bool, viewport: dict[str, int]) -> None:
    context = new_context(browser, viewport=viewport, java_script_enabled=javascript)
    console = Console(context)
    page = context.new_page()
    documents: list[str] = []
    page.on(
        "request",
        lambda request: (
            documents.append(request.url) if request.resource_type == "document" else None
        ),
    )
    page.goto(f"{base}/e/{SLUG}/")
    if javascript:
        page.wait_for_function(LIVE)
    assert len(visible_titles(page)) == 3
    # A tag is a link to the board filtered by it.
    page.locator(".card").filter(has_text="Packaging").get_by_role("link", name="#async").click()
    page.wait_for_url(re.compile(r"\?tag=async$"))
    assert visible_titles(page) == ["Async all the things", "Packaging"]
    assert page.locator(".tag-filter").is_visible()
    page.get_by_role("link", name="show all").click()
    page.wait_for_function("() => !location.search")
    assert len(visible_titles(page)) == 3
    # The search box: a word of a description (not shown on the board), or of a host.
    box_ = page.get_by_label("Search sessions")
    box_.fill("FLUX")
    if javascript:
        page.wait_for_function("() => location.search === '?q=FLUX'")
    else:
        box_.press("Enter")
        page.wait_for_url(re.compile(r"\?q=FLUX$"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.card')].filter(c => c.offsetParent).length === 1"
    )
    assert visible_titles(page) == ["Typing legacy code"]
    box_ = page.get_by_label("Search sessions")
    box_.fill("bo types")
    if not javascript:
        box_.press("Enter")
        page.wait_for_url(re.compile(r"\?q=bo\+types$"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.card')].filter(c => c.offsetParent).length === 1"
    )
    assert visible_titles(page) == ["Typing legacy code"]
    screenshot(page, f"grid-filter-{'js' if javascript else 'no-js'}-{viewport['width']}")
    # Without JavaScript each filter is a page; with it, none after the first.
    expected = 1 if javascript else 5
    assert len(documents) == expected, documents
    console.close(context)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest_twisted.ensureDeferred
async def test_tag_and_search_filters(
    server: RunningServer,
    client: Client,
    browser: BrowserThread,
    javascript: bool,
    viewport: dict[str, int],
) -> None:
    await board_with_sessions(client)
    await browser.run(filters, server.url, javascript, viewport)


def printed(browser: Any, base: str) -> None:
    # A4 landscape (297 mm) less the page's 8 mm margins, and US Letter's (11 in).
    for name, width in (("a4", 1062), ("letter", 996)):
        context = new_context(browser, viewport={"width": width, "height": 700})
        page = context.new_page()
        page.goto(f"{base}/e/{SLUG}/")
        page.wait_for_function(LIVE)
        page.emulate_media(media="print")
        assert page.locator(".grid-head").is_visible()
        for hidden in (".search", ".hallway", "nav[aria-label=Event]", ".live-status"):
            assert not page.locator(hidden).first.is_visible(), hidden
        # The whole day's grid, rooms side by side, fits the page's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        heads = [box(page, f".grid-head span:text-is('{r}')") for r in ("Room One", "Room Four")]
        assert heads[0][1] == heads[1][1] and heads[1][2] <= width
        assert box(page, card("Packaging"))[2] <= width
        assert page.locator(".days a[aria-current]").is_visible()
        pdf = page.pdf(landscape=True, format="A4" if name == "a4" else "Letter")
        screenshot(page, f"grid-print-{name}")
        (page_size,) = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
        assert float(page_size[0]) > float(page_size[1])  # landscape
        context.close()


@pytest_twisted.ensureDeferred
async def test_the_print_stylesheet_prints_the_grid_on_a_landscape_page(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    await board_with_sessions(client)
    await browser.run(printed, server.url)


def audit(browser: Any, base: str, axe_source: str) -> dict[str, list[str]]:
    found = {}
    for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        for scheme in ("light", "dark"):
            context = new_context(browser, viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            for path in ("", "?tag=async"):
                page.goto(f"{base}/e/{SLUG}/{path}")
                page.wait_for_function(LIVE)
                found[f"{size} {scheme} {path}"] = axe_violations(page, axe_source)
            screenshot(page, f"grid-{size}-{scheme}-filtered")
            context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_axe_finds_nothing_on_the_board_at_phone_and_laptop_sizes(
    server: RunningServer, client: Client, browser: BrowserThread, axe_source: str
) -> None:
    await board_with_sessions(client)
    await client.request("PUT", f"/api/events/{SLUG}/blocked/r4/{slot_id(17)}", token=server.token)
    await client.post(f"/api/events/{SLUG}/meetups", {"title": "Rust chat", "place": "Café"})
    await official_talk(server)
    found = await browser.run(audit, server.url, axe_source)
    assert found == {name: [] for name in found}


def switch_days(browser: Any, base: str, javascript: bool) -> None:
    context = new_context(browser, viewport=LAPTOP, java_script_enabled=javascript)
    console = Console(context)
    page = context.new_page()
    documents: list[str] = []
    page.on(
        "request",
        lambda request: (
            documents.append(request.url) if request.resource_type == "document" else None
        ),
    )
    page.goto(f"{base}/e/{SLUG}/")
    if javascript:
        page.wait_for_function(LIVE)
    today = page.get_by_role("link", name="Today's talk")
    tomorrow = page.get_by_role("link", name="Tomorrow's talk")
    assert today.is_visible() and not tomorrow.is_visible()
    page.get_by_role("link", name="Thu 16 May").click()
    page.wait_for_url(re.compile(r"\?day=2030-05-16$"))
    tomorrow.wait_for()
    assert not today.is_visible()
    assert page.get_by_role("link", name="Thu 16 May").get_attribute("aria-current") == "date"
    page.get_by_role("link", name="Wed 15 May").click()
    today.wait_for()
    assert len(documents) == (1 if javascript else 3), documents
    if javascript:
        # Left on the current day, the grid follows the page's clock to the next day.
        page.goto(f"{base}/e/{SLUG}/")
        page.wait_for_function(LIVE)
        context.clock.fast_forward("09:00:00")  # 18:30 in Berlin: the first day is over
        tomorrow.wait_for()
        assert not today.is_visible()
    console.close(context)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest_twisted.ensureDeferred
async def test_the_day_switcher(
    server: RunningServer, client: Client, browser: BrowserThread, javascript: bool
) -> None:
    store = server.service.store
    assert store is not None
    base = conference_layout()
    tomorrow = tuple(
        Slot(f"t{slot.id}", slot.start + timedelta(days=1), slot.end + timedelta(days=1))
        for slot in base.slots
    )
    layout = Layout(base.info, base.rooms, base.slots + tomorrow)
    await store.execute(SLUG, SetLayout(layout), SYSTEM, utc_now(server.clock))
    await client.propose(room="r1", hour=12, title="Today's talk")
    await client.post(
        f"/api/events/{SLUG}/sessions",
        {"title": "Tomorrow's talk", "host": "Bo", "room": "r2", "slot": f"t{slot_id(10)}"},
    )
    await browser.run(switch_days, server.url, javascript)
