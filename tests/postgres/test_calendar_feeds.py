"""
Private calendars and feeds on two nodes of one PostgreSQL database: a feed made on one
node is read, followed and revoked on the other, and both nodes serve the same bytes.
"""

from __future__ import annotations

import re

import pytest
import pytest_twisted

from openspace.web.feeds import PRIVATE_TTL
from tests.support import SLUG, Client, RunningServer
from tests.web.browsing import Browser, raw_get

pytestmark = pytest.mark.postgres

HOST = {"Host": "board.example.org"}


@pytest_twisted.ensureDeferred
async def test_a_private_calendar_works_across_nodes(two_servers: list[RunningServer]) -> None:
    first, second = two_servers
    async with Client.open(first.url) as one, Client.open(second.url) as two:
        await one.propose(title="Packaging", hour=12)
        await two.propose(title="Typing", hour=13, room="r2")
        browser = Browser(one)
        await browser.get(f"/e/{SLUG}/calendar")
        await browser.post(f"/e/{SLUG}/calendar", {"stars": '["s2"]'})
        found = re.search(r"my\.ics\?token=([A-Za-z0-9_-]+)", browser.text())
        assert found
        token = found.group(1)
        path = f"/e/{SLUG}/my.ics?token={token}"
        assert b"Packaging" in (await two.get(path)).body
        synced = await two.request(
            "PUT", f"/e/{SLUG}/calendar/stars", {"stars": ["s3"]}, token=token
        )
        assert synced.status == 204
        body = (await one.get(path)).body
        assert b"Typing" in body and b"Packaging" not in body

        assert (await one.request("DELETE", f"/e/{SLUG}/calendar", token=token)).status == 204
        assert (await one.get(path)).status == 404
        # The other node remembers the feed for a while, then asks the database again.
        second.clock.advance(PRIVATE_TTL + 1)
        assert (await two.get(path)).status == 404

        for name in ("board.ics", "schedule.xml", "schedule.json", "changes.atom"):
            a = await raw_get(one, f"/e/{SLUG}/{name}", HOST)
            b = await raw_get(two, f"/e/{SLUG}/{name}", HOST)
            assert a.status == b.status == 200
            assert a.headers["etag"] == b.headers["etag"], name
