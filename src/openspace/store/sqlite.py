"""
The embedded default store: one SQLite file, written by a single thread.

Durability: WAL with C{synchronous=FULL}, so a write is on disk before its HTTP answer
goes out and survives a power loss, not only a crash.  One pool thread does every read
and write, so SQLite never sees two writers and the reactor never touches the file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from twisted.enterprise import adbapi
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from openspace.store.interface import NotADatabase
from openspace.store.sql import SQLBoardStore

# Every SQLite 3 database file starts with these 16 bytes.
_HEADER = b"SQLite format 3\x00"


class SQLiteDialect:
    def begin(self, cursor: Any) -> None:
        # IMMEDIATE takes the write lock now, so the board read next is the latest.
        cursor.execute("BEGIN IMMEDIATE")

    def sql(self, statement: str) -> str:
        return statement

    @property
    def lock_board(self) -> str:
        return ""

    def committing(self, cursor: Any, slug: str, seq: int) -> None:
        """
        Nothing else needs to know: SQLite serves a single process.
        """

    def lock_schema(self, cursor: Any) -> None:
        """
        BEGIN IMMEDIATE already keeps every other writer out.
        """

    def retryable(self, error: Exception) -> bool:
        # One writer at a time: no transaction ever loses a race.
        return False


def _configure(connection: sqlite3.Connection) -> None:
    # The timeout first: switching a new file to WAL takes a lock that another process
    # opening the same file at the same moment may hold.
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")


def check_database_file(path: Path) -> None:
    """
    Refuse with L{NotADatabase} a file that exists but is not an SQLite database: an
    empty file (SQLite would take it for a new database and serve an empty board, the
    usual result of a failed copy or a full disk), any other kind of file, or the
    database of another program (tables, but no openspace schema version).  A missing
    file is fine: it is created.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
    except FileNotFoundError:
        return
    except OSError as e:
        raise NotADatabase(f"cannot read the database file {path}: {e.strerror}") from e
    if not header:
        raise NotADatabase(
            f"the database file {path} is empty (0 bytes), not an openspace database: "
            "restore it from a backup, or remove it to start a new one"
        )
    if header != _HEADER:
        raise NotADatabase(f"{path} is not an SQLite database; check --db")
    # Read-only, once, before anything serves: a few pages of the file at most.
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as e:
        raise NotADatabase(f"{path} cannot be read as an SQLite database: {e}") from e
    if tables and "schema_version" not in tables:
        raise NotADatabase(
            f"{path} is an SQLite database of something else, not openspace's; check --db"
        )


def sqlite_pool(path: Path, reactor: Any = None) -> adbapi.ConnectionPool:
    check_database_file(path)
    kwargs: dict[str, Any] = {}
    if reactor is not None:
        kwargs["cp_reactor"] = reactor
    return adbapi.ConnectionPool(
        "sqlite3",
        str(path),
        check_same_thread=False,
        isolation_level=None,
        cp_min=1,
        cp_max=1,
        cp_openfun=_configure,
        **kwargs,
    )


def open_sqlite_store(path: Path, reactor: Any = None) -> Deferred[SQLBoardStore]:
    """
    Open (creating and migrating if needed) the SQLite store at C{path}.
    """
    store = SQLBoardStore(sqlite_pool(path, reactor), SQLiteDialect())

    def ready(_: object) -> SQLBoardStore:
        return store

    def failed(failure: Failure) -> Failure:
        store.pool.close()
        return failure

    return store.migrate().addCallbacks(ready, failed)
