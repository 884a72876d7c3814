"""
Two nodes on one PostgreSQL database deliver a webhook once: only the node holding the
webhook lock delivers, changes made through either node arrive in order, and when the
leader dies the other node takes over from the last acknowledged seq.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_twisted

from tests.postgres.waiting import until
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer
from tests.webhooks.receiver import (
    Receiver,
    assert_in_order_without_gaps,
    deduplicated,
    receiving,
)

pytestmark = pytest.mark.postgres


@pytest_twisted.async_yield_fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as running:
        yield running


def delivers(server: RunningServer) -> bool:
    leadership = server.service.webhook_leadership
    return leadership is not None and leadership.leading


async def propose(server: RunningServer, hour: int) -> int:
    async with Client.open(server.url) as client:
        reply = await client.propose(title=f"At {hour}", hour=hour)
    assert reply.status == 201, reply.body
    board = await server.service.store.board(SLUG)  # type: ignore[union-attr]
    assert board is not None
    return board.seq


@pytest_twisted.ensureDeferred
async def test_only_the_leader_delivers_and_the_other_takes_over(
    two_servers: list[RunningServer], receiver: Receiver
) -> None:
    await until(lambda: any(delivers(server) for server in two_servers))
    leader, follower = sorted(two_servers, key=lambda server: not delivers(server))
    assert leader.service.webhooks is not None and follower.service.webhooks is not None
    async with Client.open(follower.url) as client:
        reply = await client.post(
            f"/api/events/{SLUG}/webhooks", {"url": receiver.url}, token=FACILITATOR_TOKEN
        )
    assert reply.status == 201
    hook_id, start = reply.json["webhook"]["id"], reply.json["webhook"]["acked_seq"]
    # Registered through the follower: the leader reads it at its next refresh.
    leader.clock.advance(15)
    await until(lambda: hook_id in leader.service.webhooks.deliveries())  # type: ignore[union-attr]
    assert not follower.service.webhooks.running
    assert follower.service.webhooks.deliveries() == {}

    last = 0
    for hour, node in zip((12, 13, 14, 15), (leader, follower, leader, follower), strict=True):
        last = await propose(node, hour)
    await until(lambda: bool(receiver.script.seqs()) and receiver.script.seqs()[-1] == last)
    assert receiver.script.seqs() == list(range(start + 1, last + 1))

    # The leader goes away; the other node leads and resumes after the acked seq.
    await leader.stop()
    two_servers.remove(leader)
    await until(lambda: delivers(follower), seconds=20)
    follower.clock.advance(0)
    for hour in (16, 17):
        last = await propose(follower, hour)
    await until(lambda: receiver.script.seqs()[-1] == last)
    # A batch the old leader sent but had not yet recorded as acknowledged comes again.
    seqs = receiver.script.seqs()
    assert deduplicated(seqs) == list(range(start + 1, last + 1))
    assert_in_order_without_gaps(seqs)
