"""
A live-updates client for tests: Autobahn's Twisted WebSocket client over a real socket,
keeping every frame and a L{Replica} of the board built from them.

Waiting is always on a Deferred that a received frame (or the close) fires; the timeouts
only turn a hang into a failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from twisted.internet.defer import Deferred

from tests.live.replica import Replica

JSON = dict[str, Any]
PATIENCE = 15.0


class RecordingProtocol(WebSocketClientProtocol):  # type: ignore[misc]
    factory: RecordingFactory

    def onOpen(self) -> None:
        self.factory.client.opened(self)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        self.factory.client.received(json.loads(payload))

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self.factory.client.closed(code, reason or "")


class RecordingFactory(WebSocketClientFactory):  # type: ignore[misc]
    protocol = RecordingProtocol
    client: LiveClient


class LiveClient:
    """
    One browser tab's worth of live connection, across reconnects.

    @ivar frames: every frame received, over all connections.
    @ivar errors: frames that broke the replica's rules (gaps, duplicates).
    """

    def __init__(
        self,
        base: str,
        slug: str,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base = base
        self.slug = slug
        self.origin = origin
        # Sent with every handshake (the desk's stream wants its session cookie).
        self.headers = headers
        self.replica = Replica()
        self.frames: list[JSON] = []
        self.errors: list[str] = []
        self.protocol: RecordingProtocol | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self._waiters: list[tuple[Callable[[], bool], Deferred[None]]] = []
        self._open: Deferred[RecordingProtocol] | None = None
        self._closed: Deferred[None] | None = None

    def url(self, resume: bool = True) -> str:
        ws = "ws" + self.base.removeprefix("http")
        url = f"{ws}/api/events/{self.slug}/live"
        if resume and self.replica.seq is not None:
            url += f"?since={self.replica.seq}&epoch={self.replica.epoch}"
        return url

    async def connect(self, *, resume: bool = True, url: str | None = None) -> RecordingProtocol:
        """
        Open a connection (resuming from the replica unless told not to); fails when the
        server refuses the handshake.
        """
        from twisted.internet import reactor
        from twisted.internet.endpoints import TCP4ClientEndpoint

        target = url or self.url(resume)
        factory = RecordingFactory(target, origin=self.origin, headers=self.headers)
        factory.client = self
        self.close_code, self.close_reason = None, ""
        self._open, self._closed = Deferred(), Deferred()
        self._open.addTimeout(PATIENCE, reactor)
        parts = urlsplit(target)
        endpoint = TCP4ClientEndpoint(reactor, parts.hostname, parts.port)
        await endpoint.connect(factory)
        return await self._open

    def opened(self, protocol: RecordingProtocol) -> None:
        self.protocol = protocol
        if self._open is not None and not self._open.called:
            self._open.callback(protocol)

    def received(self, frame: JSON) -> None:
        self.frames.append(frame)
        try:
            self.replica.receive(frame)
        except AssertionError as e:
            if frame["type"] != "error" and frame["type"] != "pong":
                self.errors.append(f"{e}: {frame!r}"[:500])
        self._check()

    def closed(self, code: int | None, reason: str) -> None:
        self.protocol = None
        self.close_code, self.close_reason = code, reason
        if self._open is not None and not self._open.called:
            self._open.errback(ConnectionRefusedError(f"handshake failed: {code} {reason}"))
        if self._closed is not None and not self._closed.called:
            self._closed.callback(None)
        self._check()

    def until(self, condition: Callable[[], bool]) -> Deferred[None]:
        """
        Fires once C{condition()} holds, checked after every frame and close.
        """
        from twisted.internet import reactor

        done: Deferred[None] = Deferred()
        if condition():
            done.callback(None)
            return done
        self._waiters.append((condition, done))
        return done.addTimeout(PATIENCE, reactor)

    def at_seq(self, seq: int) -> Deferred[None]:
        return self.until(lambda: self.replica.seq == seq)

    def _check(self) -> None:
        for waiter in list(self._waiters):
            condition, done = waiter
            if done.called:
                self._waiters.remove(waiter)
            elif condition():
                self._waiters.remove(waiter)
                done.callback(None)

    def send(self, payload: bytes, binary: bool = False) -> None:
        assert self.protocol is not None
        self.protocol.sendMessage(payload, isBinary=binary)

    async def close(self) -> None:
        """
        Close the connection and wait until it is gone.
        """
        if self.protocol is None or self._closed is None:
            return
        closed = self._closed
        self.protocol.sendClose(1000)
        await closed

    async def wait_closed(self, patience: float | None = PATIENCE) -> None:
        from twisted.internet import reactor

        assert self._closed is not None
        if patience is not None:
            self._closed.addTimeout(patience, reactor)
        await self._closed
