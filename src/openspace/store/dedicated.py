"""
One PostgreSQL connection of its own, used on one thread of its own.

The LISTEN connection and the leadership lock both need a session that lives on (a
notification channel, a session-level advisory lock), so neither can borrow a pooled
connection.  Their blocking calls run on a private one-thread pool, never on the reactor
thread, and never on the reactor's shared thread pool, which a long C{LISTEN} wait would
keep busy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from attrs import define, field
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

T = TypeVar("T")

Connect = Callable[[], "psycopg.Connection[Any]"]


@define
class DedicatedConnection:
    """
    Runs blocking work on one connection, connecting first when there is none.

    A connection that fails is closed and forgotten, so the next L{run} connects anew
    (for a session-level lock that means: the lock is gone).

    @ivar connect: makes a new connection (blocking; called on the private thread).
    @ivar reactor: an C{IReactorFromThreads} to hand results back with.
    """

    connect: Connect
    reactor: Any
    name: str
    _pool: ThreadPool = field(init=False)
    _connection: psycopg.Connection[Any] | None = field(init=False, default=None)
    _closing: Deferred[None] | None = field(init=False, default=None)
    _shutdown: object = field(init=False)

    def __attrs_post_init__(self) -> None:
        self._pool = ThreadPool(minthreads=0, maxthreads=1, name=self.name)
        self._pool.start()
        # Like the reactor's own pool: a thread left running would keep the process alive.
        self._shutdown = self.reactor.addSystemEventTrigger("during", "shutdown", self._pool.stop)

    def run(self, work: Callable[[psycopg.Connection[Any]], T]) -> Deferred[T]:
        """
        C{work(connection)} on the private thread.
        """
        return deferToThreadPool(self.reactor, self._pool, self._run, work)

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        if self._connection is None:
            self._connection = self.connect()
        try:
            return work(self._connection)
        except psycopg.Error:
            self._close()
            raise

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def close(self) -> Deferred[None]:
        """
        Close the connection (ending its session) and stop the thread.

        Call it once the work started with L{run} is done, or it waits for that work.
        Closing again waits for the first close.
        """
        if self._closing is None:
            self._closing = deferToThreadPool(self.reactor, self._pool, self._close)
            self._closing.addBoth(self._stopped)
        return Deferred.fromCoroutine(self._closed(self._closing))

    async def _closed(self, closing: Deferred[None]) -> None:
        await closing

    def _stopped(self, result: object) -> object:
        self.reactor.removeSystemEventTrigger(self._shutdown)
        # The thread is idle now, so joining it does not hold up the reactor.
        self._pool.stop()
        return result
