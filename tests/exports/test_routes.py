"""
The feeds over real HTTP: conditional GETs, one build per board change, every export
read back by the server's own schedule importer, and private "my open spaces" feeds.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest_twisted
from icalendar import Calendar
from treq.client import HTTPClient
from twisted.internet.defer import Deferred, gatherResults
from twisted.web.client import Agent

from openspace.commands import SYSTEM, SetOfficialSchedule, SetSources
from openspace.model import OfficialTalk, ScheduleSource
from openspace.official.check import check_source
from openspace.web.feedcache import ExportCache
from tests.support import SLUG, Client, Reply, RunningServer, utc
from tests.web.browsing import Browser, raw_get

FEEDS = (
    "board.ics",
    "rooms/r1.ics",
    "schedule.xml",
    "schedule.json",
    "schedule.xml?with=official",
    "schedule.json?with=official",
    "pycon-open-spaces.json",
    "changes.atom",
)


def cache(server: RunningServer) -> ExportCache:
    assert server.service.root is not None
    return server.service.root.feeds.cache


def summaries(body: bytes) -> list[str]:
    calendar = Calendar.from_ical(body)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


@pytest_twisted.ensureDeferred
async def test_every_feed_answers_conditional_gets(server: RunningServer, client: Client) -> None:
    await client.propose(title="Packaging", hour=12)
    for name in FEEDS:
        path = f"/e/{SLUG}/{name}"
        first = await client.get(path)
        assert first.status == 200, (name, first.body[:300])
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"')
        assert (await raw_get(client, path, {"If-None-Match": etag})).status == 304
        again = await raw_get(client, path, {"If-Modified-Since": modified})
        assert again.status == 304 and again.body == b""
        older = await raw_get(client, path, {"If-Modified-Since": "Mon, 01 Jan 2029 00:00:00 GMT"})
        assert older.status == 200
        stale = await raw_get(client, path, {"If-None-Match": '"other"'})
        assert stale.status == 200
        assert stale.headers["access-control-allow-origin"] == "*"
        head = await client.request("HEAD", path)
        assert head.status == 200 and head.body == b""
        assert head.headers["etag"] == etag


@pytest_twisted.ensureDeferred
async def test_a_change_gives_a_new_etag_and_content(server: RunningServer, client: Client) -> None:
    await client.propose(title="Packaging", hour=12)
    path = f"/e/{SLUG}/board.ics"
    first = await client.get(path)
    await client.propose(title="Testing", hour=13)
    reply = await raw_get(client, path, {"If-None-Match": first.headers["etag"]})
    assert reply.status == 200
    assert reply.headers["etag"] != first.headers["etag"]
    assert sorted(summaries(reply.body)) == ["Packaging", "Testing"]


@pytest_twisted.ensureDeferred
async def test_a_thousand_polls_cost_one_build(server: RunningServer, client: Client) -> None:
    await client.propose(title="Packaging", hour=12)
    feeds = cache(server)
    before = feeds.builds
    replies = await gatherResults([_get(client, f"/e/{SLUG}/board.ics") for _ in range(200)])
    assert {reply.status for reply in replies} == {200}
    assert len({reply.body for reply in replies}) == 1
    assert feeds.builds == before + 1


def _get(client: Client, path: str) -> Deferred[Reply]:
    return Deferred.fromCoroutine(client.get(path))


async def official_talks(server: RunningServer) -> None:
    """
    Two official talks from one configured source, straight into the store.
    """
    store = server.service.store
    assert store is not None
    source = "https://example.org/schedule.json"
    now = datetime(2030, 5, 15, 9, 30, tzinfo=UTC)
    await store.execute(SLUG, SetSources((ScheduleSource(source),)), SYSTEM, now)
    talks = tuple(
        OfficialTalk(
            f"t{hour}",
            source,
            f"Keynote {hour} — Grüße",
            utc(hour),
            utc(hour) + timedelta(minutes=45),
            "Main Hall",
            ("Ada",),
            url="https://example.org/talk",
        )
        for hour in (9, 10)
    )
    await store.execute(SLUG, SetOfficialSchedule(source, talks), SYSTEM, now)


@pytest_twisted.ensureDeferred
async def test_openspace_source_check_reads_every_export_back(
    server: RunningServer, client: Client
) -> None:
    from twisted.internet import reactor

    await client.propose(title="Ünïcödé ☃ packaging", hour=12, description="")
    await client.propose(title="x" * 120, hour=13, room="r2", tags=["a", "b"])
    await client.post(f"/api/events/{SLUG}/meetups", {"title": "Coffee", "place": "Café"})
    await official_talks(server)
    http = HTTPClient(Agent(reactor))
    expected = {
        "board.ics": ("ical", 3),
        "rooms/r1.ics": ("ical", 1),
        "s/s2.ics": ("ical", 1),
        "schedule.xml": ("frab-xml", 3),
        "schedule.json": ("frab-json", 3),
        "schedule.xml?with=official": ("frab-xml", 5),
        "schedule.json?with=official": ("frab-json", 5),
        "pycon-open-spaces.json": ("pyconus", 2),
    }
    titles = {"Ünïcödé ☃ packaging", "x" * 120}
    for name, (format, count) in expected.items():
        report = await check_source(http, reactor, f"{server.url}/e/{SLUG}/{name}", None, None)
        assert report.result is not None, (name, report.error)
        assert report.result.format == format, name
        assert report.result.skipped == (), (name, report.result.skipped)
        assert len(report.result.talks) == count, name
        found = {talk.title for talk in report.result.talks}
        if name not in ("rooms/r1.ics", "s/s2.ics"):
            assert titles <= found, name


@pytest_twisted.ensureDeferred
async def test_unknown_events_rooms_and_sessions_are_404(
    server: RunningServer, client: Client
) -> None:
    for path in (
        "/e/nope/board.ics",
        f"/e/{SLUG}/rooms/nope.ics",
        f"/e/{SLUG}/s/s99.ics",
        "/e/nope/schedule.json",
        f"/e/{SLUG}/my.ics?token=not-a-token",
        f"/e/{SLUG}/my.ics",
    ):
        reply = await client.get(path)
        assert reply.status == 404, path
        assert reply.headers["x-content-type-options"] == "nosniff"


@pytest_twisted.ensureDeferred
async def test_the_board_links_the_feeds_and_sessions_offer_add_to_calendar(
    server: RunningServer, client: Client
) -> None:
    await client.propose(title="Packaging", hour=12)
    board = (await client.get(f"/e/{SLUG}/")).body.decode()
    assert "Take it with you" in board
    for name in ("calendar", "board.ics", "schedule.xml", "schedule.json", "changes.atom"):
        assert f'href="/e/{SLUG}/{name}"' in board
    session = (await client.get(f"/e/{SLUG}/s/s2")).body.decode()
    assert f'href="/e/{SLUG}/s/s2.ics"' in session
    assert "Add to calendar" in session


async def make_private_feed(browser: Browser, stars: list[str]) -> tuple[str, str]:
    """
    Ask for a private feed as the subscribe page does; the token and the feed's path.
    """
    page = await browser.get(f"/e/{SLUG}/calendar")
    assert page.status == 200
    assert "webcal://" in page.body.decode()
    assert re.search(r'href="webcal://[^"]+/e/conf/rooms/r1\.ics"', page.body.decode())
    reply = await browser.post(f"/e/{SLUG}/calendar", {"stars": json.dumps(stars)})
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    found = re.search(
        rf'value="(https?://[^"]+/e/{SLUG}/my\.ics\?token=([A-Za-z0-9_-]+))"', browser.text()
    )
    assert found, browser.text()
    assert "webcal://" in browser.text()
    return found.group(2), found.group(1).split("://", 1)[1].split("/", 1)[1]


@pytest_twisted.ensureDeferred
async def test_my_open_spaces_holds_starred_going_and_hosted_sessions(
    server: RunningServer, client: Client
) -> None:
    mine = (await client.propose(title="Hosted by me", hour=12)).json
    starred = (await client.propose(title="Starred", hour=13, room="r2")).json
    going = (await client.propose(title="Going", hour=14, room="r3")).json
    await client.propose(title="Not mine", hour=15)
    browser = Browser(client)
    browser.cookies["os_attendee"] = "attendee-1234567"
    browser.cookies["os_edit"] = mine["edit_token"]
    await client.post(
        f"/api/events/{SLUG}/sessions/{going['session']['id']}/going",
        {"attendee": "attendee-1234567"},
    )
    token, path = await make_private_feed(browser, [starred["session"]["id"], "s999"])
    feed = await client.get("/" + path)
    assert feed.status == 200
    assert feed.headers["cache-control"] == "private, no-cache"
    assert sorted(summaries(feed.body)) == ["Going", "Hosted by me", "Starred"]
    assert (
        await raw_get(client, "/" + path, {"If-None-Match": feed.headers["etag"]})
    ).status == 304

    # The board's script keeps the stars in step.
    synced = await client.request("PUT", f"/e/{SLUG}/calendar/stars", {"stars": []}, token=token)
    assert synced.status == 204
    assert sorted(summaries((await client.get("/" + path)).body)) == ["Going", "Hosted by me"]
    wrong = await client.request("PUT", f"/e/{SLUG}/calendar/stars", {"stars": []}, token="x" * 32)
    assert wrong.status == 404
    assert (await client.request("PUT", f"/e/{SLUG}/calendar/stars", {"stars": []})).status == 401

    # The database keeps only the token's digest.
    raw = sqlite3.connect(server.db)
    try:
        dump = "\n".join(raw.iterdump())
    finally:
        raw.close()
    assert token not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump

    # Revoked: the link stops at once.
    assert (await client.request("DELETE", f"/e/{SLUG}/calendar", token=token)).status == 204
    assert (await client.get("/" + path)).status == 404
    assert (await client.request("DELETE", f"/e/{SLUG}/calendar", token=token)).status == 404


@pytest_twisted.ensureDeferred
async def test_the_revoke_form_stops_a_link_and_needs_csrf(
    server: RunningServer, client: Client
) -> None:
    browser = Browser(client)
    token, path = await make_private_feed(browser, [])
    refused = await browser.post(f"/e/{SLUG}/calendar/revoke", {"token": token}, csrf="bad")
    assert refused.status == 403
    assert (await client.get("/" + path)).status == 200
    await browser.get(f"/e/{SLUG}/calendar")
    stopped = await browser.post(f"/e/{SLUG}/calendar/revoke", {"token": token})
    assert stopped.status == 200 and "no longer works" in browser.text()
    assert (await client.get("/" + path)).status == 404


@pytest_twisted.ensureDeferred
async def test_making_a_private_feed_needs_csrf(server: RunningServer, client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/calendar")
    reply = await browser.post(f"/e/{SLUG}/calendar", {"stars": "[]"}, csrf=None)
    assert reply.status == 403
    assert "my.ics" not in browser.text()


@pytest_twisted.ensureDeferred
async def test_going_rebuilds_personal_calendars_only(
    server: RunningServer, client: Client
) -> None:
    session = (await client.propose(title="Packaging", hour=12)).json["session"]["id"]
    browser = Browser(client)
    browser.cookies["os_attendee"] = "attendee-1234567"
    _, path = await make_private_feed(browser, [])
    public = {name: await client.get(f"/e/{SLUG}/{name}") for name in FEEDS}
    mine = await client.get("/" + path)
    assert summaries(mine.body) == []
    feeds = cache(server)
    builds = feeds.builds
    await client.post(
        f"/api/events/{SLUG}/sessions/{session}/going", {"attendee": "attendee-1234567"}
    )
    for name, before in public.items():
        reply = await raw_get(
            client, f"/e/{SLUG}/{name}", {"If-Modified-Since": before.headers["last-modified"]}
        )
        assert reply.status == 304, name
    assert feeds.builds == builds
    after = await raw_get(client, "/" + path, {"If-None-Match": mine.headers["etag"]})
    assert after.status == 200
    assert summaries(after.body) == ["Packaging"]
    assert feeds.builds == builds + 1


@pytest_twisted.ensureDeferred
async def test_a_host_who_proposes_later_finds_their_session_after_a_sync(
    server: RunningServer, client: Client
) -> None:
    browser = Browser(client)
    token, path = await make_private_feed(browser, [])
    hosted = (await client.propose(title="Proposed later", hour=12)).json
    assert summaries((await client.get("/" + path)).body) == []
    synced = await client.request(
        "PUT",
        f"/e/{SLUG}/calendar/stars",
        {"stars": []},
        token=token,
        headers={"Cookie": f"os_edit={hosted['edit_token']}"},
    )
    assert synced.status == 204
    assert summaries((await client.get("/" + path)).body) == ["Proposed later"]
    # A sync without the cookie keeps the host's sessions.
    await client.request("PUT", f"/e/{SLUG}/calendar/stars", {"stars": []}, token=token)
    assert summaries((await client.get("/" + path)).body) == ["Proposed later"]
