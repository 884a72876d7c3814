"""
Live fan-out: who watches which board, and the frames each of them is sent.

The hub turns every committed event into one frame and hands that same frame to every
subscriber of the board, so the work per event does not grow with the audience: the only
step per subscriber is passing a prepared message to its sink.  It knows nothing of
sockets; L{openspace.web.live} connects it to Autobahn.

Per board it keeps the latest board it has folded (to compute each event's delta with
L{openspace.views.delta}, whose JSON is exactly what clients apply) and a bounded ring of
recent frames.  A client that comes back with the last sequence number it holds gets
exactly the frames it missed, from memory; one that is further behind than the ring, or
ahead of the server, or holds another incarnation of the board (the event was deleted and
created again), gets a snapshot.  Opening frames are made once per sequence number and
shared like the events' frames, so clients coming back in a storm cost no encoding each.

Frames, all JSON text:

    {"type": "snapshot", "seq": N, "epoch": E, "version": V, "board": {...}}
    {"type": "resumed", "since": S, "seq": N, "epoch": E, "version": V}
    {"type": "events", "events": [{"seq": ..., "put": {...}, "drop": {...}, ...}]}
    {"type": "html", "seq": N, "html": {...}}   (L{Hub.tell}: more HTML for seq N)

An official schedule change may carry thousands of talks, and a layout change re-renders
whole tables; with L{Hub.offload} their frames are made in a thread (L{heavy}), and the
board's later commits, and HTML told meanwhile, wait for it (L{Hub.committed} keeps them
in order).

A process that starts again fills each board's ring from the store's log (L{Hub.warm}),
so a screen that watched the old process resumes without a snapshot.

A subscriber whose connection cannot take more (L{Hub.pause}) is handed nothing until it
drains (L{Hub.resume}); then it is given what it missed from the ring, or a snapshot.  Its
memory cost while paused is therefore one flag, not a queue.

Feeding it from elsewhere (issue 6: other nodes' commits arriving through PostgreSQL):
call L{Hub.committed} with the board after the events and the events, in order, exactly as
the store's commit listener does.  Events the hub already has (same board incarnation,
seq not above L{Hub.head}) are ignored, so a node may see its own commits twice.  A gap
(the first new event is not head + 1) cannot be turned into deltas: the hub starts again
from the given board and sends each subscriber a snapshot.  A bridge avoids that by
fetching C{store.events_since(slug, hub.head(slug), ...)} after reconnecting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Generic

from attrs import define, field
from twisted.internet.defer import Deferred
from twisted.logger import Logger

from openspace.events import LayoutSet, Logged, OfficialScheduleChanged
from openspace.feed import Feed, Frame, P, Subscription, board_epoch, encode
from openspace.model import Board
from openspace.replay import apply
from openspace.views import board_json, delta

DEFAULT_RING = 256


def heavy(entry: Logged) -> bool:
    """
    Whether C{entry}'s frame may take long to make: a new official schedule (thousands of
    talks) or layout (every row and cell of the pages' tables).
    """
    return isinstance(entry.change, OfficialScheduleChanged | LayoutSet)


@define
class Hub(Generic[P]):
    """
    Subscriptions and fan-out, for every board of this process.

    @ivar prepare: turns encoded JSON into what subscribers' sinks send (for Autobahn,
        C{factory.prepareMessage}: the WebSocket frame is built once).
    @ivar version: the server's asset version, given to clients in opening frames so a
        page can reload itself when the server was upgraded.
    @ivar ring_size: how many recent frames per board serve resumes from memory.
    @ivar fanned_out: told, after each event, how many subscribers were handed its frame
        and how many seconds that took (metrics).
    """

    prepare: Callable[[bytes], P]
    version: str
    ring_size: int = DEFAULT_RING
    fanned_out: Callable[[int, float], None] | None = None
    enrich: Callable[[Board | None, Logged, Board], Mapping[str, Any]] | None = None
    """
    Extra fields for each event's frame, made once per event from the event and the
    boards before and after it (the pages' HTML, L{openspace.web.pages.fragments}).
    """
    enrich_unwatched: bool = True
    """
    Whether to call C{enrich} for events of a board nobody is subscribed to.  A public
    stream does (a page that resumes later gets the HTML from the ring); a private one,
    rendered for the few who may watch it, does not (one that resumes past such an
    event fetches its page once instead).
    """
    offload: Callable[[Callable[[], tuple[Board, bytes]]], Deferred[tuple[Board, bytes]]] | None = (
        None
    )
    """
    Runs the making of a large event's frame off the reactor thread (C{deferToThread});
    L{None}: every frame is made at once.  An official schedule change may carry
    thousands of talks, whose delta and pages' HTML take up to seconds: meanwhile the
    board's earlier frames and opening frames are served as before, and its later
    commits wait their turn, so every subscriber still gets every frame once, in order.
    """
    _feeds: dict[str, Feed[P]] = field(factory=dict, init=False)

    _log: ClassVar[Logger] = Logger()

    # --- what the store (or another node) tells us ---

    def committed(self, board: Board, logged: Sequence[Logged]) -> None:
        """
        The store committed C{logged}, leaving C{board}; tell every subscriber.

        This is a L{openspace.store.interface.CommitListener}.
        """
        feed = self._feeds.get(board.info.slug)
        if feed is None:
            # Nobody has subscribed, so nobody needs these deltas: start from here.
            self._feeds[board.info.slug] = self._new_feed(board)
            return
        if feed.preparing is not None:
            feed.waiting.append((board, logged))
            return
        if board_epoch(board) != feed.epoch:
            self._restart(feed, board)
            return
        fresh = [entry for entry in logged if entry.seq > feed.board.seq]
        if not fresh:
            return
        if fresh[0].seq != feed.board.seq + 1:
            self._log.warn(
                "live feed of {slug} jumped from {head} to {seq}: sending snapshots",
                slug=board.info.slug,
                head=feed.board.seq,
                seq=fresh[0].seq,
            )
            self._restart(feed, board)
            return
        for entry in fresh:
            if self.offload is not None and heavy(entry):
                feed.waiting.append((board, logged))
                self._advance_later(feed, entry, self.offload, board)
                return
            self._advance(feed, entry)
        if feed.board != board:
            # Folding the events did not give the store's board: never let clients
            # drift from it silently.
            self._log.error(
                "live feed of {slug} differs from the store at {seq}: sending snapshots",
                slug=board.info.slug,
                seq=board.seq,
            )
            self._restart(feed, board)

    def warm(self, history: Sequence[Logged]) -> None:
        """
        Fill a board's ring from its log (C{history} starts at its creation), so that
        clients who watched it before this process started resume without a snapshot.

        A feed that has moved on since the log was read keeps its own frames; the log
        only adds older frames in front of them.
        """
        board: Board | None = None
        recent: deque[Frame[P]] = deque(maxlen=self.ring_size)
        first_kept = len(history) - self.ring_size
        for index, entry in enumerate(history):
            after = apply(board, entry)
            if index >= first_kept:
                recent.append(self._frame(board, entry, after))
            board = after
        if board is None:
            return
        feed = self._feeds.get(board.info.slug)
        if feed is None:
            self._feeds[board.info.slug] = Feed(board, recent)
            return
        if board_epoch(board) != feed.epoch or not feed.oldest <= board.seq <= feed.board.seq:
            return
        room = self.ring_size - len(feed.ring)
        older = [frame for frame in recent if frame.seq <= feed.oldest][-room:] if room else []
        feed.ring.extendleft(reversed(older))

    def head(self, slug: str) -> int | None:
        """
        The last sequence number the hub has for C{slug}, if it follows that board.
        """
        feed = self._feeds.get(slug)
        return None if feed is None else feed.board.seq

    # --- subscribers ---

    def subscribe(
        self,
        board: Board,
        sink: Callable[[P], None],
        since: int | None = None,
        epoch: int | None = None,
    ) -> Subscription[P]:
        """
        Start sending C{board}'s frames to C{sink}: first the opening frames, now.

        @param board: the board as the caller last read it from the store; used only when
            the hub does not follow this board yet (otherwise the hub's own, possibly
            newer, board is the truth: the commits it was told of are in order).
        @param since: the last sequence number the client holds, and C{epoch} the epoch
            it was given with it; both L{None} for a fresh client.
        """
        slug = board.info.slug
        feed = self._feeds.get(slug)
        if feed is None:
            feed = self._feeds[slug] = self._new_feed(board)
        subscription: Subscription[P] = Subscription(slug, sink)
        feed.subscribers[subscription] = None
        if since is not None and epoch == feed.epoch and feed.oldest <= since <= feed.board.seq:
            sink(self._resumed(feed, since).message)
            subscription.last_seq = since
        self._catch_up(feed, subscription)
        return subscription

    def tell(self, board: Board, body: bytes) -> int:
        """
        Hand C{body}, a frame about C{board} that is not an event (HTML worked out after
        the event, off the reactor), to every subscriber that holds exactly C{board}'s
        seq and is not paused; a subscriber behind or ahead of it gets nothing.

        @return: how many subscribers were handed it.
        """
        feed = self._feeds.get(board.info.slug)
        if feed is not None and feed.preparing is not None:
            # C{board}'s event may be the one being made, or waiting behind it.
            feed.told.append((board, body))
            return 0
        if feed is None or feed.board.seq != board.seq or feed.epoch != board_epoch(board):
            return 0
        frame = Frame(board.seq, self.prepare(body))
        handed = 0
        for subscription in list(feed.subscribers):
            if not subscription.paused and subscription.last_seq == board.seq:
                handed += self._hand(feed, subscription, frame)
        return handed

    def unsubscribe(self, subscription: Subscription[P]) -> None:
        feed = self._feeds.get(subscription.slug)
        if feed is not None:
            feed.subscribers.pop(subscription, None)

    def pause(self, subscription: Subscription[P]) -> None:
        """
        Hand C{subscription} nothing until L{resume}.
        """
        subscription.paused = True

    def resume(self, subscription: Subscription[P]) -> None:
        """
        C{subscription} can take frames again: give it what it missed meanwhile.
        """
        subscription.paused = False
        feed = self._feeds.get(subscription.slug)
        if subscription.behind and feed is not None and subscription in feed.subscribers:
            self._catch_up(feed, subscription)

    def subscribers(self) -> dict[str, int]:
        """
        How many subscriptions each board has.
        """
        return {slug: len(feed.subscribers) for slug, feed in sorted(self._feeds.items())}

    # --- inside ---

    def _new_feed(self, board: Board) -> Feed[P]:
        return Feed(board, deque(maxlen=self.ring_size))

    def _frame(
        self, before: Board | None, entry: Logged, after: Board, watched: bool = True
    ) -> Frame[P]:
        return Frame(entry.seq, self.prepare(self._frame_body(before, entry, after, watched)))

    def _frame_body(
        self, before: Board | None, entry: Logged, after: Board, watched: bool = True
    ) -> bytes:
        shown = delta(before, entry, after)
        if self.enrich is not None and (watched or self.enrich_unwatched):
            try:
                shown.update(self.enrich(before, entry, after))
            except Exception:
                # The delta alone still keeps every client right (pages fetch instead).
                self._log.failure("enriching event {seq} failed", seq=entry.seq)
        return encode({"type": "events", "events": [shown]})

    def _advance(self, feed: Feed[P], entry: Logged) -> None:
        after = apply(feed.board, entry)
        watched = bool(feed.subscribers)
        self._publish(feed, self._frame(feed.board, entry, after, watched), after)

    def _advance_later(
        self,
        feed: Feed[P],
        entry: Logged,
        offload: Callable[[Callable[[], tuple[Board, bytes]]], Deferred[tuple[Board, bytes]]],
        board: Board,
    ) -> None:
        """
        L{_advance}, with the board after C{entry} and its frame made by C{offload}; the
        commits that arrive meanwhile wait in C{feed.waiting}.
        """
        before, watched = feed.board, bool(feed.subscribers)

        def make() -> tuple[Board, bytes]:
            after = apply(before, entry)
            return after, self._frame_body(before, entry, after, watched)

        def made(result: tuple[Board, bytes]) -> None:
            after, body = result
            self._publish(feed, Frame(entry.seq, self.prepare(body)), after)

        def failed(failure: Any) -> None:
            self._log.failure("live frame of event {seq} failed", failure, seq=entry.seq)
            self._restart(feed, board)

        def next_commits(_: object) -> None:
            feed.preparing = None
            waiting, feed.waiting = feed.waiting, []
            for later, logged in waiting:
                self.committed(later, logged)
            told, feed.told = feed.told, []
            for about, body in told:
                self.tell(about, body)

        # Set before the callbacks: an offload that has already fired runs them at once.
        feed.preparing = preparing = offload(make)
        preparing.addCallback(made).addErrback(failed).addBoth(next_commits)

    def _publish(self, feed: Feed[P], frame: Frame[P], after: Board) -> None:
        feed.moved(after)
        feed.ring.append(frame)
        started = time.perf_counter()
        handed = 0
        for subscription in list(feed.subscribers):
            if subscription.paused:
                subscription.behind = True
            else:
                handed += self._hand(feed, subscription, frame)
        if self.fanned_out is not None and feed.subscribers:
            self.fanned_out(handed, time.perf_counter() - started)

    def _restart(self, feed: Feed[P], board: Board) -> None:
        feed.moved(board)
        feed.ring.clear()
        for subscription in list(feed.subscribers):
            subscription.last_seq = None
            self._catch_up(feed, subscription)

    def _catch_up(self, feed: Feed[P], subscription: Subscription[P]) -> None:
        """
        Bring C{subscription} to the feed's head: missed frames if the ring has them all,
        else a snapshot; stop early if it pauses on the way.
        """
        subscription.behind = False
        last = subscription.last_seq
        if last is None or last < feed.oldest:
            frames: Iterator[Frame[P]] = iter((self._snapshot(feed),))
        else:
            frames = feed.frames_after(last)
        for frame in frames:
            if subscription.paused:
                subscription.behind = True
                return
            if not self._hand(feed, subscription, frame):
                return

    def _hand(self, feed: Feed[P], subscription: Subscription[P], frame: Frame[P]) -> bool:
        try:
            subscription.sink(frame.message)
        except Exception:
            # One broken connection must not keep the frame from everybody else.
            self._log.failure("live subscriber of {slug} failed; dropped", slug=subscription.slug)
            feed.subscribers.pop(subscription, None)
            return False
        subscription.last_seq = frame.seq
        return True

    def _resumed(self, feed: Feed[P], since: int) -> Frame[P]:
        key = (since, self.version)
        frame = feed.resumed.get(key)
        if frame is None:
            body = encode(
                {
                    "type": "resumed",
                    "since": since,
                    "seq": feed.board.seq,
                    "epoch": feed.epoch,
                    "version": self.version,
                }
            )
            frame = feed.resumed[key] = Frame(since, self.prepare(body))
        return frame

    def _snapshot(self, feed: Feed[P]) -> Frame[P]:
        if feed.snapshot is None:
            body = encode(
                {
                    "type": "snapshot",
                    "seq": feed.board.seq,
                    "epoch": feed.epoch,
                    "version": self.version,
                    "board": board_json(feed.board),
                }
            )
            feed.snapshot = Frame(feed.board.seq, self.prepare(body))
        return feed.snapshot
