"""
The board, the kiosk and the door screen are the same bytes for every visitor at a
given board state and view time: rendered once, revalidated with 304.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_twisted
from attrs import Factory, define
from treq.testing import StubTreq
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from openspace.tokens import FacilitatorKey
from openspace.web.pages.app import Pages
from openspace.web.pages.fastpath import SharedFirst
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, utc
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
    framed = "kiosk" in path  # signage may frame kiosks and door screens, nothing else
    for reply in (mine, again):
        assert "script-src 'self'" in reply.headers["content-security-policy"]
        assert ("frame-ancestors" in reply.headers["content-security-policy"]) is not framed
        assert reply.headers.get("x-frame-options") == (None if framed else "DENY")
        assert reply.headers["x-content-type-options"] == "nosniff"


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
    assert (await host.post(f"/e/{SLUG}/propose", fields)).status == 303  # PRG
    me = await host.get(f"/e/{SLUG}/me")
    assert me.headers["cache-control"] == "no-store, private"
    assert len(me.json["own"]) == 1 and me.json["going"] == []
    assert (await nobody.get(f"/e/{SLUG}/me")).json == {"going": [], "own": []}


@implementer(IResource)
@define
class Counting:
    """
    A resource that counts the requests it is asked to render.
    """

    inner: IResource
    rendered: list[bytes] = Factory(list)
    isLeaf = True

    def getChildWithDefault(self, name: bytes, request: IRequest) -> IResource:
        return self

    def putChild(self, path: bytes, child: IResource) -> None:
        raise NotImplementedError

    def render(self, request: IRequest) -> Any:
        self.rendered.append(request.uri)
        return self.inner.render(request)


@pytest_twisted.ensureDeferred
async def test_a_rendered_shared_page_is_answered_before_routing(server: RunningServer) -> None:
    store = server.service.store
    assert store is not None
    pages = Pages(store, server.clock, FacilitatorKey.from_token(FACILITATOR_TOKEN))
    klein = Counting(pages.app.resource())
    http = StubTreq(SharedFirst(pages, klein))
    base = "http://board.example"
    for path in PAGES:
        first = await http.get(base + path, headers={"Accept-Encoding": "gzip"})
        body = await first.content()
        again = await http.get(base + path, headers={"Accept-Encoding": "gzip"})
        assert await again.content() == body
        mine, theirs = first.headers, again.headers
        for name in (b"etag", b"content-security-policy", b"cache-control", b"content-encoding"):
            assert mine.getRawHeaders(name) == theirs.getRawHeaders(name), name
        etag = mine.getRawHeaders(b"etag")[0]
        revalidated = await http.get(base + path, headers={"If-None-Match": etag})
        assert revalidated.code == 304
    # Each page went through Klein once, to be rendered; everything else came from memory.
    assert len(klein.rendered) == len(PAGES)
    assert (await http.get(base + f"/e/{SLUG}/kiosk?room=nope")).code == 404
    assert (await http.get(base + f"/e/{SLUG}/propose")).code == 200
    assert len(klein.rendered) == len(PAGES) + 2


@pytest_twisted.ensureDeferred
async def test_made_up_searches_never_push_the_board_out(
    server: RunningServer, client: Client
) -> None:
    """
    Each search is a shared rendering of its own, but on a shelf of its own: a stream of
    made-up queries evicts only other searches, and the board and kiosk stay in memory.
    """
    assert server.service.root is not None
    shared = server.service.root.pages.shared
    shared.size, shared.searches = 2, 3
    await raw_get(client, f"/e/{SLUG}/", {})
    await raw_get(client, f"/e/{SLUG}/kiosk", {})
    for n in range(10):
        assert (await raw_get(client, f"/e/{SLUG}/?q=nonsense{n}", {})).status == 200
    assert sorted(key[0] for key in shared._pages) == ["board", "kiosk"]
    assert len(shared._searches) == 3
    # A search is still shared: asked again, it is the same bytes, from the shelf.
    first = await raw_get(client, f"/e/{SLUG}/?q=nonsense9", {})
    second = await raw_get(client, f"/e/{SLUG}/?q=nonsense9", {})
    assert first.headers["etag"] == second.headers["etag"]
    assert len(shared._searches) == 3
