"""
Random interleavings of board changes with clients dropping and coming back, over real
sockets against a real server: afterwards each client's replica equals the server's
board.  The server's ring is tiny, so some resumes are served from the ring and some
with a snapshot.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial

import pytest
import pytest_twisted
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.defer import Deferred

from openspace.commands import SYSTEM, Refused, SetLayout
from openspace.store.interface import UndoLast
from openspace.views import board_json
from openspace.web.live import LiveOptions
from tests.conftest import NOW
from tests.live.replica import change_steps, command_for, view_of
from tests.live.wsclient import LiveClient
from tests.support import RunningServer, conference_layout, start_server

_boards = itertools.count()

steps_strategy = st.lists(
    st.one_of(
        change_steps,
        st.tuples(st.sampled_from(["drop", "connect"]), st.integers(0, 1)),
    ),
    max_size=15,
)


@pytest_twisted.async_yield_fixture(scope="module")
async def small_ring(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    db = tmp_path_factory.mktemp("interleavings") / "board.sqlite3"
    running = await start_server(db, NOW, live=LiveOptions(ring_size=3))
    yield running
    await running.stop()


def settled(client: LiveClient, seq: int) -> bool:
    return client.replica.seq == seq or bool(client.errors)


async def play(server: RunningServer, steps: list[tuple[object, ...]], now: datetime) -> None:
    store = server.service.store
    assert store is not None
    slug = f"board{next(_boards)}"
    board = (await store.execute(slug, SetLayout(conference_layout(slug)), SYSTEM, now)).board
    clients = [LiveClient(server.url, slug) for _ in range(2)]
    for step in steps:
        if step[0] == "change":
            kind, a, b, c = (int(n) for n in step[1:])  # type: ignore[call-overload]
            command = command_for(board, kind, a, b, c)
            try:
                outcome = await store.execute(slug, command or UndoLast(1), SYSTEM, now)
            except Refused:
                continue
            board = outcome.board
            continue
        client = clients[int(step[1])]  # type: ignore[call-overload]
        if step[0] == "connect" and client.protocol is None:
            await client.connect()
        elif step[0] == "drop" and client.protocol is not None:
            # Unclean, as a phone losing the network; frames in flight are lost.
            client.protocol.dropConnection(abort=True)
            await client.wait_closed()
    for client in clients:
        if client.protocol is None:
            await client.connect()
        # A gap or duplicate ends the wait at once (and fails below).
        await client.until(partial(settled, client, board.seq))
        assert client.errors == []
        assert client.replica.state == view_of(board_json(board))
        await client.close()


@pytest_twisted.ensureDeferred
async def test_random_changes_and_reconnects_over_real_sockets(small_ring: RunningServer) -> None:
    from twisted.internet import reactor
    from twisted.internet.threads import blockingCallFromThread, deferToThread

    # Hypothesis drives the examples from a thread; each one runs on the reactor, which
    # keeps serving meanwhile.
    @settings(max_examples=12, deadline=None)
    @given(steps=steps_strategy)
    def check(steps: list[tuple[object, ...]]) -> None:
        blockingCallFromThread(
            reactor, lambda: Deferred.fromCoroutine(play(small_ring, steps, NOW))
        )

    await deferToThread(check)
