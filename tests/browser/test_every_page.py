"""
axe-core on every page the server has, in real Chromium, at phone (390×844), laptop
(1280×800) and kiosk (1920×1080) sizes, in light and dark colour schemes: no violation
of any impact.

Every page is reached as people reach it (links, forms, edit links), in each of its
states: the board filtered and searched, printed and offline; a session live, cancelled,
hidden or unknown; each form empty and refused; the pages shown once after proposing or
starting a meetup; the desk signed out and in, with its variants and a new webhook's
secret; the error pages (404, 429).  The page list names the route of each page, and
the test checks it against the route tables of the Klein apps, so that a new page
cannot be left out.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from attrs import frozen

from openspace.web.feeds import Feeds
from openspace.web.pages.app import Pages
from openspace.web.pages.desk_routes import DeskRoutes
from openspace.web.pages.meetup_routes import MeetupRoutes
from openspace.web.site import Root
from tests.browser.conftest import BrowserThread, axe_violations, new_context
from tests.conftest import NOW
from tests.support import (
    BURSTS_ALLOWED,
    FACILITATOR_TOKEN,
    SLUG,
    Client,
    RunningServer,
    start_server,
)

pytestmark = pytest.mark.browser

SIZES = {
    "phone": {"width": 390, "height": 844},
    "laptop": {"width": 1280, "height": 800},
    "kiosk": {"width": 1920, "height": 1080},
}
SCHEMES = ("light", "dark")
E = "/e/<slug>"

# The sub-apps' routes, by where the pages' app mounts them (Pages.meetup_branch and
# Pages.desk_branch).
MOUNTS = ((Root.app, ""), (Feeds.app, ""), (Pages.app, ""), (DeskRoutes.app, f"{E}/desk"))
MOUNTS += ((MeetupRoutes.app, f"{E}/m"),)

NOT_PAGES = {
    "/healthz": "JSON",
    "/readyz": "JSON",
    "/metrics": "Prometheus text",
    "/sw.js": "the service worker",
    f"{E}/manifest.webmanifest": "the web app manifest",
    "/static/<file_name>": "assets",
    "/favicon.ico": "an icon",
    E: "a redirect to the board",
    f"{E}/claim/<room_id>": "a redirect to the propose form",
    f"{E}/me": "JSON for the scripts",
    f"{E}/board.ics": "a calendar",
    f"{E}/rooms/<room_id>.ics": "a calendar",
    f"{E}/s/<session_id>.ics": "a calendar",
    f"{E}/my.ics": "a calendar",
    f"{E}/schedule.<any(xml, json):syntax>": "an export",
    f"{E}/pycon-open-spaces.json": "an export",
    f"{E}/changes.atom": "a feed",
    f"{E}/desk/live": "the desk's WebSocket stream",
}


def get_routes() -> set[str]:
    """
    Every GET route of the site's Klein apps, as mounted.
    """
    return {
        prefix + rule.rule
        for app, prefix in MOUNTS
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and "__rest__" not in rule.rule
    }


@frozen
class Event:
    """
    What the server holds for the pages to show.
    """

    session: str
    cancelled: str
    hidden: str
    owned: str
    owned_key: str
    meetup: str


@frozen
class Visit:
    route: str
    name: str
    reach: Callable[[Any, str, Event], None]
    media: str = "screen"


def goto(path: str) -> Callable[[Any, str, Event], None]:
    def reach(page: Any, base: str, event: Event) -> None:
        page.goto(base + path.format(event=event, slug=SLUG))

    return reach


def refused_proposal(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/propose")
    page.get_by_role("button", name="Propose").click()
    page.locator("#error-summary").wait_for()


def proposal(page: Any, base: str, event: Event) -> None:
    # By someone new: the host has their quota of sessions already.
    page.context.clear_cookies()
    page.goto(f"{base}/e/{SLUG}/propose")
    page.get_by_label("Title").fill("Fresh from the form")
    page.get_by_label("Your name").fill("Ann")
    page.locator("input[name=cell]").first.check()
    page.get_by_role("button", name="Propose").click()
    page.locator("a.edit-link").wait_for()


def proposal_again(page: Any, base: str, event: Event) -> None:
    page.reload()
    page.get_by_role("link", name="edit your session").wait_for()


def planned_meetup(page: Any, base: str, event: Event) -> None:
    """
    A meetup planned by someone new (the host has their quota of meetups already), at a
    time of its own for each size and scheme (a place holds only so many at once).
    """
    page.context.clear_cookies()
    hour = {390: 13, 1280: 15, 1920: 17}[page.viewport_size["width"]]
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    page.goto(f"{base}/e/{SLUG}/meetup")
    page.get_by_label("What is it about?").fill("Tea later")
    page.get_by_label("Time today", exact=True).fill(f"{hour}:{30 if dark else 00:02}")
    page.get_by_role("button", name="Start the meetup").click()
    page.get_by_role("heading", name="“Tea later” is planned").wait_for()


def refused_meetup(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/meetup")
    page.get_by_role("button", name="Start the meetup").click()
    page.locator("#error-summary").wait_for()


def cancel_asked(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/s/{event.owned}/edit")
    page.get_by_role("button", name="Cancel the session").click()


def private_calendar(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/calendar")
    page.get_by_role("button", name="Make my private link").click()
    page.get_by_role("heading", name="Your private calendar link").wait_for()


def signed_in(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()


def new_webhook(page: Any, base: str, event: Event) -> None:
    page.goto(f"{base}/e/{SLUG}/desk")
    # One per size and scheme: each a new receiver.
    receiver = f"https://hooks.example.org/{secrets.token_hex(4)}"
    page.locator("input[name=webhook_url]").fill(receiver)
    page.get_by_role("button", name="Add webhook").click()
    page.locator("#webhook-secret").wait_for()


def offline(page: Any, base: str, event: Event) -> None:
    """
    The board opened with no network, from the service worker, with its banner.
    """
    page.goto(f"{base}/e/{SLUG}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "async () => !!(await (await caches.open('os-pages')).match(location.pathname))"
    )
    page.context.set_offline(True)
    try:
        page.reload()
        page.locator(".offline-banner").wait_for()
    finally:
        page.context.set_offline(False)


def too_many(page: Any, base: str, event: Event) -> None:
    """
    The page a throttled form gets: the server below allows two "going" posts an hour.
    """
    for _ in range(3):
        page.goto(f"{base}/e/{SLUG}/s/{event.session}")
        with page.expect_navigation() as answer:
            page.locator("form#going").evaluate("form => form.submit()")
        if answer.value.status == 429:
            return
    raise AssertionError("the going form was never throttled")


# The host's edit link: it keeps their key in this browser (after someone new proposed).
KEY = "?key={event.owned_key}"
VISITS = (
    Visit("/", "home", goto("/")),
    Visit(f"{E}/", "board", goto("/e/{slug}/")),
    Visit(f"{E}/", "board, a tag", goto("/e/{slug}/?tag=async")),
    Visit(f"{E}/", "board, a search", goto("/e/{slug}/?q=packaging")),
    Visit(f"{E}/", "board, printed", goto("/e/{slug}/"), media="print"),
    Visit(f"{E}/", "board, offline", offline),
    Visit(f"{E}/s/<session_id>", "session", goto("/e/{slug}/s/{event.session}")),
    Visit(f"{E}/s/<session_id>", "session, printed", goto("/e/{slug}/s/{event.session}"), "print"),
    Visit(f"{E}/s/<session_id>", "session, own", goto("/e/{slug}/s/{event.owned}")),
    Visit(f"{E}/s/<session_id>", "session, cancelled", goto("/e/{slug}/s/{event.cancelled}")),
    Visit(f"{E}/s/<session_id>", "session, hidden", goto("/e/{slug}/s/{event.hidden}")),
    Visit(f"{E}/s/<session_id>", "session, unknown", goto("/e/{slug}/s/nope")),
    Visit(f"{E}/propose", "propose", goto("/e/{slug}/propose")),
    Visit(f"{E}/propose", "propose, refused", refused_proposal),
    Visit(f"{E}/s/<session_id>/proposed", "proposed", proposal),
    Visit(f"{E}/s/<session_id>/proposed", "proposed, reloaded", proposal_again),
    Visit(f"{E}/s/<session_id>/edit", "edit", goto("/e/{slug}/s/{event.owned}/edit" + KEY)),
    Visit(f"{E}/s/<session_id>/edit", "edit, cancel asked", cancel_asked),
    Visit(f"{E}/s/<session_id>/cancel", "cancel", goto("/e/{slug}/s/{event.owned}/cancel")),
    Visit(f"{E}/meetup", "meetup", goto("/e/{slug}/meetup")),
    Visit(f"{E}/meetup", "meetup, refused", refused_meetup),
    Visit(f"{E}/meetup", "meetup, planned", planned_meetup),
    Visit(f"{E}/m/<meetup_id>/edit", "meetup edit", goto("/e/{slug}/m/{event.meetup}/edit" + KEY)),
    Visit(f"{E}/report", "report", goto("/e/{slug}/report?item={event.session}")),
    Visit(f"{E}/kiosk", "kiosk", goto("/e/{slug}/kiosk")),
    Visit(f"{E}/kiosk", "door screen", goto("/e/{slug}/kiosk?room=r1")),
    Visit(f"{E}/calendar", "calendar", goto("/e/{slug}/calendar")),
    Visit(f"{E}/calendar", "private calendar", private_calendar),
    # Before signing in to the desk: facilitators are not throttled.
    Visit("404", "not found", goto("/no/such/page")),
    Visit("429", "too many requests", too_many),
    Visit(f"{E}/desk/", "desk sign-in", goto("/e/{slug}/desk")),
    Visit(f"{E}/desk/", "desk", signed_in),
    Visit(f"{E}/desk/", "desk, going shown", goto("/e/{slug}/desk?going=1")),
    Visit(f"{E}/desk/", "desk, placement", goto("/e/{slug}/desk?placement=2030-05-15")),
    Visit(f"{E}/desk/", "desk, a new webhook", new_webhook),
)


NOT_FOUND = {"session, unknown", "not found"}


def test_every_page_route_is_visited() -> None:
    routes = get_routes()
    assert set(NOT_PAGES) <= routes, "NOT_PAGES names a route that is gone"
    pages = routes - set(NOT_PAGES)
    visited = {visit.route for visit in VISITS}
    assert pages - visited == set(), "a page nobody audits"
    assert visited - pages == {"404", "429"}


@pytest_twisted.async_yield_fixture
async def crowded(tmp_path: Path) -> AsyncIterator[RunningServer]:
    limits = BURSTS_ALLOWED.with_rates(["going.address=2/1h", "going.client=2/1h"])
    running = await start_server(tmp_path / "board.sqlite3", NOW, limits=limits)
    yield running
    await running.stop()


async def an_event(server: RunningServer, client: Client) -> Event:
    api = f"/api/events/{SLUG}"

    async def propose(room: str, hour: int, title: str, **fields: Any) -> dict[str, Any]:
        reply = await client.propose(room=room, hour=hour, title=title, **fields)
        assert reply.status == 201, reply.body
        return dict(reply.json)

    session = await propose(
        "r1", 12, "Async all the things", tags=["async"], description="Bring a laptop."
    )
    await propose("r2", 12, "Packaging horror stories", tags=["packaging"])
    await propose("r3", 13, "Typing legacy code")
    cancelled = await propose("r2", 13, "Not happening")
    reply = await client.request(
        "DELETE", f"{api}/sessions/{cancelled['session']['id']}", token=cancelled["edit_token"]
    )
    assert reply.status < 300, reply.body
    hidden = await propose("r1", 14, "Cheap watches")
    reply = await client.request(
        "PUT", f"{api}/sessions/{hidden['session']['id']}/hidden", token=server.token
    )
    assert reply.status < 300, reply.body
    owned = await propose("r3", 15, "Mine to edit")
    # With the host's key: a browser keeps one edit key per event.
    reply = await client.post(
        f"{api}/meetups", {"title": "Rust chat", "place": "cafe"}, token=owned["edit_token"]
    )
    assert reply.status == 201, reply.body
    return Event(
        session["session"]["id"],
        cancelled["session"]["id"],
        hidden["session"]["id"],
        owned["session"]["id"],
        owned["edit_token"],
        reply.json["meetup"]["id"],
    )


def audit_everything(browser: Any, base: str, axe_source: str, event: Event) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for size, viewport in SIZES.items():
        for scheme in SCHEMES:
            context = new_context(browser, viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            # The host's edit link (their session's and their meetup's), kept in a cookie.
            page.goto(f"{base}/e/{SLUG}/s/{event.owned}/edit?key={event.owned_key}")
            for visit in VISITS:
                visit.reach(page, base, event)
                page.emulate_media(media=visit.media)
                wrong = axe_violations(page, axe_source)
                # A mistyped address would audit the 404 page instead.
                if page.title() == "Not found" and visit.name not in NOT_FOUND:
                    wrong.append(f"not found: {page.url}")
                found[f"{visit.name} ({size}, {scheme})"] = wrong
                page.emulate_media(media="screen")
            context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_axe_finds_nothing_on_any_page_at_any_size_in_either_scheme(
    crowded: RunningServer, browser: BrowserThread, axe_source: str
) -> None:
    async with Client.open(crowded.url) as client:
        event = await an_event(crowded, client)
    found = await browser.run(audit_everything, crowded.url, axe_source, event)
    assert len(found) == len(VISITS) * len(SIZES) * len(SCHEMES)
    assert {page: wrong for page, wrong in found.items() if wrong} == {}
