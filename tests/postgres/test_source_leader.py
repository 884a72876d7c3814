"""
Two nodes on one PostgreSQL database poll an official schedule source once: only the
leader runs pollers; the other shows the source as pending and the schedule that the
leader's commits brought it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred

from openspace.commands import SYSTEM, SetSources
from openspace.model import ScheduleSource
from openspace.official.poller import SchedulePoller, SourceStatus
from tests.conftest import NOW
from tests.official.upstream import Document, Upstream, frab, serving
from tests.postgres.waiting import until
from tests.support import SLUG, RunningServer

pytestmark = pytest.mark.postgres


@pytest_twisted.async_yield_fixture
async def upstream() -> AsyncIterator[tuple[Document, Upstream]]:
    document = Document(frab({"id": "t1", "start": "12:00", "room": "Main Hall"}))
    async with serving(document) as running:
        yield document, running


def polling_soon(server: RunningServer) -> bool:
    # Other timers share the server's clock (webhook deliveries): look for a poller's.
    return any(
        isinstance(getattr(call.func, "__self__", None), SchedulePoller)
        for call in server.clock.getDelayedCalls()
    )


def leads(server: RunningServer) -> bool:
    return server.service.leadership is not None and server.service.leadership.leading


@pytest_twisted.ensureDeferred
async def test_only_the_leader_polls(
    two_servers: list[RunningServer], upstream: tuple[Document, Upstream]
) -> None:
    document, running = upstream
    servers = two_servers
    await until(lambda: any(leads(server) for server in servers))
    leader, follower = sorted(servers, key=lambda server: not leads(server))
    assert leader.service.sources is not None and follower.service.sources is not None
    polled: Deferred[SourceStatus] = Deferred()
    leader.service.sources.add_status_listener(lambda slug, status: polled.callback(status))
    followers_polls: list[SourceStatus] = []
    follower.service.sources.add_status_listener(lambda slug, s: followers_polls.append(s))

    store = follower.service.store
    assert store is not None
    url = running.url + "/schedule.json"
    await store.execute(SLUG, SetSources((ScheduleSource(url),)), SYSTEM, NOW)
    # The leader hears of the new source from the database, then polls.
    await until(lambda: polling_soon(leader))
    for server in servers:
        server.clock.advance(0)
    assert (await polled).status == "ok"
    assert document.answers == [200]

    async def follower_has_it() -> bool:
        board = await store.board(SLUG)
        return board is not None and bool(board.official)

    await until(follower_has_it)
    board = await store.board(SLUG)
    assert board is not None
    assert [s.status for s in follower.service.sources.statuses(board)] == ["pending"]
    assert followers_polls == []
