"""
The board, the kiosk and the door screen are the same bytes for every visitor at a
given board state and view time: rendered once, revalidated with 304.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from tests.support import SLUG, Client, RunningServer, utc
from tests.web.browsing import Browser, raw_get

PAGES = [f"/e/{SLUG}/", f"/e/{SLUG}/kiosk", f"/e/{SLUG}/kiosk?room=r1"]


@pytest.mark.parametrize("path", PAGES)
@pytest_twisted.ensureDeferred
async def test_every_visitor_gets_the_same_bytes_and_a_304(
    server: RunningServer, client: Client, path: str
) -> None:
    session_id = (await client.propose(room="r1", hour=11)).json["session"]["id"]
    host = Browser(client)
    await host.get(f"/e/{SLUG}/propose")  # has a CSRF cookie now
    going = {"join": session_id, "back": f"/e/{SLUG}/"}
    await host.post(f"/e/{SLUG}/going", going, csrf=None, site="same-origin")
    stranger = Browser(client)
    mine, theirs = await host.get(path), await stranger.get(path)
    assert mine.status == theirs.status == 200
    assert mine.body == theirs.body
    assert mine.headers["etag"] == theirs.headers["etag"]
    assert "set-cookie" not in mine.headers and "set-cookie" not in theirs.headers
    assert b'name="csrf"' not in mine.body
    again = await raw_get(client, path, {"If-None-Match": mine.headers["etag"]})
    assert again.status == 304 and again.body == b""
    assert again.headers["etag"] == mine.headers["etag"]


@pytest_twisted.ensureDeferred
async def test_a_change_or_the_clock_makes_new_bytes(server: RunningServer, client: Client) -> None:
    first = await raw_get(client, f"/e/{SLUG}/", {})
    await client.propose(room="r2", hour=13)
    changed = await raw_get(client, f"/e/{SLUG}/", {})
    assert changed.headers["etag"] != first.headers["etag"]
    assert (await raw_get(client, f"/e/{SLUG}/", {})).headers["etag"] == changed.headers["etag"]
    server.set_now(utc(12, 5))  # the 12:00 slot has started
    later = await raw_get(client, f"/e/{SLUG}/", {})
    assert later.headers["etag"] != changed.headers["etag"]
    stale = await raw_get(client, f"/e/{SLUG}/", {"If-None-Match": changed.headers["etag"]})
    assert stale.status == 200


@pytest_twisted.ensureDeferred
async def test_me_says_what_is_the_visitors_own(server: RunningServer, client: Client) -> None:
    nobody = Browser(client)
    assert (await nobody.get(f"/e/{SLUG}/me")).json == {"going": [], "own": []}
    host = Browser(client)
    await host.get(f"/e/{SLUG}/propose")
    fields = {"title": "Mine", "host": "Me", "tags": "", "description": "", "cell": ""}
    fields["cell"] = "r3/" + (await client.get(f"/api/events/{SLUG}/board")).json["slots"][4]["id"]
    assert (await host.post(f"/e/{SLUG}/propose", fields)).status == 201
    me = await host.get(f"/e/{SLUG}/me")
    assert me.headers["cache-control"] == "no-store, private"
    assert len(me.json["own"]) == 1 and me.json["going"] == []
    assert (await nobody.get(f"/e/{SLUG}/me")).json == {"going": [], "own": []}
