"""
The facilitator desk's live streams: what an open desk is sent on each change, apart
from the board's public stream.

A desk shows what attendees must not see (reports and their reasons, hidden sessions,
the change log), so its HTML never rides on C{/api/events/{slug}/live}, which anyone may
open.  Desks subscribe at C{/e/{slug}/desk/live} instead, a route that upgrades only a
request carrying a valid facilitator session cookie
(L{openspace.web.pages.desk_routes}); its frames are the public ones (same protocol,
same seqs, same resume rules: L{openspace.hub}) with the desk's HTML for the change.

Each view of the desk (attendees' going shown or not, a placement suggestion asked
for) is a stream of its own: a L{Hub} per board and L{DeskVariant}, made when a desk
first asks for it and dropped when nobody watches it any more.  A change is rendered
once per view watched, whatever the number of desks open on it; the pieces every view
shares are rendered once per change (L{_PerSeq}).  A view nobody watches renders nothing.

A change that re-renders a whole table (a new official schedule of thousands of talks, a
new layout: L{openspace.hub.heavy}) is rendered in a thread like the public stream's
frame for it (L{Hub.offload}), each view's in its own; what the views share is still
made once (L{_PerSeq} locks each piece, not the reactor), and each view's later changes
and suggestions wait for it, in order.

A placement suggestion can take tens of milliseconds (a whole day's), too long for the
reactor: it is worked out in a thread after the change, once per scope watched however
many views and desks ask for it, and sent to them as an C{"html"} frame for the seq it
is about (L{Hub.tell}).  Changes that come while one is being worked out make one more
run, for the latest board, when it ends: a burst of "going" costs two runs, not one each.

The change log a desk shows is the store's: its last entries are read once per board
when the first desk subscribes and kept current from the commits (L{_Tail}), back to
what the view furthest behind (one rendering in a thread) still needs.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

from attrs import define, field
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

from openspace.clock import Clock, utc_now
from openspace.events import Logged
from openspace.feed import board_epoch, encode
from openspace.hub import Hub
from openspace.model import Board
from openspace.placement import Placement, scope_slots, suggest
from openspace.store.interface import BoardStore
from openspace.undo import ATTENDEE_TRAFFIC
from openspace.web.pages.desk_fragments import (
    DeskVariant,
    attendee_traffic,
    common,
    lines_of,
    log_changed,
    log_pieces,
    placement_changed,
    placement_markup,
    shown_log,
    suggestion_markup,
)
from openspace.web.pages.desk_parts import LOG_SHOWN
from openspace.web.pages.fragments import Fragment

KEPT = LOG_SHOWN + 32
"""
Log entries kept per board and view: a few more than shown, so that the log rendered
for the first of several events committed together still shows a full page.
"""

SHARED_CHANGES = 4
"""
Changes per board whose shared pieces are kept: views rendering in threads may be a
change or two apart.
"""


def _kept(entries: tuple[Logged, ...], rendered: int) -> tuple[Logged, ...]:
    """
    The entries after C{rendered} (the last seq every view has rendered), and L{KEPT}
    up to it.
    """
    start = bisect_right([entry.seq for entry in entries], rendered) - KEPT
    return entries[max(0, start) :]


@define(eq=False)
class _Tail:
    """
    The last entries of one board's log, all of them and without attendees' traffic,
    oldest first; L{loaded} once the store's were read.  Each is replaced, never changed
    in place, so a view rendering in a thread reads it whole while commits come in.
    """

    epoch: int
    everything: tuple[Logged, ...] = ()
    quiet: tuple[Logged, ...] = ()
    loaded: bool = False
    waiting: list[Deferred[None]] = field(factory=list)

    def add(self, entries: Sequence[Logged], rendered: int) -> None:
        """
        Add the new ones of C{entries}, keeping what views still to render the changes
        after C{rendered} need.
        """
        last = self.everything[-1].seq if self.everything else 0
        fresh = tuple(entry for entry in entries if entry.seq > last)
        quiet = tuple(entry for entry in fresh if not attendee_traffic(entry))
        self.everything = _kept(self.everything + fresh, rendered)
        self.quiet = _kept(self.quiet + quiet, rendered)

    def fill(self, everything: Sequence[Logged], quiet: Sequence[Logged]) -> None:
        """
        The store's entries, with any committed while they were read.
        """
        self.everything = _merged(everything, self.everything)
        self.quiet = _merged(quiet, self.quiet)
        self.loaded = True

    def upto(self, seq: int, going: bool) -> tuple[Logged, ...]:
        entries = self.everything if going else self.quiet
        return shown_log([entry for entry in entries if entry.seq <= seq], going)


def _merged(read: Sequence[Logged], kept: Sequence[Logged]) -> tuple[Logged, ...]:
    merged = {entry.seq: entry for entry in (*read, *kept)}
    return tuple(merged[seq] for seq in sorted(merged))


@define(eq=False)
class _Piece:
    """
    One shared piece, made by the first view to ask while the others wait for it.
    """

    lock: threading.Lock = field(factory=threading.Lock)
    made: bool = False
    value: Any = None


@define(eq=False)
class _PerSeq:
    """
    Pieces rendered for the latest changes of each board, shared by every view.

    Views render on the reactor thread or, for heavy changes, in threads at once: the
    table of pieces has a lock of its own, held only to find a piece, and each piece
    one held while it is made, so the reactor never waits for a thread's heavy piece
    (it never renders a heavy change itself) yet no piece is made twice.
    """

    made: dict[str, dict[tuple[int, int], dict[Hashable, _Piece]]] = field(factory=dict)
    lock: threading.Lock = field(factory=threading.Lock)

    def get(self, board: Board, name: Hashable, make: Callable[[], Any]) -> Any:
        stamp = (board_epoch(board), board.seq)
        with self.lock:
            changes = self.made.setdefault(board.info.slug, {})
            pieces = changes.get(stamp)
            if pieces is None:
                pieces = changes[stamp] = {}
                while len(changes) > SHARED_CHANGES:
                    del changes[min(changes)]
            piece = pieces.setdefault(name, _Piece())
        with piece.lock:
            if not piece.made:
                piece.value, piece.made = make(), True
            return piece.value


@define(eq=False)
class DeskLive:
    """
    Every desk stream of this process, fed by the store's commits.

    @ivar prepare: makes a frame of encoded JSON (the live factory's, as for the public
        stream); C{version} and C{ring_size} likewise.
    @ivar offload: runs a function in a thread (placement suggestions, heavy changes'
        frames).
    """

    store: BoardStore
    clock: Clock
    prepare: Callable[[bytes], Any]
    version: str
    ring_size: int
    offload: Callable[..., Deferred[Any]] = deferToThread
    _hubs: dict[tuple[str, DeskVariant], Hub[Any]] = field(factory=dict, init=False)
    _latest: dict[str, Board] = field(factory=dict, init=False)
    _suggesting: dict[tuple[str, str], bool] = field(factory=dict, init=False)
    _log: ClassVar[Logger] = Logger()
    _tails: dict[str, _Tail] = field(factory=dict, init=False)
    _shared: _PerSeq = field(factory=_PerSeq, init=False)

    def committed(self, board: Board, logged: Sequence[Logged]) -> None:
        """
        A L{openspace.store.interface.CommitListener}: keep the log, and tell each view.
        """
        slug = board.info.slug
        tail = self._tails.get(slug)
        if tail is not None:
            if tail.epoch != board_epoch(board):
                # The event was deleted and made again: its log starts again here.
                tail = self._tails[slug] = _Tail(board_epoch(board), loaded=True)
            heads = [hub.head(slug) for key, hub in self._hubs.items() if key[0] == slug]
            tail.add(logged, min([head for head in heads if head is not None], default=board.seq))
        scopes = set()
        for key, hub in list(self._hubs.items()):
            if key[0] != slug:
                continue
            if not hub.subscribers().get(slug):
                # Nobody watches this view any more: it would fold and keep frames for
                # nobody (a desk that comes back makes it again).
                del self._hubs[key]
                continue
            hub.committed(board, logged)
            if key[1].scope:
                scopes.add(key[1].scope)
        if scopes:
            self._latest[slug] = board
        for scope in scopes:
            self._suggest(slug, scope)

    async def open(self, board: Board, variant: DeskVariant) -> tuple[Hub[Any], Board]:
        """
        The stream of C{variant} of C{board}'s desk, made if need be, and the board as
        it is now (to subscribe with); the caller subscribes at once, in the same reactor
        turn, or the stream is dropped again on the next change.
        """
        await self._load(board)
        board = await self.store.board(board.info.slug) or board
        key = (board.info.slug, variant.normalized(board))
        found = self._hubs.get(key)
        if found is None:
            found = self._hubs[key] = Hub(
                self.prepare,
                self.version,
                self.ring_size,
                enrich=lambda before, entry, after: self._render(key[1], before, entry, after),
                enrich_unwatched=False,
                offload=self.offload,
            )
        return found, board

    async def _load(self, board: Board) -> None:
        slug = board.info.slug
        tail = self._tails.get(slug)
        if tail is not None and tail.loaded:
            return
        if tail is not None:
            waiting: Deferred[None] = Deferred()
            tail.waiting.append(waiting)
            await waiting
            return
        tail = self._tails[slug] = _Tail(board_epoch(board))
        try:
            everything = await self.store.log_tail(slug, KEPT)
            quiet = await self.store.log_tail(slug, KEPT, skip=ATTENDEE_TRAFFIC)
        except Exception:
            del self._tails[slug]
            for waiter in tail.waiting:
                waiter.errback()
            raise
        tail.fill(everything, quiet)
        for waiter in tail.waiting:
            waiter.callback(None)

    def _render(
        self, variant: DeskVariant, before: Board | None, entry: Logged, after: Board
    ) -> dict[str, Any]:
        if before is None:
            return {}
        now = utc_now(self.clock)
        html: Fragment = dict(self._shared.get(after, "common", lambda: common(before, after, now)))
        tail = self._tails.get(after.info.slug)
        if tail is not None and tail.loaded and log_changed(entry, variant):
            going = variant.going
            html.update(
                self._shared.get(
                    after,
                    ("log", going),
                    lambda: log_pieces(
                        lines_of(before, tail.upto(entry.seq - 1, going)),
                        lines_of(after, tail.upto(entry.seq, going)),
                        going,
                        after,
                    ),
                )
            )
        if placement_changed(before, after):
            html["desk:placement"] = self._shared.get(
                after,
                ("placement", variant.scope),
                lambda: placement_markup(after, now, variant.scope),
            )
        return {"html": html}

    def _suggest(self, slug: str, scope: str) -> None:
        """
        Work out the suggestion for C{scope} on the latest board, unless a run is on:
        then once more when it ends.
        """
        key = (slug, scope)
        if key in self._suggesting:
            self._suggesting[key] = True
            return
        self._suggesting[key] = False
        board = self._latest[slug]
        slots = scope_slots(board, scope)
        running = self.offload(suggest, board, utc_now(self.clock), slots)
        running.addCallback(self._suggested, board, scope)
        running.addErrback(
            lambda failure: self._log.failure("placement for {slug} failed", failure, slug=slug)
        )
        running.addBoth(lambda _: self._again(key))

    def _suggested(self, placement: Placement, board: Board, scope: str) -> None:
        body = encode(
            {
                "type": "html",
                "seq": board.seq,
                "html": {"desk:suggestion": suggestion_markup(board, placement)},
            }
        )
        for (slug, variant), hub in list(self._hubs.items()):
            if slug == board.info.slug and variant.scope == scope:
                hub.tell(board, body)

    def _again(self, key: tuple[str, str]) -> None:
        if self._suggesting.pop(key, False) and self._watching(*key):
            self._suggest(*key)

    def _watching(self, slug: str, scope: str) -> bool:
        return any(s == slug and v.scope == scope for s, v in self._hubs)
