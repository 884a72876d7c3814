"""
Test helpers: start a real openspace server on 127.0.0.1, talk HTTP to it with treq.

The server's notion of "now" is a L{task.Clock} set by the test, so slot rules are
deterministic; everything else (sockets, SQLite, threads) is real.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import treq
from attrs import define, frozen
from twisted.internet import task

from openspace.commands import SYSTEM, SetLayout
from openspace.events import Layout
from openspace.model import Cell, EventInfo, Room, RoomKind, Slot
from openspace.service import OpenspaceService, ServerConfig
from openspace.web.limits import LimitOptions
from openspace.web.live import LiveOptions

FACILITATOR_TOKEN = "test-facilitator-token-0123456789"
SLUG = "conf"
ZONE = ZoneInfo("Europe/Berlin")
DAY = datetime(2030, 5, 15, tzinfo=ZONE)


def conference_layout(slug: str = SLUG) -> Layout:
    """
    Four rooms and a hallway spot; hourly slots 09:00–18:00 Berlin time on 2030-05-15;
    the 17:00 slot of room r4 is blocked.
    """
    rooms = (
        Room("r1", "Room One", 30, "Ground floor"),
        Room("r2", "Room Two", 20, "Level 1"),
        Room("r3", "Room Three", 10, "Level 2"),
        Room("r4", "Room Four", 50, "Garden"),
        Room("cafe", "Café", None, "Lobby", kind=RoomKind.hallway),
    )
    slots = tuple(
        Slot(slot_id(hour), DAY.replace(hour=hour), DAY.replace(hour=hour + 1))
        for hour in range(9, 18)
    )
    return Layout(
        EventInfo(slug, "Test Conference", "Europe/Berlin"),
        rooms,
        slots,
        frozenset({Cell("r4", slot_id(17))}),
    )


def slot_id(hour: int) -> str:
    return f"2030-05-15-{hour:02d}00"


@define
class RunningServer:
    service: OpenspaceService
    clock: task.Clock
    url: str
    db: Path

    @property
    def token(self) -> str:
        return FACILITATOR_TOKEN

    def set_now(self, moment: datetime) -> None:
        self.clock.advance(moment.timestamp() - self.clock.seconds())

    async def stop(self) -> None:
        await self.service.stopService()


async def start_server(
    db: Path,
    now: datetime,
    *,
    layout: Layout | None = None,
    live: LiveOptions | None = None,
    limits: LimitOptions | None = None,
) -> RunningServer:
    from twisted.internet import reactor

    clock = task.Clock()
    clock.advance(now.timestamp())
    config = ServerConfig(
        db=str(db),
        listen=("tcp:0:interface=127.0.0.1",),
        environ={"OPENSPACE_FACILITATOR_TOKEN": FACILITATOR_TOKEN},
        live=live or LiveOptions(),
        limits=limits or LimitOptions(),
    )
    service = OpenspaceService(config, reactor, clock)
    service.startService()
    urls = await service.ready
    assert service.store is not None
    await service.store.execute(SLUG, SetLayout(layout or conference_layout()), SYSTEM, now)
    return RunningServer(service, clock, urls[0].rstrip("/"), db)


@frozen
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@define
class Client:
    """
    A small HTTP client for the API, on real sockets.
    """

    base: str
    http: Any
    pool: Any

    @classmethod
    @asynccontextmanager
    async def open(cls, base: str) -> AsyncIterator[Client]:
        from twisted.internet import reactor
        from twisted.web.client import Agent, HTTPConnectionPool

        pool = HTTPConnectionPool(reactor, persistent=True)
        pool.maxPersistentPerHost = 16
        http = treq.client.HTTPClient(Agent(reactor, pool=pool))
        try:
            yield cls(base, http, pool)
        finally:
            await pool.closeCachedConnections()

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        response = await self.http.request(
            method, self.base + path, data=data, headers={k: [v] for k, v in sent.items()}
        )
        content = await response.content()
        got = {k.decode().lower(): v[-1].decode() for k, v in response.headers.getAllRawHeaders()}
        return Reply(response.code, got, content)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.request("POST", path, body, **kwargs)

    async def propose(self, room: str = "r1", hour: int = 12, **fields: Any) -> Reply:
        body = {"title": "A session", "host": "Ann Host", "room": room, "slot": slot_id(hour)}
        body.update(fields)
        return await self.post(f"/api/events/{SLUG}/sessions", body)


@asynccontextmanager
async def serving(site: Any) -> AsyncIterator[Client]:
    """
    Serve C{site} (a L{twisted.web.server.Site}) on a free loopback port while in use.
    """
    from twisted.internet import reactor
    from twisted.internet.defer import maybeDeferred
    from twisted.internet.endpoints import serverFromString

    port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(site)
    try:
        async with Client.open(f"http://127.0.0.1:{port.getHost().port}") as client:
            yield client
    finally:
        await maybeDeferred(port.stopListening)


def utc(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute).astimezone(UTC)


ONE_HOUR = timedelta(hours=1)


# For tests that send bursts on purpose (concurrency, restarts): no rate limit is hit.
BURSTS_ALLOWED = LimitOptions().with_rates(
    f"{name}.{who}=1000000/1s"
    for name in ("propose", "meetup", "going", "write")
    for who in ("address", "client")
)
