"""
Finding cancelled sessions in a board's log, for their "this session was cancelled" page.

A board keeps only the sessions that are on it; the log keeps everything.  Each event's
cancelled sessions are read once: L{CancelledSessions} remembers, per event, how far it
has read and what it found, and reads only the events since then on the next question.
"""

from __future__ import annotations

from attrs import define, field

from openspace.events import Change, Logged, SessionCancelled, SessionProposed, Undone
from openspace.model import Board, Session
from openspace.store.interface import BoardStore

#: Events read per query while catching up.
BATCH = 500


def _note(found: dict[str, Session], change: Change) -> None:
    match change:
        case SessionCancelled(session=session):
            found[session.id] = session
        case SessionProposed(session=session):
            # Back on the board (an undone cancel): no longer cancelled.
            found.pop(session.id, None)
        case Undone(changes=changes):
            for inner in changes:
                _note(found, inner)
        case _:
            pass


def cancelled_in(log: list[Logged], found: dict[str, Session]) -> None:
    """
    Add to C{found} the sessions that C{log} cancels (and drop those it restores).
    """
    for logged in log:
        _note(found, logged.change)


@define
class CancelledSessions:
    store: BoardStore
    _read: dict[str, tuple[int, dict[str, Session]]] = field(factory=dict)

    async def find(self, board: Board, session_id: str) -> Session | None:
        """
        The session C{session_id} as it was when cancelled, or L{None} if the log
        never cancelled it.
        """
        slug = board.info.slug
        upto, known = self._read.get(slug, (0, {}))
        if upto > board.seq:  # the event was deleted and made again
            upto, known = 0, {}
        found = dict(known)
        while upto < board.seq:
            batch = await self.store.events_since(slug, upto, BATCH)
            if not batch:
                break
            cancelled_in(batch, found)
            upto = batch[-1].seq
        self._read[slug] = (upto, found)
        return found.get(session_id)
