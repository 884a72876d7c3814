"""
Following the other nodes: C{LISTEN openspace} on a connection of its own.

Every write transaction of every node ends with C{pg_notify('openspace', 'slug:seq')}
(L{openspace.store.postgres}).  L{ChangeFeed} listens on one dedicated connection; a
thread waits for notifications and hands each to the reactor (C{callFromThread}), where
the store's L{Relay} reads the events after the last one this node has handed on and
gives them to the commit listeners, the live hub among them, exactly as if this node had
committed them.

Notifications sent while the connection is down are lost to it, so after every
(re)connect the feed first listens again, then has the store compare every board's
sequence number with what it has and catch up.  Reconnecting backs off (capped, with
jitter) on the injected clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import psycopg
from attrs import define, field
from twisted.application.internet import backoffPolicy
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from openspace.store.dedicated import DedicatedConnection
from openspace.store.postgres import CHANNEL, connect, describe

# How long one wait for notifications lasts before the thread checks for a stop.
WAIT = 0.5

_log = Logger()


class Followed(Protocol):
    """
    What the feed drives: L{openspace.store.sql.SQLBoardStore}.
    """

    def notified(self, slug: str, seq: int) -> None: ...

    def resync(self) -> Deferred[None]: ...


def parse(payload: str) -> tuple[str, int] | None:
    """
    The board and sequence number of a notification, or L{None} if it is not ours.
    """
    slug, _, seq = payload.rpartition(":")
    if not slug or not seq.isdigit():
        return None
    return slug, int(seq)


@define
class ChangeFeed:
    """
    Brings the commits of other nodes to this node's commit listeners.

    @ivar policy: seconds to wait before the Nth reconnection attempt.
    """

    store: Followed
    session: DedicatedConnection
    clock: IReactorTime
    policy: Callable[[int], float] = field(factory=backoffPolicy)
    _stopping: threading.Event = field(factory=threading.Event)
    _failures: int = 0
    _retry: IDelayedCall | None = None
    _busy: Deferred[None] = field(factory=lambda: succeed(None))
    _first: Deferred[None] = field(factory=Deferred)

    def start(self) -> Deferred[None]:
        """
        Start following; fires once the feed listens and this node has caught up (it
        keeps trying until then).
        """
        self._connect()
        return self._first

    def stop(self) -> Deferred[None]:
        """
        Stop following and close the connection.
        """
        self._stopping.set()
        if self._retry is not None and self._retry.active():
            self._retry.cancel()
        if not self._first.called:
            self._first.cancel()
        return self._busy.addBoth(lambda _: self.session.close())

    def _connect(self) -> None:
        self._retry = None
        listening = self.session.run(_listen)
        listening.addCallback(lambda _: self.store.resync())
        listening.addCallbacks(self._connected, self._lost)
        self._busy = listening

    def _connected(self, _: object) -> None:
        if self._stopping.is_set():
            return
        if self._failures:
            _log.info(
                "following other nodes again after {count} failed attempts", count=self._failures
            )
        self._failures = 0
        if not self._first.called:
            self._first.callback(None)
        reading = self.session.run(self._read)
        reading.addErrback(self._lost)
        self._busy = reading

    def _read(self, connection: psycopg.Connection[Any]) -> None:
        """
        On the feed's thread: pass on notifications until stopped or the connection fails.
        """
        while not self._stopping.is_set():
            for notification in connection.notifies(timeout=WAIT):
                position = parse(notification.payload)
                if position is not None:
                    self.session.reactor.callFromThread(self.store.notified, *position)

    def _lost(self, failure: Failure) -> None:
        if self._stopping.is_set():
            return
        self._failures += 1
        delay = self.policy(self._failures)
        _log.warn(
            "not following other nodes ({reason}); trying again in {delay:.1f} s",
            reason=failure.getErrorMessage(),
            delay=delay,
        )
        self._retry = self.clock.callLater(delay, self._connect)


def _listen(connection: psycopg.Connection[Any]) -> None:
    connection.execute(f"LISTEN {CHANNEL}")


async def follow(store: Followed, url: str, reactor: Any) -> ChangeFeed:
    """
    Start following the other nodes on the database at C{url}; returns once caught up.
    """
    session = DedicatedConnection(lambda: connect(url, "listen"), reactor, "openspace-listen")
    feed = ChangeFeed(store, session, reactor)
    _log.info("following other nodes through {where}", where=describe(url))
    await feed.start()
    return feed
