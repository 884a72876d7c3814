"""
Two real C{openspace serve} processes on one PostgreSQL database, a live client on each.

Changes go in through both nodes; each client must see every event once, in order, with
no gaps, whichever node made it.  Then one node is SIGKILLed: the other keeps serving,
and the killed node's client resumes on it without a gap.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import suppress

import pytest
import pytest_twisted
import treq
from twisted.internet.defer import Deferred, gatherResults
from twisted.internet.error import ProcessExitedAlready

from openspace.commands import SYSTEM, SetLayout
from openspace.store.sql import SQLBoardStore
from tests.conftest import NOW
from tests.live.wsclient import LiveClient
from tests.process import OpenspaceProcess
from tests.support import SLUG, conference_layout, slot_id

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOMS = ("r1", "r2", "r3")


@pytest_twisted.async_yield_fixture
async def nodes(
    pg_store: SQLBoardStore, pg_url: str
) -> AsyncIterator[list[tuple[OpenspaceProcess, str]]]:
    await pg_store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    started = await gatherResults(
        [Deferred.fromCoroutine(OpenspaceProcess.serve(pg_url)) for _ in range(2)]
    )
    yield started
    for process, _ in started:
        with suppress(ProcessExitedAlready):
            await process.kill()


async def propose(url: str, number: int) -> int:
    body = {
        "title": f"Session {number}",
        "host": "Host",
        "room": ROOMS[number % 3],
        # Slots from 10:00 on: the test conference's "now" is 09:30 in the real world too.
        "slot": slot_id(10 + number // 3),
    }
    response = await treq.post(
        f"{url}/api/events/{SLUG}/sessions",
        json.dumps(body).encode(),
        headers={"Content-Type": ["application/json"]},
        persistent=False,
    )
    await response.content()
    return int(response.code)


@pytest_twisted.ensureDeferred
async def test_both_nodes_push_every_event_and_one_survives_the_other(
    nodes: list[tuple[OpenspaceProcess, str]],
) -> None:
    (first, first_url), (second, second_url) = nodes
    clients = [LiveClient(first_url, SLUG), LiveClient(second_url, SLUG)]
    for client in clients:
        await client.connect()
    codes = await gatherResults(
        [Deferred.fromCoroutine(propose(first_url if n % 2 else second_url, n)) for n in range(12)]
    )
    assert codes == [201] * 12
    await gatherResults([client.at_seq(13) for client in clients])
    for client in clients:
        assert client.errors == []
        assert client.replica.seqs == list(range(2, 14))
        # Deltas all the way: the hub never had to fall back to a snapshot.
        assert client.replica.snapshots == 1
    assert clients[0].replica.state == clients[1].replica.state

    await first.kill()
    await clients[0].wait_closed()
    assert await propose(second_url, 12) == 201
    await clients[1].at_seq(14)
    # The first node's client goes to the surviving node and resumes where it was.
    clients[0].base = second_url
    await clients[0].connect()
    await clients[0].at_seq(14)
    assert clients[0].replica.resumes == 1
    assert clients[0].replica.seqs == clients[1].replica.seqs == list(range(2, 15))
    assert clients[0].errors == clients[1].errors == []
    for client in clients:
        await client.close()
    # The survivor still shuts down cleanly, its LISTEN connection included.
    assert await second.stop() == 0
    assert "Traceback" not in second.stderr
