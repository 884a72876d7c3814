"""
What every board store offers, whichever database keeps it.

The web layer, the live layer and the schedule poller talk to a L{BoardStore}; the
embedded SQLite store and the multi-node PostgreSQL store both implement it on top of
L{openspace.store.sql.SQLBoardStore}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from attrs import frozen
from twisted.internet.defer import Deferred

from openspace.commands import Actor, Command, Decision
from openspace.events import Logged
from openspace.idempotency import IdempotencyKey, Reply
from openspace.model import Board

R = TypeVar("R")


@frozen
class UndoLast:
    """
    Undo the last C{count} undoable events; the store finds them in the log.
    """

    count: int


@frozen
class UndoFrom:
    """
    Undo event C{seq} alone (C{only}) or it and every later undoable event ("undo back
    to here"); the store finds them in the log, however many attendees' changes (going,
    reports) came in between.
    """

    seq: int
    only: bool = False


@frozen
class Outcome:
    """
    A command that was carried out: the board after it, what was logged, and the
    decision (with its warnings and the ids it touched).
    """

    board: Board
    logged: tuple[Logged, ...]
    decision: Decision


@frozen
class Once:
    """
    A write to carry out at most once (see L{openspace.idempotency}): its key and its
    request's fingerprint.
    """

    key: IdempotencyKey
    fingerprint: str


@frozen
class Done(Generic[R]):
    """
    What an idempotent write gave: the reply, and what the write gave if it was
    carried out now (L{None} when the reply is a replay).
    """

    reply: Reply
    outcome: R | None


Write = Callable[[Any, Board | None], R]
"""
A write of any table beside the boards, run in the board's transaction after its row
is locked: given the cursor and the board (L{None} if there is no such event).  It may
raise L{openspace.commands.Refused}; then nothing it wrote is kept.
"""


CommitListener = Callable[[Board, Sequence[Logged]], None]
"""
Called in the reactor thread, after commit, with the board and the events just logged.
"""


class SchemaTooNew(Exception):
    """
    The database was written by a newer openspace; refuse rather than corrupt it.
    """


class SchemaTooOld(Exception):
    """
    The database needs C{openspace migrate} before this openspace can serve it.
    """


class NotADatabase(Exception):
    """
    The file given as the database is not one openspace may open (empty, or not
    SQLite): refuse rather than serve an empty board or overwrite someone's file.
    """


class MissingDriver(Exception):
    """
    The database needs a driver that is not installed; the message says what to install.
    """


class EventExists(Exception):
    """
    An event with this slug is already in the database.
    """


class BoardStore(Protocol):
    def board(self, slug: str) -> Deferred[Board | None]:
        """
        The current board of C{slug}, or L{None} if there is no such event.
        """

    def slugs(self) -> Deferred[list[str]]:
        """
        Every event's slug, sorted.
        """

    def check_schema(self) -> Deferred[None]:
        """
        Fail with L{SchemaTooNew} or L{SchemaTooOld} unless the database is at the
        schema this code knows (and with the database's error if it cannot be read).
        """

    def execute(
        self, slug: str, command: Command | UndoLast | UndoFrom, actor: Actor, now: datetime
    ) -> Deferred[Outcome]:
        """
        Decide C{command} against the latest board and commit its events and the new
        board in one transaction.  Fails with L{openspace.commands.Refused}.
        """

    def execute_once(
        self,
        slug: str,
        command: Command | UndoLast | UndoFrom,
        actor: Actor,
        now: datetime,
        once: Once,
        respond: Callable[[Outcome], Reply],
    ) -> Deferred[Done[Outcome]]:
        """
        Like L{execute}, but at most once per key (see L{write_once}); C{respond} turns
        the outcome into the reply, inside the transaction (so it must be pure and quick).
        """

    def write(self, slug: str, work: Write[R]) -> Deferred[R]:
        """
        Run C{work} in one write transaction, with C{slug}'s board row locked.
        """

    def write_once(
        self, slug: str, now: datetime, once: Once, work: Write[tuple[Reply, R]]
    ) -> Deferred[Done[R]]:
        """
        Like L{write}, but at most once per key: if C{once.key} already has a reply for
        C{slug}, give it back without running C{work}; otherwise run it and keep its
        reply (if a success) in the same transaction.  Fails with
        L{openspace.idempotency.KeyReused} when the key's first request was different.
        """

    def events_since(self, slug: str, seq: int, limit: int) -> Deferred[list[Logged]]:
        """
        Up to C{limit} logged events after C{seq}, oldest first.
        """

    def log_tail(
        self, slug: str, count: int, *, skip: Sequence[str] = ()
    ) -> Deferred[list[Logged]]:
        """
        The last C{count} logged events, oldest first, leaving out those whose type is
        in C{skip} (e.g. L{openspace.undo.ATTENDEE_TRAFFIC}).
        """

    def delete_event(self, slug: str) -> Deferred[None]:
        """
        Remove an event, its board and its log.
        """

    def add_listener(self, listener: CommitListener) -> None:
        """
        Call C{listener} after every commit: this process's own and, with PostgreSQL,
        those of other nodes; each event exactly once, in order per board.
        """

    def close(self) -> Deferred[None]:
        """
        Finish pending work and close the database.
        """
