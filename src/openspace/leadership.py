"""
One node at a time: leadership by a PostgreSQL session-level advisory lock.

Some work must not run on every node, the official-schedule poller above all (several
nodes polling would each import the same schedule).  L{Leadership} tries
C{pg_try_advisory_lock(key)} on a connection of its own every C{interval} seconds; the
node whose session holds the lock leads.  PostgreSQL releases the lock when that session
ends, so when the leading process dies or loses its connection, another node takes over
at its next try.

While leading, each try checks that the session is still alive; if it is not, the node
steps down (C{on_deposed}) at once.  A node cut off from the database may lead for up
to C{interval} seconds after the server has let another node take over: what it leads
must tolerate a short overlap (the poller's imports are idempotent).  The lock lives in
the session, so the nodes must reach PostgreSQL directly or through a session-mode pooler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from attrs import define, field
from twisted.internet.defer import Deferred, maybeDeferred, succeed
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from openspace.store.dedicated import DedicatedConnection
from openspace.store.postgres import advisory_key, connect

POLLER_LOCK = advisory_key("openspace:official-poller")
WEBHOOK_LOCK = advisory_key("openspace:webhooks")


@define
class Leadership:
    """
    Calls C{on_elected} when this node starts to lead and C{on_deposed} when it stops.

    @ivar key: the advisory lock key; one per kind of work (L{POLLER_LOCK}).
    @ivar interval: seconds between tries while following, and between checks while
        leading.
    """

    session: DedicatedConnection
    clock: IReactorTime
    on_elected: Callable[[], object]
    on_deposed: Callable[[], object]
    key: int = POLLER_LOCK
    interval: float = 5.0
    leading: bool = False
    _loop: LoopingCall = field(init=False)
    _log = Logger()

    def __attrs_post_init__(self) -> None:
        self._loop = LoopingCall(self._check)
        self._loop.clock = self.clock

    def start(self) -> None:
        self._loop.start(self.interval, now=True)

    def stop(self) -> Deferred[None]:
        """
        Step down (releasing the lock for the next node) and close the connection.
        """
        if self._loop.running:
            self._loop.stop()
        stepping_down = self.session.run(self._unlock) if self.leading else succeed(None)
        stepping_down.addErrback(lambda _: None)  # closing the session releases it anyway
        stepping_down.addCallback(lambda _: self._depose())
        return stepping_down.addCallback(lambda _: self.session.close())

    def _check(self) -> Deferred[None]:
        attempt = self.session.run(self._still_held if self.leading else self._try)
        # The loop stops for good on an unhandled failure: handle them all here.
        return attempt.addCallbacks(self._held, self._failed)

    def _try(self, connection: psycopg.Connection[Any]) -> bool:
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        return bool(row and row[0])

    def _still_held(self, connection: psycopg.Connection[Any]) -> bool:
        # The session is alive, so it still holds its session-level lock.
        connection.execute("SELECT 1")
        return True

    def _unlock(self, connection: psycopg.Connection[Any]) -> None:
        connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))

    def _held(self, held: bool) -> None:
        # A try that was under way when stop() was called must not elect this node.
        if held and not self.leading and self._loop.running:
            self.leading = True
            self._log.info("this node leads now (lock {key})", key=self.key)
            self._call(self.on_elected)

    def _failed(self, failure: Failure) -> None:
        self._log.warn("leadership check failed: {reason}", reason=failure.getErrorMessage())
        self._depose()

    def _depose(self) -> None:
        if self.leading:
            self.leading = False
            self._log.info("this node no longer leads (lock {key})", key=self.key)
            self._call(self.on_deposed)

    def _call(self, callback: Callable[[], object]) -> None:
        try:
            callback()
        except Exception:
            self._log.failure("leadership callback {callback!r} failed", callback=callback)


def while_leading(
    url: str,
    reactor: Any,
    key: int,
    start: Callable[[], Awaitable[object] | object],
    stop: Callable[[], object],
) -> Leadership:
    """
    Call C{start} whenever this node starts to lead for lock C{key} among the nodes of
    the PostgreSQL database at C{url}, and C{stop} when it stops; stop the returned
    L{Leadership} to step down.
    """
    log = Logger()

    def elected() -> None:
        starting = maybeDeferred(start)
        starting.addErrback(lambda failure: log.failure("leading {key} failed", failure, key=key))

    session = DedicatedConnection(lambda: connect(url, "leader"), reactor, "openspace-leader")
    leadership = Leadership(session, reactor, on_elected=elected, on_deposed=stop, key=key)
    leadership.start()
    return leadership
