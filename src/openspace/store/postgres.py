"""
The multi-node store: PostgreSQL through psycopg 3, on the same L{SQLBoardStore}.

Several openspace processes share one database.  What keeps them in step:

 - a command locks its board's row (C{SELECT ... FOR UPDATE}) for its transaction, so
   commands on one board are decided one after the other against the latest board, on
   whichever node they arrive: two claims of one cell give one winner;
 - two nodes creating the same board at once collide on its primary key; the loser's
   transaction runs again and finds the board (L{PostgresDialect.retryable});
 - every write transaction ends with C{pg_notify('openspace', 'slug:seq')}, delivered to
   the other nodes only if it commits (L{openspace.store.pgnotify} follows them);
 - migrations take an advisory lock, so nodes started together migrate once.

The pool's connections are in autocommit mode because L{SQLBoardStore} issues C{BEGIN}
and C{COMMIT} itself.  Connection URLs may hold passwords: they are never logged; log
L{describe} instead.

psycopg is an optional dependency (C{openspace[postgres]}): only a PostgreSQL URL makes
openspace import this module.
"""

from __future__ import annotations

import hashlib
from typing import Any

from twisted.enterprise import adbapi

from openspace.store.sql import SQLBoardStore

try:
    import psycopg
    from psycopg import errors
    from psycopg.conninfo import conninfo_to_dict
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError("PostgreSQL needs psycopg: pip install 'openspace[postgres]'") from e

CHANNEL = "openspace"
APPLICATION_NAME = "openspace"
POOL_SIZE = 4
CONNECT_TIMEOUT = 10


def describe(url: str) -> str:
    """
    Where C{url} points, without user or password: safe to log and to print.
    """
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "an unreadable PostgreSQL URL"
    host, port = parts.get("host") or "localhost", parts.get("port") or 5432
    return f"PostgreSQL database {parts.get('dbname') or ''!r} on {host}:{port}"


def advisory_key(name: str) -> int:
    """
    A stable 64-bit advisory lock key for C{name}.
    """
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


SCHEMA_LOCK = advisory_key("openspace:schema")


class PostgresDialect:
    def begin(self, cursor: Any) -> None:
        # READ COMMITTED is enough: the board's row lock orders the writers, and each
        # statement after the lock sees what the previous holder committed.
        cursor.execute("BEGIN")

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    @property
    def lock_board(self) -> str:
        return " FOR UPDATE"

    def committing(self, cursor: Any, slug: str, seq: int) -> None:
        # Only the position travels (payloads must stay under 8000 bytes); the other
        # nodes read the events themselves.
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{slug}:{seq:d}"))

    def lock_schema(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    def retryable(self, error: Exception) -> bool:
        return isinstance(
            error, errors.UniqueViolation | errors.SerializationFailure | errors.DeadlockDetected
        )


def connect(url: str, purpose: str) -> psycopg.Connection[Any]:
    """
    A blocking autocommit connection, named C{openspace/purpose} in C{pg_stat_activity}.
    """
    return psycopg.connect(url, **_options(purpose))


def _options(purpose: str) -> dict[str, Any]:
    return {
        "autocommit": True,
        "application_name": f"{APPLICATION_NAME}/{purpose}",
        "connect_timeout": CONNECT_TIMEOUT,
    }


def postgres_pool(url: str, reactor: Any = None) -> adbapi.ConnectionPool:
    return adbapi.ConnectionPool(
        "psycopg",
        url,
        cp_min=1,
        cp_max=POOL_SIZE,
        # A connection that failed (server restart, terminated backend) is replaced.
        cp_reconnect=True,
        cp_noisy=False,
        cp_reactor=reactor,  # None: the global reactor
        **_options("pool"),
    )


def postgres_store(url: str, reactor: Any = None) -> SQLBoardStore:
    """
    A store on C{url}, neither checked nor migrated (see L{open_postgres_store}).
    """
    return SQLBoardStore(postgres_pool(url, reactor), PostgresDialect())


async def open_postgres_store(url: str, reactor: Any = None) -> SQLBoardStore:
    """
    Open the store at C{url} to serve it: the schema must be exactly the one this code
    knows.  Migrating is left to C{openspace migrate}, run once for all nodes.
    """
    store = postgres_store(url, reactor)
    try:
        await store.check_schema()
    except BaseException:
        await store.close()
        raise
    return store
