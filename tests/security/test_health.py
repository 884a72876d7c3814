"""
Health checks for load balancers (C{/healthz}, C{/readyz}), and C{/api/status}, which
only facilitators may read unless the deployment says otherwise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest_twisted
from attrs import define, field

from openspace.commands import SYSTEM, SetSources
from openspace.model import Board, ScheduleSource
from openspace.official.poller import SourceStatus
from openspace.official.sources import pending
from openspace.service import OpenspaceService, ServerConfig
from openspace.store.schema import LATEST
from openspace.tokens import FacilitatorKey
from openspace.web.api import JSONAPI
from openspace.web.site import Root, make_site
from tests.conftest import NOW
from tests.security.test_responses import assert_json_error, assert_security_headers
from tests.support import (
    FACILITATOR_TOKEN,
    SLUG,
    Client,
    RunningServer,
    serving,
)

# Closed loopback ports: the server's own pollers fail at once, and nothing leaves.
URLS = ("http://127.0.0.1:9/schedule.json", "http://127.0.0.1:9/schedule.xml")


@pytest_twisted.ensureDeferred
async def test_healthz_and_readyz_answer_when_all_is_well(client: Client) -> None:
    alive = await client.get("/healthz")
    assert (alive.status, alive.json) == (200, {"ok": True})
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert ready.json == {
        "ready": True,
        "checks": {"database": "ok", "schema": "ok", "sources": "ok"},
    }
    assert ready.headers["cache-control"] == "no-store"
    assert_security_headers(ready)


@pytest_twisted.ensureDeferred
async def test_readyz_fails_while_the_schema_is_not_this_versions(
    server: RunningServer, client: Client
) -> None:
    with sqlite3.connect(server.db) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST + 1,))
    reply = await client.get("/readyz")
    assert reply.status == 503
    assert reply.json["ready"] is False
    assert "upgrade openspace" in reply.json["checks"]["schema"]
    with sqlite3.connect(server.db) as db:
        db.execute("DELETE FROM schema_version WHERE version > ?", (LATEST,))
    assert (await client.get("/readyz")).status == 200


@define
class Statuses:
    shown: dict[str, str] = field(factory=dict)

    def __call__(self, board: Board) -> Sequence[SourceStatus]:
        return [
            SourceStatus(s.url, "auto", self.shown[s.url], None, "HTTP 500")
            if s.url in self.shown
            else pending(s)
            for s in board.sources
        ]


@pytest_twisted.async_yield_fixture
async def served(server: RunningServer) -> AsyncIterator[tuple[Statuses, Client]]:
    """
    The server's store and another root over it, whose source statuses the test sets.
    """
    from twisted.internet import reactor

    store = server.service.store
    assert store is not None
    sources = tuple(ScheduleSource(url) for url in URLS)
    await store.execute(SLUG, SetSources(sources), SYSTEM, NOW)
    statuses = Statuses()
    key = FacilitatorKey.from_token(FACILITATOR_TOKEN)
    root = Root(JSONAPI(store, server.clock, key, source_statuses=statuses), timer=reactor)
    async with serving(make_site(root)) as client:
        yield statuses, client


@pytest_twisted.ensureDeferred
async def test_readyz_fails_only_when_every_source_is_failing(
    served: tuple[Statuses, Client],
) -> None:
    statuses, client = served
    assert (await client.get("/readyz")).status == 200
    statuses.shown = {URLS[0]: "stale", URLS[1]: "ok"}
    assert (await client.get("/readyz")).status == 200
    statuses.shown = {URLS[0]: "stale"}
    assert (await client.get("/readyz")).status == 200
    statuses.shown = {URLS[0]: "stale", URLS[1]: "stale"}
    reply = await client.get("/readyz")
    assert reply.status == 503
    assert reply.json["checks"]["sources"] == "all 2 official schedule sources are failing"
    assert reply.json["checks"]["database"] == "ok"
    statuses.shown = {URLS[0]: "stale", URLS[1]: "ok"}
    assert (await client.get("/readyz")).status == 200


@pytest_twisted.ensureDeferred
async def test_status_needs_the_facilitator_token(client: Client) -> None:
    assert_json_error(await client.get("/api/status"), 401, "unauthenticated")
    assert_json_error(await client.get("/api/status", token="x" * 20), 403, "forbidden")
    reply = await client.get("/api/status", token=FACILITATOR_TOKEN)
    assert reply.status == 200
    assert reply.json["live"]["connections"] == 0


@pytest_twisted.ensureDeferred
async def test_status_may_be_made_public(tmp_path: Path) -> None:
    from twisted.internet import reactor

    config = ServerConfig(
        db=str(tmp_path / "public.sqlite3"),
        listen=("tcp:0:interface=127.0.0.1",),
        environ={"OPENSPACE_FACILITATOR_TOKEN": FACILITATOR_TOKEN},
        public_status=True,
    )
    service = OpenspaceService(config, reactor)
    service.startService()
    (url,) = await service.ready
    try:
        async with Client.open(url.rstrip("/")) as client:
            reply = await client.get("/api/status")
            assert reply.status == 200 and "live" in reply.json
    finally:
        await service.stopService()
