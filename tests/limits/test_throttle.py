"""
Rate limits on a real server: 429 with Retry-After (JSON for the API, a page for forms),
per client as well as per address, refilled as the server's clock moves, never for
facilitators, and client addresses taken from trusted proxies only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest_twisted

from openspace.web.clientaddr import ClientAddresses
from openspace.web.limits import LimitOptions
from tests.live.wsclient import LiveClient
from tests.support import SLUG, Client, Reply, RunningServer, slot_id, start_server
from tests.web.browsing import Browser

STRICT = LimitOptions().with_rates(
    [
        "propose.address=3/60s",
        "going.address=100/60s",
        "going.client=2/60s",
        "meetup.address=1/60s",
        "live.address=2/60s",
        "signin.address=2/60s",
    ]
)


async def _server(tmp_path: Path, now: datetime, limits: LimitOptions) -> RunningServer:
    return await start_server(tmp_path / "limits.sqlite3", now, limits=limits)


@pytest_twisted.async_yield_fixture
async def strict(tmp_path: Path, now: datetime) -> AsyncIterator[RunningServer]:
    server = await _server(tmp_path, now, STRICT)
    yield server
    await server.stop()


@pytest_twisted.ensureDeferred
async def test_api_writes_past_the_burst_get_429_until_the_bucket_refills(
    strict: RunningServer,
) -> None:
    async with Client.open(strict.url) as client:
        for hour in (12, 13, 14):
            assert (await client.propose(room="r1", hour=hour)).status == 201
        refused = await client.propose(room="r1", hour=15)
        assert refused.status == 429
        assert refused.headers["retry-after"] == "20"
        assert refused.json["error"]["code"] == "rate_limited"
        assert refused.json["error"]["details"] == {"limit": "propose", "retry_after": 20}
        board = (await client.get(f"/api/events/{SLUG}/board")).json
        assert len(board["sessions"]) == 3
        strict.clock.advance(20)
        assert (await client.propose(room="r1", hour=15)).status == 201
        assert (await client.propose(room="r1", hour=16)).status == 429


@pytest_twisted.ensureDeferred
async def test_each_attendee_has_a_bucket_of_their_own_behind_one_address(
    strict: RunningServer,
) -> None:
    async with Client.open(strict.url) as client:
        session = (await client.propose()).json["session"]["id"]
        path = f"/api/events/{SLUG}/sessions/{session}/going"
        for _ in range(2):
            assert (await client.post(path, {"attendee": "attendee-one"})).status == 200
        assert (await client.post(path, {"attendee": "attendee-one"})).status == 429
        assert (await client.post(path, {"attendee": "attendee-two"})).status == 200


@pytest_twisted.ensureDeferred
async def test_facilitators_are_never_limited(strict: RunningServer) -> None:
    async with Client.open(strict.url) as client:
        for hour in range(11, 18):
            body = {"title": "Desk", "host": "Fran", "room": "r1", "slot": slot_id(hour)}
            reply = await client.post(f"/api/events/{SLUG}/sessions", body, token=strict.token)
            assert reply.status == 201, reply.body


@pytest_twisted.ensureDeferred
async def test_a_form_past_its_limit_gets_a_readable_page(strict: RunningServer) -> None:
    async with Client.open(strict.url) as client:
        browser = Browser(client)
        await browser.get(f"/e/{SLUG}/meetup")
        fields = {"title": "Packaging chat", "place": "By the stairs", "minutes": "30"}
        assert (await browser.post(f"/e/{SLUG}/meetup", fields)).status == 303
        await browser.get(f"/e/{SLUG}/meetup")
        refused = await browser.post(f"/e/{SLUG}/meetup", fields)
        assert refused.status == 429
        assert refused.headers["retry-after"] == "60"
        assert refused.headers["content-type"].startswith("text/html")
        assert "content-security-policy" in refused.headers
        assert "Wait 60 seconds" in refused.body.decode()


@pytest_twisted.ensureDeferred
async def test_sign_in_attempts_are_limited(strict: RunningServer) -> None:
    async with Client.open(strict.url) as client:
        browser = Browser(client)
        statuses = []
        for _ in range(3):
            await browser.get(f"/e/{SLUG}/desk")
            statuses.append(
                (await browser.post(f"/e/{SLUG}/desk/signin", {"token": "wrong guess"})).status
            )
        assert statuses == [403, 403, 429]


@pytest_twisted.ensureDeferred
async def test_live_connections_are_limited_per_address(strict: RunningServer) -> None:
    clients = [LiveClient(strict.url, SLUG) for _ in range(2)]
    try:
        for live in clients:
            await live.connect()
        async with Client.open(strict.url) as client:
            refused = await client.get(
                f"/api/events/{SLUG}/live",
                headers={
                    "Upgrade": "websocket",
                    "Connection": "Upgrade",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                    "Sec-WebSocket-Version": "13",
                },
            )
        assert refused.status == 429
        assert refused.json["error"]["details"]["limit"] == "live"
    finally:
        for live in clients:
            await live.close()


@pytest_twisted.ensureDeferred
async def test_forwarded_addresses_count_only_from_trusted_proxies(
    tmp_path: Path, now: datetime
) -> None:
    limits = LimitOptions(trusted_proxies=ClientAddresses.of(["127.0.0.1"])).with_rates(
        ["meetup.address=1/60s"]
    )
    server = await _server(tmp_path, now, limits)
    try:
        async with Client.open(server.url) as client:

            async def start(address: str, n: int) -> int:
                body = {"title": "Chat", "place": f"Spot {n}"}
                path = f"/api/events/{SLUG}/meetups"
                reply = await client.post(path, body, headers={"X-Forwarded-For": address})
                return reply.status

            assert await start("198.51.100.1", 1) == 201
            assert await start("198.51.100.2", 2) == 201
            assert await start("198.51.100.1", 3) == 429
    finally:
        await server.stop()


@pytest_twisted.ensureDeferred
async def test_forwarded_addresses_from_anyone_else_are_ignored(
    tmp_path: Path, now: datetime
) -> None:
    server = await _server(tmp_path, now, LimitOptions().with_rates(["meetup.address=1/60s"]))
    try:
        async with Client.open(server.url) as client:
            path = f"/api/events/{SLUG}/meetups"
            first = await client.post(
                path, {"title": "Chat", "place": "A"}, headers={"X-Forwarded-For": "198.51.100.1"}
            )
            second = await client.post(
                path, {"title": "Chat", "place": "B"}, headers={"X-Forwarded-For": "198.51.100.2"}
            )
        assert (first.status, second.status) == (201, 429)
    finally:
        await server.stop()


@pytest_twisted.ensureDeferred
async def test_a_closed_websocket_gives_its_connection_back(strict: RunningServer) -> None:
    guard = strict.service.site.guard if strict.service.site else None
    assert guard is not None
    before = len(guard)
    live = LiveClient(strict.url, SLUG)
    await live.connect()
    assert len(guard) == before + 1
    await live.close()
    await live.wait_closed()
    assert len(guard) == before


REPORTS = LimitOptions().with_rates(["report.address=2/60s", "report.client=1/60s"])


@pytest_twisted.ensureDeferred
async def test_reports_through_the_api_past_the_limit_get_429_until_the_clock_moves(
    tmp_path: Path, now: datetime
) -> None:
    server = await _server(tmp_path, now, REPORTS)
    try:
        async with Client.open(server.url) as client:
            item = (await client.propose()).json["session"]["id"]
            path = f"/api/events/{SLUG}/reports"

            async def report(attendee: str) -> Reply:
                return await client.post(path, {"item": item, "attendee": attendee})

            assert (await report("reporter-1")).status == 202
            # One attendee has a bucket of their own behind the venue's address.
            again = await report("reporter-1")
            assert again.status == 429
            assert again.json["error"]["details"] == {"limit": "report", "retry_after": 60}
            assert (await report("reporter-2")).status == 202
            refused = await report("reporter-3")
            assert refused.status == 429
            assert refused.headers["retry-after"] == "30"
            assert refused.headers["content-type"].startswith("application/json")
            assert refused.json["error"]["code"] == "rate_limited"
            assert refused.json["error"]["details"] == {"limit": "report", "retry_after": 30}
            queue = await client.get(path, token=server.token)
            assert {r["item"] for r in queue.json["reports"]} == {item}
            assert queue.json["reports"][0]["count"] == 2
            server.clock.advance(30)
            assert (await report("reporter-3")).status == 202
            assert (await report("reporter-4")).status == 429
    finally:
        await server.stop()


@pytest_twisted.ensureDeferred
async def test_report_forms_past_the_limit_get_a_readable_page_until_the_clock_moves(
    tmp_path: Path, now: datetime
) -> None:
    server = await _server(tmp_path, now, REPORTS)
    try:
        async with Client.open(server.url) as client:
            item = (await client.propose()).json["session"]["id"]
            statuses = []
            for n in range(3):
                browser = Browser(client)
                await browser.get(f"/e/{SLUG}/report?item={item}")
                reply = await browser.post(f"/e/{SLUG}/report", {"item": item, "reason": f"{n}"})
                statuses.append(reply.status)
            assert statuses == [200, 200, 429]
            assert reply.headers["retry-after"] == "30"
            assert reply.headers["content-type"].startswith("text/html")
            assert "content-security-policy" in reply.headers
            assert "Wait 30 seconds" in reply.body.decode()
            server.clock.advance(30)
            browser = Browser(client)
            await browser.get(f"/e/{SLUG}/report?item={item}")
            reply = await browser.post(f"/e/{SLUG}/report", {"item": item, "reason": "late"})
            assert reply.status == 200
    finally:
        await server.stop()
