"""
The attacker of the load test, in a process of its own so that its work does not slow
the measuring client: C{python -m tests.limits.attacker PORT SLOW SPAM}.

It opens SLOW connections that each send a request head one line a second and never
finish it, then sends SPAM meetup requests at once (50 connections), prints C{ready}
when both are under way, and at the end one JSON line: the status of every spam
answer, and how many slow connections the server cut and after how long.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

import treq
from twisted.internet import protocol, task
from twisted.internet.defer import Deferred, DeferredList, gatherResults
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.python.failure import Failure
from twisted.web.client import Agent, HTTPConnectionPool


class Slowloris(protocol.Protocol):
    def __init__(self) -> None:
        self.closed: Deferred[float] = Deferred()
        self.drip: task.LoopingCall | None = None
        self.opened = time.monotonic()

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.write(b"GET /e/conf/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.drip = task.LoopingCall(self._line)
        self.drip.start(1.0, now=False)

    def _line(self) -> None:
        assert self.transport is not None
        self.transport.write(b"X-Still-Here: 1\r\n")

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        if self.drip is not None and self.drip.running:
            self.drip.stop()
        self.closed.callback(time.monotonic() - self.opened)


async def attack(reactor: Any, port: int, slow: int, spam: int) -> None:
    endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    slow_ones = [Slowloris() for _ in range(slow)]
    for start in range(0, slow, 100):
        await gatherResults(
            [connectProtocol(endpoint, one) for one in slow_ones[start : start + 100]]
        )
    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = 50
    http = treq.client.HTTPClient(Agent(reactor, pool=pool))
    url = f"http://127.0.0.1:{port}/api/events/conf/meetups"

    async def one(n: int) -> int:
        response = await http.post(url, json={"title": "Spam", "place": f"P{n}"})
        await response.content()
        return int(response.code)

    burst = DeferredList([Deferred.fromCoroutine(one(n)) for n in range(spam)], consumeErrors=True)
    print("ready", flush=True)
    answers = await burst
    cut = await gatherResults([one.closed for one in slow_ones])
    await pool.closeCachedConnections()
    statuses = Counter(str(result) if ok else "lost" for ok, result in answers)
    print(json.dumps({"spam": statuses, "cut": len(cut), "longest": max(cut)}), flush=True)


def main() -> None:
    port, slow, spam = (int(arg) for arg in sys.argv[1:4])
    task.react(lambda reactor: Deferred.fromCoroutine(attack(reactor, port, slow, spam)))


if __name__ == "__main__":
    main()
