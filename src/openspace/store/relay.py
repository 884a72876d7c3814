"""
Handing committed events to the commit listeners: each exactly once, in order per board.

Events reach a process two ways: its own commits (the result of a write transaction) and,
with PostgreSQL, the commits of other nodes (a notification names the board and its new
sequence number; the events themselves are then read from the database).  The two can
arrive in any order: this node's commit of event 7 may come back to the reactor before
the notification of another node's event 6 has been read, or after it has.  L{Relay}
keeps, per board, the last sequence number it handed on and lets only the next one
through; anything out of step makes it read the missing stretch from the database
instead, one read per board at a time.  So a listener (the live hub) sees every event of
a board once, in order, whichever node made it.

All of it runs in the reactor thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from attrs import define, field
from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from openspace.events import Logged
from openspace.model import Board
from openspace.store.interface import CommitListener

Fetch = Callable[[str, int], Deferred[tuple[Board | None, list[Logged]]]]
"""
C{fetch(slug, seq)}: the board as committed now (L{None} if it is gone) and its events
after C{seq}, oldest first.
"""


@define
class Relay:
    """
    The one gate between commits and the commit listeners.

    @ivar fetch: reads a board and its events after a sequence number (see L{Fetch}).
    @ivar forgotten: told when a board was deleted or replaced, so caches drop it.
    """

    fetch: Fetch
    forgotten: Callable[[str], None]
    listeners: list[CommitListener] = field(factory=list)
    # Per board, the sequence number of the last event handed to the listeners.
    _delivered: dict[str, int] = field(factory=dict)
    # Once other nodes are followed, a board this relay has not seen is a new one, so
    # its events start at 1; before that (and always with SQLite) it starts wherever its
    # first commit is.
    _following: bool = False
    # Notifications that came before the first resync, replayed after it in order.
    _early: list[tuple[str, int]] = field(factory=list)
    _fetching: set[str] = field(factory=set)
    _again: set[str] = field(factory=set)
    _log = Logger()

    def committed(self, board: Board, logged: Sequence[Logged]) -> None:
        """
        This process committed C{logged}, which brought the board to C{board}.
        """
        if not logged:
            return
        slug = board.info.slug
        last = self._last(slug)
        if last is None or logged[0].seq == last + 1:
            self._deliver(board, logged)
        elif logged[-1].seq > last:
            # Another node's events come first and are not here yet: read them all.
            self.catch_up(slug)

    def notified(self, slug: str, seq: int) -> None:
        """
        Some node committed board C{slug} up to C{seq}; 0 means it was deleted.
        """
        if not self._following:
            self._early.append((slug, seq))
        elif seq == 0:
            self.forget(slug)
        elif seq > (self._last(slug) or 0):
            self.catch_up(slug)

    def resync(self, positions: Mapping[str, int]) -> None:
        """
        Follow other nodes from here on, given every board's committed sequence number
        read after the notifications started to flow: catch up where anything moved.

        The first time, boards not seen yet start from where they are now (their past
        is nobody's news); after a reconnect, everything since is caught up.
        """
        for slug in set(positions) | set(self._delivered):
            last = self._delivered.get(slug)
            if last is None and not self._following:
                self._delivered[slug] = positions[slug]
            elif last != positions.get(slug):
                self.catch_up(slug)
        self._following = True
        early, self._early = self._early, []
        for slug, seq in early:
            self.notified(slug, seq)

    def forget(self, slug: str) -> None:
        """
        Board C{slug} was deleted (or replaced): its next events start again at 1.
        """
        self._delivered.pop(slug, None)
        self.forgotten(slug)

    def catch_up(self, slug: str) -> None:
        """
        Read and hand on whatever was committed on C{slug} after the last event handed on.
        """
        if slug in self._fetching:
            # One read at a time per board; the running one may have started too early.
            self._again.add(slug)
            return
        self._fetching.add(slug)
        after = self._last(slug) or 0
        reading = self.fetch(slug, after)
        reading.addCallback(self._fetched, slug, after)
        reading.addErrback(self._failed, slug)
        reading.addBoth(self._done, slug)

    def _fetched(self, result: tuple[Board | None, list[Logged]], slug: str, after: int) -> None:
        board, logged = result
        if board is None or board.seq < after:
            # Deleted, or deleted and made again: start from its (new) beginning.
            self.forget(slug)
            if board is not None:
                self._again.add(slug)
            return
        last = self._last(slug) or 0
        # Commits of this process may have been handed on while reading.
        fresh = [entry for entry in logged if entry.seq > last]
        if fresh and fresh[0].seq == last + 1:
            self._deliver(board, fresh)

    def _failed(self, failure: Failure, slug: str) -> None:
        # The next notification or the resync after a reconnect reads it again.
        self._log.failure("cannot read the new events of {slug}", failure, slug=slug)

    def _done(self, _: object, slug: str) -> None:
        self._fetching.discard(slug)
        if slug in self._again:
            self._again.discard(slug)
            self.catch_up(slug)

    def _last(self, slug: str) -> int | None:
        if slug in self._delivered:
            return self._delivered[slug]
        return 0 if self._following else None

    def _deliver(self, board: Board, logged: Iterable[Logged]) -> None:
        batch = tuple(logged)
        self._delivered[board.info.slug] = batch[-1].seq
        for listener in self.listeners:
            try:
                listener(board, batch)
            except Exception:
                self._log.failure("commit listener {listener!r} failed", listener=listener)
