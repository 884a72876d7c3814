"""
Exports built once per board change and served from memory.

Calendar apps poll every few minutes, thousands of them; each poll must cost a dictionary
look-up, not a build.  L{ExportCache} keeps, per board, the L{History} folded up to the
latest seq (read from the log only for the events it has not seen yet) and every built
L{Document} under a key naming the feed and its parameters.  A document is rebuilt only
when the board changes in a way it shows (public documents ignore "I'm going", the most
frequent change), or when its C{fresh_until} passes (a cancelled session leaving the
calendars).  Folding and building run in a thread, never on the reactor;
one board's work runs one step at a time (a L{DeferredLock}), so a thousand polls
arriving just after a change wait for one build and then all read it.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from email.utils import format_datetime
from functools import partial
from typing import Any

from attrs import define, field, frozen
from twisted.internet.defer import Deferred, DeferredLock, maybeDeferred
from twisted.internet.threads import deferToThreadPool

from openspace.clock import Clock, utc_now
from openspace.events import Logged
from openspace.exports.document import Document
from openspace.exports.history import History, fold
from openspace.exports.ical import EventMemo
from openspace.model import Board
from openspace.store.interface import BoardStore

#: Runs a function off the reactor thread and fires with its result.
Runner = Callable[[Callable[[], Any]], Deferred[Any]]

#: How many documents are kept (LRU); personal feeds each take one.
MAX_DOCUMENTS = 2000

#: How many rendered calendar events are kept per board (see L{EventMemo}).
MAX_RENDERED_EVENTS = 20_000

#: How many logged events are read from the store at a time while catching up.
LOG_PAGE = 2000


def in_threads(reactor: Any) -> Runner:
    """
    Run work in C{reactor}'s thread pool.
    """

    def run(work: Callable[[], Any]) -> Deferred[Any]:
        return deferToThreadPool(reactor, reactor.getThreadPool(), work)

    return run


def inline(work: Callable[[], Any]) -> Deferred[Any]:
    """
    Run work at once, in this thread: for tests and tools with no reactor to spare.
    """
    return maybeDeferred(work)


Build = Callable[[History, datetime], Document]


@frozen
class Served:
    """
    A document ready to send: its bytes, gzipped once, and its validators.
    """

    document: Document
    gzipped: bytes
    etag: bytes
    last_modified: bytes

    @classmethod
    def of(cls, document: Document) -> Served:
        return cls(
            document,
            gzip.compress(document.body, compresslevel=6, mtime=0),
            document.etag.encode("ascii"),
            format_datetime(document.last_modified, usegmt=True).encode("ascii"),
        )


@define
class _Entry:
    """
    A built document, made from the board at seq C{basis}, and found still good at seq
    C{seen}.
    """

    seen: int
    basis: int
    created: datetime
    served: Served


Key = tuple[Hashable, ...]


def _build(build: Build, history: History, now: datetime) -> Served:
    return Served.of(build(history, now))


@define
class ExportCache:
    store: BoardStore
    clock: Clock
    run: Runner
    max_documents: int = MAX_DOCUMENTS
    _histories: dict[str, History] = field(factory=dict)
    _memos: dict[str, EventMemo] = field(factory=dict)
    _locks: dict[str, DeferredLock] = field(factory=dict)
    _documents: OrderedDict[Key, _Entry] = field(factory=OrderedDict)
    builds: int = 0

    def _cached(self, key: Key, created: datetime, basis: int | None = None) -> Served | None:
        """
        The document under C{key} if it is still good: for the same incarnation of the
        event, not past its C{fresh_until}, and made from the same C{basis} (when given).
        """
        cached = self._documents.get(key)
        if cached is None or cached.created != created:
            return None
        if basis is not None and cached.basis != basis:
            return None
        fresh_until = cached.served.document.fresh_until
        if fresh_until is not None and utc_now(self.clock) >= fresh_until:
            return None
        self._documents.move_to_end(key)
        return cached.served

    async def document(
        self, board: Board, key: Key, build: Build, *, going: bool = False
    ) -> Served:
        """
        The document C{build} makes of C{board}'s history, built at most once per
        change it depends on: every event if C{going} (a personal calendar), else every
        event but "I'm going".  C{key} must name everything C{build} depends on besides
        the history and the time.
        """
        full_key = (board.info.slug, *key)
        cached = self._documents.get(full_key)
        if cached is not None and cached.seen == board.seq:
            served = self._cached(full_key, board.created)
            if served is not None:
                return served
        lock = self._locks.setdefault(board.info.slug, DeferredLock())
        await lock.acquire()
        try:
            history = await self._history(board)
            basis = history.board.seq if going else history.changed_seq
            served = self._cached(full_key, history.board.created, basis)
            if served is None:
                now = utc_now(self.clock)
                served = await self.run(partial(_build, build, history, now))
                self.builds += 1
            self._documents[full_key] = _Entry(
                history.board.seq, basis, history.board.created, served
            )
            self._documents.move_to_end(full_key)
            while len(self._documents) > self.max_documents:
                self._documents.popitem(last=False)
            return served
        finally:
            lock.release()

    def memo(self, slug: str) -> EventMemo:
        """
        The rendered calendar events of C{slug}'s feeds, shared by all its calendars
        from one build to the next (builds of one board never run at once).
        """
        memo = self._memos.setdefault(slug, {})
        if len(memo) > MAX_RENDERED_EVENTS:
            memo.clear()
        return memo

    async def _history(self, board: Board) -> History:
        """
        The board's history up to at least C{board.seq}, from the events not folded yet.
        """
        slug = board.info.slug
        known = self._histories.get(slug)
        if known is not None and known.board.created != board.created:
            known = None
        if known is not None and known.board.seq >= board.seq:
            return known
        history = known
        while history is None or history.board.seq < board.seq:
            after = history.board.seq if history is not None else 0
            events: list[Logged] = await self.store.events_since(slug, after, LOG_PAGE)
            if not events:
                break
            history = await self.run(partial(fold, history, events))
        if history is None:
            raise LookupError(f"the event {slug!r} has no log")
        self._histories[slug] = history
        return history
