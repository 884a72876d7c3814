"""
What every board store offers, whichever database keeps it.

The web layer, the live layer and the schedule poller talk to a L{BoardStore}; the
embedded SQLite store and the multi-node PostgreSQL store both implement it on top of
L{openspace.store.sql.SQLBoardStore}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen
from twisted.internet.defer import Deferred

from openspace.commands import Actor, Command, Decision
from openspace.events import Logged
from openspace.model import Board


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

    def execute(
        self, slug: str, command: Command | UndoLast | UndoFrom, actor: Actor, now: datetime
    ) -> Deferred[Outcome]:
        """
        Decide C{command} against the latest board and commit its events and the new
        board in one transaction.  Fails with L{openspace.commands.Refused}.
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
