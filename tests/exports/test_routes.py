"""
The feeds over real HTTP: conditional GETs, one build per board change, every export
read back by the server's own schedule importer, and private "my open spaces" feeds.
"""

from __future__ import annotations

import pytest_twisted
from icalendar import Calendar
from twisted.internet.defer import Deferred, gatherResults

from openspace.web.feedcache import ExportCache
from tests.support import SLUG, Client, Reply, RunningServer
from tests.web.browsing import raw_get

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
        stale = await raw_get(client, path, {"If-None-Match": '"other"'})
        assert stale.status == 200


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
