"""
One-line descriptions of board changes, for the facilitator's log and undo list.
"""

from __future__ import annotations

from openspace.events import (
    CellBlocked,
    CellUnblocked,
    Change,
    GoingSet,
    LayoutSet,
    MeetupCancelled,
    MeetupStarted,
    OfficialScheduleChanged,
    SessionCancelled,
    SessionEdited,
    SessionHidden,
    SessionMoved,
    SessionProposed,
    SessionsSwapped,
    SourcesSet,
    Undone,
)
from openspace.model import Cell


def _cell(cell: Cell) -> str:
    return f"{cell.room} at {cell.slot}"


def describe_change(change: Change) -> str:
    match change:
        case LayoutSet(before=None):
            return "created the board"
        case LayoutSet():
            return "changed rooms and slots"
        case SessionProposed(session=session):
            return f"proposed “{session.title}” ({session.id}) in {_cell(session.cell)}"
        case SessionCancelled(session=session):
            return f"cancelled “{session.title}” ({session.id})"
        case SessionEdited(session_id=session_id, after=after):
            return f"edited {session_id}: “{after.title}”"
        case SessionMoved(session_id=session_id, origin=origin, target=target):
            return f"moved {session_id} from {_cell(origin)} to {_cell(target)}"
        case SessionsSwapped(first=first, second=second):
            return f"swapped {first} and {second}"
        case GoingSet(session_id=session_id, going=going, count=count):
            verb = "is going to" if going else "is no longer going to"
            return f"someone {verb} {session_id} ({count} going)"
        case CellBlocked(cell=cell):
            return f"blocked {_cell(cell)}"
        case CellUnblocked(cell=cell):
            return f"unblocked {_cell(cell)}"
        case SessionHidden(session_id=session_id, hidden=hidden):
            return f"{'hid' if hidden else 'showed again'} {session_id}"
        case MeetupStarted(meetup=meetup):
            return f"meetup “{meetup.title}” at {meetup.place}"
        case MeetupCancelled(meetup=meetup):
            return f"removed meetup “{meetup.title}”"
        case SourcesSet(sources=()):
            return "removed the official schedule sources"
        case SourcesSet(sources=sources):
            return "official schedule from " + ", ".join(source.url for source in sources)
        case OfficialScheduleChanged(source=source, added=added, removed=removed):
            new, old = {t.id for t in added}, {t.id for t in removed}
            return (
                f"official schedule from {source}: {len(new - old)} new, "
                f"{len(new & old)} changed, {len(old - new)} removed"
            )
        case Undone(seqs=seqs):
            return "undid " + ", ".join(f"#{seq}" for seq in seqs)
