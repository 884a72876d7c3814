"""
The live connection's timers, in memory with clocks the tests move: Autobahn's pings
(its timers follow C{txaio.config.loop}) and the stall limit of a connection that stopped
reading (the factory's clock).
"""

from __future__ import annotations

import base64
import json
import os
import struct

import pytest
import txaio
from attrs import define
from twisted.internet import task
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from openspace.hub import Hub
from openspace.web.live import RESYNC, LiveFactory, LiveOptions, LiveProtocol, _Opening
from tests.conftest import NOW
from tests.live.replica import LocalBoard

PEER = IPv4Address("TCP", "127.0.0.1", 40000)


@define
class Connection:
    protocol: LiveProtocol
    transport: StringTransport
    pings: task.Clock
    clock: task.Clock

    def frames(self) -> bytes:
        """
        What the server wrote after its handshake answer, and forget it.
        """
        written = self.transport.value().split(b"\r\n\r\n", 1)[-1]
        self.transport.clear()
        return written


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> Connection:
    pings, clock = task.Clock(), task.Clock()
    monkeypatch.setattr(txaio.config, "loop", pings)
    factory = LiveFactory(LiveOptions(stall_limit=30.0), clock, pings)
    factory.hub = Hub(factory.prepareMessage, "v1")
    board = LocalBoard(NOW, factory.hub.committed).create()
    protocol = _Opening(factory, factory.hub, board, None, None).buildProtocol(PEER)
    transport = StringTransport(peerAddress=PEER)
    # As after twisted.web handed the connection over: its channel is the producer.
    transport.registerProducer(object(), True)
    protocol.makeConnection(transport)
    key = base64.b64encode(os.urandom(16))
    protocol.dataReceived(
        b"GET /api/events/conf/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    assert transport.value().startswith(b"HTTP/1.1 101")
    assert transport.producer is protocol
    return Connection(protocol, transport, pings, clock)


def test_the_server_pings_and_drops_a_peer_that_does_not_answer(connection: Connection) -> None:
    snapshot = connection.frames()
    assert json.loads(snapshot[4:])["type"] == "snapshot"
    connection.pings.advance(19)
    assert connection.frames() == b""
    connection.pings.advance(1.5)
    assert connection.frames()[:1] == b"\x89"
    connection.pings.advance(9)
    assert not connection.transport.disconnecting
    connection.pings.advance(1.5)
    assert connection.transport.disconnecting


def test_a_connection_that_stays_paused_is_closed_to_resync(connection: Connection) -> None:
    connection.frames()
    connection.protocol.pauseProducing()
    connection.clock.advance(29)
    connection.protocol.resumeProducing()
    connection.clock.advance(60)
    assert connection.frames() == b""
    connection.protocol.pauseProducing()
    connection.clock.advance(30)
    close = connection.frames()
    assert close[:1] == b"\x88"
    assert struct.unpack("!H", close[2:4]) == (RESYNC,)
