"""
Exactly one winner across nodes: two servers on one PostgreSQL database, real HTTP.
"""

from __future__ import annotations

from collections import Counter

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred, gatherResults

from tests.postgres.waiting import until
from tests.support import SLUG, Client, RunningServer

pytestmark = pytest.mark.postgres


@pytest_twisted.ensureDeferred
async def test_200_claims_of_one_cell_over_two_nodes_give_one_201(
    two_servers: list[RunningServer],
) -> None:
    async with Client.open(two_servers[0].url) as one, Client.open(two_servers[1].url) as two:
        replies = await gatherResults(
            [
                Deferred.fromCoroutine(client.propose(room="r2", hour=14, title=f"Claim {n}"))
                for n in range(100)
                for client in (one, two)
            ]
        )
        assert Counter(reply.status for reply in replies) == {201: 1, 409: 199}
        (winner,) = [reply.json["session"]["id"] for reply in replies if reply.status == 201]

        async def sessions(client: Client) -> list[str]:
            board = (await client.get(f"/api/events/{SLUG}/board")).json
            return [session["id"] for session in board["sessions"]]

        async def both_show_the_winner() -> bool:
            return await sessions(one) == await sessions(two) == [winner]

        # The node that lost every claim learns of the winner through the feed.
        await until(both_show_the_winner)
