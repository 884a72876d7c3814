"""
A client that never reads: the server stops handing it frames once its transport's buffer
is full, keeps that buffer bounded, closes it after the stall limit, and everybody else
keeps getting every event.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred

from openspace.web.live import LiveFactory, LiveOptions, LiveProtocol
from tests.conftest import NOW
from tests.live.wsclient import PATIENCE, LiveClient
from tests.support import FACILITATOR_TOKEN as TOKEN
from tests.support import SLUG, Client, RunningServer, start_server

STALL_LIMIT = 1.0


@pytest_twisted.async_yield_fixture
async def impatient(tmp_path: Path) -> AsyncIterator[RunningServer]:
    running = await start_server(
        tmp_path / "slow.sqlite3", NOW, live=LiveOptions(stall_limit=STALL_LIMIT, close_timeout=0.2)
    )
    yield running
    await running.stop()


def buffered(protocol: LiveProtocol) -> int:
    """
    Bytes the server holds for this connection, not yet taken by the kernel.
    """
    transport: Any = protocol.transport
    return len(transport.dataBuffer) - transport.offset + transport._tempDataLen


def never_reading_socket(url: str) -> socket.socket:
    """
    A WebSocket handshake sent from a socket with a tiny receive buffer that is never read.
    """
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /api/events/{SLUG}/live HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    sock.setblocking(False)
    return sock


@pytest_twisted.ensureDeferred
async def test_a_client_that_never_reads_is_bounded_then_closed(
    impatient: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twisted.internet import reactor

    live = impatient.service.live
    assert live is not None
    factory: LiveFactory = live.factory
    opened: Deferred[LiveProtocol] = Deferred()
    closed: Deferred[LiveProtocol] = Deferred()
    real_opened, real_closed = factory.opened, factory.closed

    def watch_opened(protocol: LiveProtocol) -> None:
        real_opened(protocol)
        if not opened.called:
            opened.callback(protocol)

    def watch_closed(protocol: LiveProtocol) -> None:
        real_closed(protocol)
        if not closed.called:
            closed.callback(protocol)

    monkeypatch.setattr(factory, "opened", watch_opened)
    monkeypatch.setattr(factory, "closed", watch_closed)

    sock = never_reading_socket(impatient.url)
    try:
        stuck = await opened.addTimeout(PATIENCE, reactor)
        monkeypatch.setattr(factory, "opened", real_opened)
        # Loopback lets the kernel buffer megabytes for a socket (send-buffer autotuning);
        # a fixed small send buffer stands for a phone gone quiet on venue Wi-Fi, so that
        # the server's own buffer, which this test is about, fills after a few frames.
        stuck.transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        reader = LiveClient(impatient.url, SLUG)
        await reader.connect()
        await reader.at_seq(1)
        async with Client.open(impatient.url) as client:
            session = (await client.propose()).json["session"]["id"]
            path = f"/api/events/{SLUG}/sessions/{session}"
            high_water, after_pause, frame_max = 0, 0, 0
            for index in range(300):
                expected = (reader.replica.seq or 0) + 1
                text = f"{index} " + "x" * 3900
                reply = await client.request("PATCH", path, {"description": text}, token=TOKEN)
                assert reply.status == 200, reply.json
                await reader.at_seq(expected)
                frame_max = max(frame_max, len(json.dumps(reader.frames[-1])))
                high_water = max(high_water, buffered(stuck))
                subscription = stuck._subscription
                if subscription is None or subscription.paused:
                    after_pause += 1
                    if after_pause == 3:
                        break
            assert after_pause == 3, "the stuck client was never paused"
            # Paused: nothing more is written for it, so its buffer stays at most the
            # transport's pause threshold plus the one frame that crossed it.
            assert high_water <= stuck.transport.bufferSize + 2 * frame_max
            await closed.addTimeout(PATIENCE, reactor)
            assert stuck.localCloseCode == 4008
            status = (await client.get("/api/status", token=TOKEN)).json["live"]
            assert status["connections"] == 1
            assert status["boards"][SLUG]["subscribers"] == 1
            # The reader got every event, once, in order.
            assert reader.errors == []
            assert reader.replica.seqs == list(range(2, (reader.replica.seq or 0) + 1))
        await reader.close()
    finally:
        sock.close()
