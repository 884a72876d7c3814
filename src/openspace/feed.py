"""
The pieces of the live fan-out (L{openspace.hub}): frames, subscriptions, what the hub
keeps per board, how frames are encoded and which incarnation of a board a client holds.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, Generic, TypeVar

from attrs import define, field, frozen
from twisted.internet.defer import Deferred

from openspace.events import Logged
from openspace.model import Board

P = TypeVar("P")

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode(document: Mapping[str, Any]) -> bytes:
    """
    Compact UTF-8 JSON: every frame is encoded by this, once.
    """
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def board_epoch(board: Board) -> int:
    """
    Which incarnation of a slug C{board} is: its creation time in whole microseconds.

    Sequence numbers start again at 1 when an event is deleted and created again (the demo
    is, when its slots are past); a client's C{since} only means something together with
    the epoch it was given.
    """
    return (board.created - _UNIX_EPOCH) // _MICROSECOND


@frozen
class Frame(Generic[P]):
    """
    One message as every subscriber receives it.

    @ivar seq: the board's sequence number once a client has applied it.
    @ivar message: what L{Hub.prepare} made of the encoded JSON.
    """

    seq: int
    message: P


@define(eq=False)
class Subscription(Generic[P]):
    """
    One connection watching one board.

    @ivar sink: sends a prepared message on the connection.
    @ivar last_seq: the sequence number the client has after the last frame it was handed;
        L{None} when the next thing it needs is a snapshot.
    @ivar paused: its connection asked for nothing more for now.
    @ivar behind: frames were withheld while it was paused.
    """

    slug: str
    sink: Callable[[P], None]
    last_seq: int | None = None
    paused: bool = False
    behind: bool = False


@define(eq=False)
class Feed(Generic[P]):
    """
    What the hub keeps for one board.

    @ivar ring: the frames of the events after C{board.seq - len(ring)}, oldest first.
    @ivar snapshot: the snapshot frame of C{board}, made when first asked for.
    @ivar resumed: the "resumed" frames at C{board.seq}, by the C{since} they answer
        (and the version they announce), each made when first asked for.  Like
        C{snapshot}, they are made once per sequence number and shared, so a storm of
        screens coming back (most holding the same seq) costs one encoding, not one per
        screen.
    """

    board: Board
    ring: deque[Frame[P]]
    subscribers: dict[Subscription[P], None] = field(factory=dict)
    snapshot: Frame[P] | None = None
    resumed: dict[tuple[int, str], Frame[P]] = field(factory=dict)
    # An event's frame being made off the reactor thread (L{openspace.hub.Hub.offload}), and the
    # commits that arrived meanwhile, to be taken in order once it is published, then the
    # HTML told meanwhile (L{openspace.hub.Hub.tell}).
    preparing: Deferred[Any] | None = None
    waiting: list[tuple[Board, Sequence[Logged]]] = field(factory=list)
    told: list[tuple[Board, bytes]] = field(factory=list)

    def moved(self, board: Board) -> None:
        """
        The feed is now at C{board}: the opening frames made for the last one are stale.
        """
        self.board = board
        self.snapshot = None
        self.resumed.clear()

    @property
    def epoch(self) -> int:
        return board_epoch(self.board)

    @property
    def oldest(self) -> int:
        """
        The earliest C{since} the ring can serve.
        """
        return self.board.seq - len(self.ring)

    def frames_after(self, seq: int) -> Iterator[Frame[P]]:
        return islice(self.ring, seq - self.oldest, None)
