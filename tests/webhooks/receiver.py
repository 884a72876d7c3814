"""
A real webhook receiver for tests: a twisted.web server on 127.0.0.1 (free port) whose
answers a test scripts one request at a time: acknowledge, fail (with an optional
C{Retry-After}), hang (never answer), or answer when the test says so (slow).

It verifies nothing itself: it records every request (headers and body) and how many
were in flight at once, and tests check signatures with the documented recipe.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import pairwise
from typing import Any

from attrs import define, field, frozen
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IListeningPort
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request, Site


@frozen
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def seqs(self) -> list[int]:
        return [event["seq"] for event in self.json["events"]]


@define
class Answer:
    """
    How to answer one request: C{status} (and C{retry_after}), at once or when
    C{release} fires; C{hang} never answers.
    """

    status: int = 200
    retry_after: str | None = None
    hang: bool = False
    release: Deferred[None] | None = None


@define
class Script:
    """
    The answers to come, in order (then C{default}), and what arrived.
    """

    default: Answer = field(factory=Answer)
    answers: deque[Answer] = field(factory=deque)
    received: list[Received] = field(factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    arrivals: list[Deferred[Received]] = field(factory=list)
    _drains: list[Deferred[None]] = field(factory=list)

    def then(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def next_arrival(self) -> Deferred[Received]:
        """
        Fires with the next request to arrive.
        """
        waiting: Deferred[Received] = Deferred()
        self.arrivals.append(waiting)
        return waiting

    def drained(self) -> Deferred[None]:
        """
        Fires once no request is open (the client may abort one: the server notices later).
        """
        if self.in_flight == 0:
            done: Deferred[None] = Deferred()
            done.callback(None)
            return done
        waiting: Deferred[None] = Deferred()
        self._drains.append(waiting)
        return waiting

    def closed_one(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            drains, self._drains = self._drains, []
            for waiting in drains:
                waiting.callback(None)

    def seqs(self) -> list[int]:
        """
        Every seq received, in order of arrival (duplicates included).
        """
        return [seq for request in self.received for seq in request.seqs]


class ReceiverResource(Resource):
    isLeaf = True

    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script

    def render_POST(self, request: Request) -> bytes | int:
        script = self.script
        assert request.content is not None
        headers = {
            key.decode().lower(): values[-1].decode()
            for key, values in request.requestHeaders.getAllRawHeaders()
        }
        received = Received(headers, request.content.read())
        script.received.append(received)
        script.in_flight += 1
        script.most_in_flight = max(script.most_in_flight, script.in_flight)
        answer = script.answers.popleft() if script.answers else script.default
        arrivals, script.arrivals = script.arrivals, []
        for arrival in arrivals:
            arrival.callback(received)

        open_ = [True]

        def finished(_: object) -> None:
            open_[0] = False
            script.closed_one()

        request.notifyFinish().addBoth(finished)
        if answer.hang:
            return NOT_DONE_YET
        if answer.release is not None:

            def answer_now(_: object) -> None:
                if open_[0]:
                    request.write(self._answer(request, answer))
                    request.finish()

            answer.release.addCallback(answer_now)
            return NOT_DONE_YET
        return self._answer(request, answer)

    def _answer(self, request: Request, answer: Answer) -> bytes:
        request.setResponseCode(answer.status)
        if answer.retry_after is not None:
            request.setHeader(b"retry-after", answer.retry_after.encode())
        return b'{"ok": true}' if answer.status < 300 else b"not now"


class TrackingSite(Site):
    """
    A site that can drop every connection it has open.
    """

    def __init__(self, resource: Resource) -> None:
        super().__init__(resource)
        self.channels: list[Any] = []

    def buildProtocol(self, addr: Any) -> Any:
        channel = super().buildProtocol(addr)
        self.channels.append(channel)
        return channel

    def drop_all(self) -> None:
        for channel in self.channels:
            transport = getattr(channel, "transport", None)
            if transport is not None:
                transport.abortConnection()
        self.channels.clear()


@define
class Receiver:
    url: str
    script: Script
    port: IListeningPort | None = None
    site: TrackingSite | None = None

    async def stop(self) -> None:
        """
        Stop listening and drop every open connection: the receiver is down.
        """
        if self.port is not None:
            port, self.port = self.port, None
            await maybeDeferred(port.stopListening)
        if self.site is not None:
            self.site.drop_all()
            self.site = None

    async def start(self) -> None:
        """
        Listen again, on the same port: the receiver is back.
        """
        from twisted.internet import reactor

        number = int(self.url.split(":")[2].split("/")[0])
        self.site = TrackingSite(ReceiverResource(self.script))
        endpoint = serverFromString(reactor, f"tcp:{number}:interface=127.0.0.1")
        self.port = await endpoint.listen(self.site)


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    from twisted.internet import reactor

    script = Script()
    site = TrackingSite(ReceiverResource(script))
    port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(site)
    receiver = Receiver(f"http://127.0.0.1:{port.getHost().port}/hook", script, port, site)
    try:
        yield receiver
    finally:
        await receiver.stop()


def deduplicated(seqs: list[int]) -> list[int]:
    """
    What a receiver keeps when it drops every seq it already has.
    """
    kept: list[int] = []
    for seq in seqs:
        if not kept or seq > kept[-1]:
            kept.append(seq)
    return kept


def assert_in_order_without_gaps(seqs: list[int]) -> None:
    # At least once: a batch may come again, but never out of order.
    for earlier, later in pairwise(seqs):
        assert later == earlier + 1 or later <= earlier, seqs
