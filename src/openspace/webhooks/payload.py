"""
What a webhook delivery carries: the live protocol's C{events} frame, plus the board.

    {"type": "events", "event": "<slug>", "epoch": E, "events": [<delta>, ...]}

Each delta is exactly what live clients get (L{openspace.views.delta}): the event's
C{seq}, C{at}, C{actor} (a role, never a person), C{type}, C{put}/C{drop} of public
objects, and C{layout}/C{official} when they changed.  Sessions carry the number of
people going, never who: "I'm going" events are delivered (so that seqs stay
consecutive and a gap always means loss) but hold only the new count.  Edit-key digests,
attendee ids and hidden sessions are never part of a delta.

A batch holds consecutive events, oldest first, at least one, and stops before the body
would pass C{max_bytes} (a receiver that was down catches up in a few large requests
rather than thousands of small ones).
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from openspace.events import Logged
from openspace.feed import encode
from openspace.model import Board
from openspace.replay import apply
from openspace.views import delta

MAX_EVENTS = 50
MAX_BYTES = 256 * 1024


@frozen
class Batch:
    """
    One delivery's body, the seqs it covers, and the board after its last event.
    """

    body: bytes
    first: int
    last: int
    board: Board


def make_batch(
    slug: str,
    epoch: int,
    before: Board | None,
    logged: Sequence[Logged],
    *,
    max_events: int = MAX_EVENTS,
    max_bytes: int = MAX_BYTES,
) -> Batch:
    """
    The body for the events C{logged} (consecutive, right after C{before}), or as many
    of the first of them as fit.
    """
    if not logged:
        raise ValueError("a batch needs at least one event")
    head = encode({"type": "events", "event": slug, "epoch": epoch})[:-1] + b',"events":['
    parts: list[bytes] = []
    size = len(head) + 2
    board = before
    last = logged[0].seq
    for entry in logged[:max_events]:
        after = apply(board, entry)
        part = encode(delta(board, entry, after))
        if parts and size + len(part) + 1 > max_bytes:
            break
        parts.append(part)
        size += len(part) + 1
        board, last = after, entry.seq
    assert board is not None
    return Batch(head + b",".join(parts) + b"]}", logged[0].seq, last, board)
