"""
The server process dies in the middle of a burst of changes and comes back on the same
port and database: every client resumes from its own seq and ends up with every event
exactly once, in order.  Real processes, real sockets.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred, DeferredList

from tests.live.restarts import Follower, make_db, serve_again
from tests.live.wsclient import LiveClient
from tests.process import OpenspaceProcess
from tests.support import SLUG, Client

pytestmark = pytest.mark.slow

CLIENTS = 50
CHANGES = 60
KILL_AFTER = 20
POSTERS = 4
# The burst comes from one address, faster than any venue's.
BURSTS = ("--limit", "meetup.address=100000/1s")


@pytest_twisted.ensureDeferred
async def test_clients_get_every_seq_once_across_a_killed_server(
    tmp_path: Path, now: datetime
) -> None:
    db = tmp_path / "burst.sqlite3"
    await make_db(db, now)
    server, url = await OpenspaceProcess.serve(str(db), *BURSTS)
    followers = [Follower(LiveClient(url, SLUG)) for _ in range(CLIENTS)]
    try:
        for follower in followers:
            await follower.client.at_seq(1)
        made: list[int] = []
        halfway: Deferred[None] = Deferred()

        async def post_changes(client: Client, poster: int) -> None:
            while len(made) < CHANGES:
                try:
                    reply = await client.post(
                        f"/api/events/{SLUG}/meetups",
                        # Each in a place of its own: a place holds only a few at once.
                        {"title": f"Meetup {poster}.{len(made)}", "place": f"Spot {len(made)}"},
                    )
                except Exception:  # the server is being replaced: ask again
                    continue
                assert reply.status == 201, reply.body
                made.append(poster)
                if len(made) == KILL_AFTER:
                    halfway.callback(None)

        async with Client.open(url) as client:
            posting = DeferredList(
                [Deferred.fromCoroutine(post_changes(client, n)) for n in range(POSTERS)],
                fireOnOneErrback=True,
            )
            await halfway
            # Other changes are in flight: this one dies without a goodbye.
            server.signal("KILL")
            await server.ended()
            server = await serve_again(db, url, *BURSTS)
            await posting
            final = (await client.get(f"/api/events/{SLUG}/board")).json["seq"]
        # A change whose answer was lost with the server may still have been made.
        assert final >= 1 + CHANGES
        for follower in followers:
            await follower.client.at_seq(final)
        for follower in followers:
            assert follower.client.errors == []
            # The snapshot on first connect holds seq 1; every later seq came once.
            assert follower.client.replica.seqs == list(range(2, final + 1))
            assert follower.client.replica.snapshots == 1
        assert all(follower.reconnects >= 1 for follower in followers)
    finally:
        for follower in followers:
            await follower.stop()
        await server.kill()
