"""
A L{BoardStore} on any DB-API database reached through C{twisted.enterprise.adbapi}.

Each command runs in one database transaction on a pool thread: lock the board's row,
decide the command against the latest board, append the events, write the new
materialised board, commit.  Only then is the result handed back to the reactor and to
the commit listeners (through L{Relay}, which also brings in other nodes' commits).
The reactor thread itself never waits on the database.

What differs between engines (how a write transaction starts, placeholders, what else a
commit does, which failures are worth another try) is a small L{Dialect}.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from attrs import define, field
from twisted.enterprise import adbapi
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from openspace.board import decide
from openspace.codec import decode_board, decode_logged, dumps, encode_board, encode_logged
from openspace.commands import Actor, Command, Refused, Undo
from openspace.events import Logged
from openspace.idempotency import KeyReused, Reply, StoredReply
from openspace.model import Board
from openspace.replay import record, replay
from openspace.store import replies
from openspace.store.interface import (
    CommitListener,
    Done,
    EventExists,
    Once,
    Outcome,
    UndoFrom,
    UndoLast,
    Write,
)
from openspace.store.relay import Relay
from openspace.store.schema import check_version, current_version, migrate, require_latest
from openspace.undo import ATTENDEE_TRAFFIC, undo_from, undo_targets

T = TypeVar("T")
R = TypeVar("R")

# How far back undo looks for events that can still be undone (attendees' own changes,
# which are never undone, are not counted: a flood of "going" never hides an undo).
UNDO_WINDOW = 500

# How often a transaction the dialect calls retryable (a lost race) is tried in all.
ATTEMPTS = 3


class Dialect(Protocol):
    """
    What one database engine does differently.
    """

    def begin(self, cursor: Any) -> None:
        """
        Start a transaction that may write (and so takes the write lock early).
        """

    def sql(self, statement: str) -> str:
        """
        Turn a statement written with C{?} placeholders into this engine's style.
        """

    @property
    def lock_board(self) -> str:
        """
        What to append to the SELECT of a board's row to lock it for this transaction.
        """

    def committing(self, cursor: Any, slug: str, seq: int) -> None:
        """
        Last statements of a write transaction (e.g. a notification to other nodes);
        C{seq} 0 means the board was deleted.
        """

    def lock_schema(self, cursor: Any) -> None:
        """
        Keep other processes from migrating until this transaction ends.
        """

    def retryable(self, error: Exception) -> bool:
        """
        Whether a transaction that failed with C{error} lost a race and may simply run
        again (e.g. two nodes creating the same board at once).
        """


@define
class SQLBoardStore:
    """
    The board store behind every database engine.

    @ivar pool: a one-or-more-thread adbapi pool; connections must be in autocommit mode
        (transactions are started by L{Dialect.begin}).
    """

    pool: adbapi.ConnectionPool
    dialect: Dialect
    # Told each command's outcome and seconds (metrics).
    observe: Callable[[str, float], None] | None = None
    _boards: dict[str, Board] = field(factory=dict)
    _lock: threading.Lock = field(factory=threading.Lock)
    relay: Relay = field(init=False)

    def __attrs_post_init__(self) -> None:
        self.relay = Relay(self._fetch, self._drop)

    # --- setup ---

    def migrate(self) -> Deferred[tuple[int, int]]:
        """
        Bring the schema up to date; fires with the versions before and after.
        """

        def run(cursor: Any) -> tuple[int, int]:
            self.dialect.lock_schema(cursor)
            return migrate(cursor)

        return self._transaction(run, writes=True)

    def check_schema(self) -> Deferred[None]:
        """
        Fail with L{SchemaTooNew} if the database is newer than this code, or with
        L{SchemaTooOld} if it still needs migrating.
        """

        def check(cursor: Any) -> None:
            version = current_version(cursor)
            check_version(version)
            require_latest(version)

        return self._transaction(check)

    def add_listener(self, listener: CommitListener) -> None:
        self.relay.listeners.append(listener)

    def close(self) -> Deferred[None]:
        # Joins the pool's threads: pending transactions finish before it returns.
        self.pool.close()
        return succeed(None)

    # --- reading ---

    def board(self, slug: str) -> Deferred[Board | None]:
        cached = self._boards.get(slug)
        if cached is not None:
            return succeed(cached)
        return self._transaction(lambda cursor: self._load(cursor, slug, lock=False))

    def slugs(self) -> Deferred[list[str]]:
        def read(cursor: Any) -> list[str]:
            cursor.execute("SELECT slug FROM boards ORDER BY slug")
            return [row[0] for row in cursor.fetchall()]

        return self._transaction(read)

    def events_since(self, slug: str, seq: int, limit: int) -> Deferred[list[Logged]]:
        def read(cursor: Any) -> list[Logged]:
            return self._events(
                cursor,
                "SELECT body FROM events WHERE slug = ? AND seq > ? ORDER BY seq LIMIT ?",
                (slug, seq, limit),
            )

        return self._transaction(read)

    def log_tail(
        self, slug: str, count: int, *, skip: Sequence[str] = ()
    ) -> Deferred[list[Logged]]:
        return self._transaction(lambda cursor: self._tail(cursor, slug, count, skip))

    def _tail(
        self, cursor: Any, slug: str, count: int, skip: Sequence[str] = (), since: int = 0
    ) -> list[Logged]:
        # Only "?" placeholders are added for the skipped types, never their text.
        others = "".join(" AND type <> ?" for _ in skip)
        statement = (
            "SELECT body FROM events WHERE slug = ? AND seq >= ?"  # noqa: S608
            + others
            + " ORDER BY seq DESC LIMIT ?"
        )
        return self._events(cursor, statement, (slug, since, *skip, count))[::-1]

    def _undo_command(self, cursor: Any, slug: str, command: UndoLast | UndoFrom) -> Undo:
        if isinstance(command, UndoLast):
            tail = self._tail(cursor, slug, UNDO_WINDOW, ATTENDEE_TRAFFIC)
            return Undo(undo_targets(tail, command.count))
        since = self._tail(cursor, slug, UNDO_WINDOW, ATTENDEE_TRAFFIC, since=command.seq)
        return Undo(undo_from(since, command.seq, only=command.only))

    def _events(self, cursor: Any, statement: str, parameters: tuple[object, ...]) -> list[Logged]:
        cursor.execute(self.dialect.sql(statement), parameters)
        return [decode_logged(json.loads(row[0])) for row in cursor.fetchall()]

    def _load(self, cursor: Any, slug: str, *, lock: bool) -> Board | None:
        """
        The latest committed board of C{slug}, from the cache when it is current.
        """
        suffix = self.dialect.lock_board if lock else ""
        # The suffix is the dialect's constant locking clause, never input.
        statement = "SELECT seq FROM boards WHERE slug = ?" + suffix  # noqa: S608
        cursor.execute(self.dialect.sql(statement), (slug,))
        row = cursor.fetchone()
        if row is None:
            return None
        cached = self._boards.get(slug)
        if cached is not None and cached.seq == row[0]:
            return cached
        cursor.execute(self.dialect.sql("SELECT state FROM boards WHERE slug = ?"), (slug,))
        board = decode_board(json.loads(cursor.fetchone()[0]))
        self._remember(board)
        return board

    def _remember(self, board: Board) -> None:
        with self._lock:
            cached = self._boards.get(board.info.slug)
            if cached is None or cached.seq < board.seq:
                self._boards[board.info.slug] = board

    def _drop(self, slug: str) -> None:
        with self._lock:
            self._boards.pop(slug, None)

    # --- following other nodes (see openspace.store.pgnotify) ---

    def positions(self) -> Deferred[dict[str, int]]:
        """
        Every board's committed sequence number.
        """

        def read(cursor: Any) -> dict[str, int]:
            cursor.execute("SELECT slug, seq FROM boards")
            return {slug: seq for slug, seq in cursor.fetchall()}

        return self._transaction(read)

    def notified(self, slug: str, seq: int) -> None:
        """
        Another node (or this one) committed C{slug} up to C{seq}.
        """
        self.relay.notified(slug, seq)

    def resync(self) -> Deferred[None]:
        """
        Catch up on every board that changed; call once notifications flow again.
        """
        return self.positions().addCallback(self.relay.resync)

    def _fetch(self, slug: str, after: int) -> Deferred[tuple[Board | None, list[Logged]]]:
        def read(cursor: Any) -> tuple[Board | None, list[Logged]]:
            # The board first: every event up to its seq committed with it or before.
            board = self._load(cursor, slug, lock=False)
            if board is None:
                return None, []
            return board, self._events(
                cursor,
                "SELECT body FROM events WHERE slug = ? AND seq > ? AND seq <= ? ORDER BY seq",
                (slug, after, board.seq),
            )

        return self._transaction(read)

    # --- writing ---

    def execute(
        self, slug: str, command: Command | UndoLast | UndoFrom, actor: Actor, now: datetime
    ) -> Deferred[Outcome]:
        def write(cursor: Any, board: Board | None) -> Outcome:
            return self._decide(cursor, slug, board, command, actor, now)

        started = time.perf_counter()
        outcome = self.write(slug, write)
        outcome.addCallback(self._committed)
        if self.observe is not None:
            outcome.addBoth(_observed, self.observe, started)
        return outcome

    def execute_once(
        self,
        slug: str,
        command: Command | UndoLast | UndoFrom,
        actor: Actor,
        now: datetime,
        once: Once,
        respond: Callable[[Outcome], Reply],
    ) -> Deferred[Done[Outcome]]:
        def write(cursor: Any, board: Board | None) -> tuple[Reply, Outcome]:
            outcome = self._decide(cursor, slug, board, command, actor, now)
            return respond(outcome), outcome

        def committed(done: Done[Outcome]) -> Done[Outcome]:
            if done.outcome is not None:
                self._committed(done.outcome)
            return done

        return self.write_once(slug, now, once, write).addCallback(committed)

    def write(self, slug: str, work: Write[R]) -> Deferred[R]:
        def write(cursor: Any) -> R:
            return work(cursor, self._load(cursor, slug, lock=True))

        return self._transaction(write, writes=True)

    def write_once(
        self, slug: str, now: datetime, once: Once, work: Write[tuple[Reply, R]]
    ) -> Deferred[Done[R]]:
        sql = self.dialect.sql
        lookup = once.key.lookup

        def write(cursor: Any, board: Board | None) -> Done[R]:
            # The board's lock (taken by write) orders every request with this key, on
            # any node; without a board there is nowhere to keep a reply.
            replies.forget_expired(cursor, sql, slug, now)
            kept = replies.find(cursor, sql, slug, lookup)
            if kept is not None:
                if kept.fingerprint != once.fingerprint:
                    raise KeyReused(slug)
                return Done(kept.open(once.key), None)
            reply, result = work(cursor, board)
            if reply.kept and board is not None:
                stored = StoredReply.of(reply, once.key, once.fingerprint)
                replies.keep(cursor, sql, slug, lookup, stored, now)
            return Done(reply, result)

        return self.write(slug, write)

    def _decide(
        self,
        cursor: Any,
        slug: str,
        board: Board | None,
        command: Command | UndoLast | UndoFrom,
        actor: Actor,
        now: datetime,
    ) -> Outcome:
        """
        Decide C{command} against C{board} (locked by the caller) and write its events.
        """
        resolved: Command = (
            self._undo_command(cursor, slug, command)
            if isinstance(command, UndoLast | UndoFrom)
            else command
        )
        decision = decide(board, resolved, actor, now)
        after, logged = record(board, decision, actor, now)
        if after is None:
            raise AssertionError("a decision on no board created none")
        if logged:
            self._write(cursor, after, logged, created=board is None, now=now)
        return Outcome(after, logged, decision)

    def import_log(self, slug: str, logged: Sequence[Logged], *, replace: bool) -> Deferred[Board]:
        """
        Write a whole event from its log (see L{openspace.store.transfer}), refusing with
        L{EventExists} if C{slug} is taken, unless C{replace}.
        """

        def write(cursor: Any) -> Board:
            board = replay(logged)
            if board is None or board.info.slug != slug:
                raise ValueError(f"the log is not that of an event {slug!r}")
            if self._load(cursor, slug, lock=True) is not None:
                if not replace:
                    raise EventExists(slug)
                self._delete(cursor, slug)
            self._write(cursor, board, logged, created=True, now=logged[-1].at)
            return board

        def written(board: Board) -> Board:
            self.relay.forget(slug)
            self.relay.committed(board, logged)
            return board

        return self._transaction(write, writes=True).addCallback(written)

    def _write(
        self,
        cursor: Any,
        board: Board,
        logged: Sequence[Logged],
        *,
        created: bool,
        now: datetime,
    ) -> None:
        sql = self.dialect.sql
        state = dumps(encode_board(board))
        if created:
            cursor.execute(
                sql("INSERT INTO boards (slug, seq, state, updated) VALUES (?, ?, ?, ?)"),
                (board.info.slug, board.seq, state, now.isoformat()),
            )
        else:
            cursor.execute(
                sql("UPDATE boards SET seq = ?, state = ?, updated = ? WHERE slug = ?"),
                (board.seq, state, now.isoformat(), board.info.slug),
            )
        cursor.executemany(
            sql("INSERT INTO events (slug, seq, at, actor, type, body) VALUES (?, ?, ?, ?, ?, ?)"),
            [
                (
                    board.info.slug,
                    entry.seq,
                    entry.at.astimezone(UTC).isoformat(),
                    entry.actor,
                    encoded["change"]["type"],
                    dumps(encoded),
                )
                for entry in logged
                for encoded in [encode_logged(entry)]
            ],
        )
        self.dialect.committing(cursor, board.info.slug, board.seq)

    def _committed(self, outcome: Outcome) -> Outcome:
        self.relay.committed(outcome.board, outcome.logged)
        return outcome

    def delete_event(self, slug: str) -> Deferred[None]:
        done = self._transaction(lambda cursor: self._delete(cursor, slug), writes=True)
        return done.addCallback(lambda _: self.relay.forget(slug))

    def _delete(self, cursor: Any, slug: str) -> None:
        cursor.execute(self.dialect.sql("DELETE FROM events WHERE slug = ?"), (slug,))
        cursor.execute(self.dialect.sql("DELETE FROM boards WHERE slug = ?"), (slug,))
        self.dialect.committing(cursor, slug, 0)
        self._drop(slug)

    # --- transactions ---

    def transaction(self, work: Callable[[Any], T], *, writes: bool = False) -> Deferred[T]:
        """
        Run C{work(cursor)} in one transaction on the pool, for adapters that keep
        tables of their own beside the boards (L{openspace.webhooks.storage}); write
        statements with C{?} placeholders through C{self.dialect.sql}.
        """
        return self._transaction(work, writes=writes)

    def _transaction(self, work: Callable[[Any], T], *, writes: bool = False) -> Deferred[T]:
        def once(connection: Any) -> T:
            cursor = connection.cursor()
            try:
                if writes:
                    self.dialect.begin(cursor)
                else:
                    cursor.execute("BEGIN")
                result = work(cursor)
                cursor.execute("COMMIT")
            except BaseException:
                with suppress(Exception):
                    cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.close()
            outcome = result.outcome if isinstance(result, Done) else result
            if isinstance(outcome, Outcome) and outcome.logged:
                # Only a committed board may be served from the cache.
                self._remember(outcome.board)
            return result

        def run(connection: Any) -> T:
            attempt = 1
            while True:
                try:
                    return once(connection)
                except Exception as e:
                    if attempt == ATTEMPTS or not self.dialect.retryable(e):
                        raise
                attempt += 1

        done: Deferred[T] = self.pool.runWithConnection(run)
        return done


def _observed(result: T, observe: Callable[[str, float], None], started: float) -> T:
    if isinstance(result, Failure):
        kind = "refused" if isinstance(result.value, Refused) else "failed"
    else:
        kind = "committed" if getattr(result, "logged", None) else "unchanged"
    observe(kind, time.perf_counter() - started)
    return result
