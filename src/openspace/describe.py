"""
One-line descriptions of board changes, and who made them, for the facilitator's log
and undo list.

Sessions are named by title, rooms by name and slots by their local start, looked up
on the board the log is read against (a session cancelled since is still named: its
cancellation carries it).  Who acted is told from the change itself, so a change
reads the same whichever door (page or API) it came through.
"""

from __future__ import annotations

from openspace.events import (
    Batch,
    CellBlocked,
    CellUnblocked,
    Change,
    GoingSet,
    LayoutSet,
    Logged,
    MeetupCancelled,
    MeetupEdited,
    MeetupHidden,
    MeetupStarted,
    ModerationSet,
    OfficialScheduleChanged,
    ReportFiled,
    ReportsSet,
    SessionCancelled,
    SessionEdited,
    SessionHidden,
    SessionMoved,
    SessionProposed,
    SessionsSwapped,
    SourcesSet,
    Undone,
)
from openspace.model import Board, Cell

#: Who may have made a change, as L{who} says it.
WHO = ("facilitator", "host", "attendee", "official schedule", "system")

#: How many of a batch's changes its line names before "and N more".
BATCH_SHOWN = 3

_BATCHES = {
    "block_slot": "blocked a whole slot",
    "unblock_slot": "unblocked a whole slot",
    "block_room": "blocked a whole room",
    "unblock_room": "unblocked a whole room",
    "hide_sessions": "hid several sessions",
    "show_sessions": "showed several sessions again",
    "hide_reported": "hid a reported item and cleared its reports",
    "placement": "applied a placement plan",
}


def who(logged: Logged) -> str:
    """
    Who made a change, in words: "facilitator", "host", "attendee", "official
    schedule" or "system".
    """
    change = logged.change
    if isinstance(change, OfficialScheduleChanged | SourcesSet) and logged.actor == "system":
        return "official schedule"
    if logged.actor in ("facilitator", "system"):
        return logged.actor
    if isinstance(change, GoingSet | ReportFiled | MeetupStarted | MeetupEdited | MeetupCancelled):
        return "attendee"
    return "host"


def person(logged: Logged, board: Board | None = None) -> str:
    """
    The host's name when a host made the change, else "".
    """
    change = logged.change
    if who(logged) != "host":
        return ""
    match change:
        case SessionProposed(session=session) | SessionCancelled(session=session):
            return session.host
        case SessionEdited(after=after):
            return after.host
        case SessionMoved(session_id=sid) | SessionsSwapped(first=sid):
            found = board.sessions.get(sid) if board is not None else None
            return found.host if found is not None else ""
    return ""


class _Names:
    def __init__(self, board: Board | None) -> None:
        self.board = board

    def session(self, session_id: str) -> str:
        found = self.board.sessions.get(session_id) if self.board is not None else None
        return f"“{found.title}”" if found is not None else session_id

    def meetup(self, meetup_id: str) -> str:
        found = self.board.meetups.get(meetup_id) if self.board is not None else None
        return f"meetup “{found.title}”" if found is not None else f"meetup {meetup_id}"

    def item(self, item: str) -> str:
        if self.board is not None and item in self.board.meetups:
            return self.meetup(item)
        return self.session(item)

    def cell(self, cell: Cell) -> str:
        if self.board is None:
            return f"{cell.room} at {cell.slot}"
        room = self.board.room(cell.room)
        slot = self.board.slot(cell.slot)
        where = room.name if room is not None else cell.room
        if slot is None:
            return f"{where} at {cell.slot}"
        return f"{where} at {slot.start.astimezone(self.board.info.zone):%a %H:%M}"


def describe_change(change: Change, board: Board | None = None) -> str:
    """
    A change in words; with C{board}, sessions, rooms and slots by name.
    """
    names = _Names(board)
    match change:
        case LayoutSet(before=None):
            return "created the board"
        case LayoutSet():
            return "changed rooms and slots"
        case SessionProposed(session=session):
            return f"proposed “{session.title}” ({session.host}) in {names.cell(session.cell)}"
        case SessionCancelled(session=session):
            return f"cancelled “{session.title}” ({session.host})"
        case SessionEdited(session_id=session_id, before=before, after=after):
            if before.title != after.title:
                return f"retitled “{before.title}” as “{after.title}”"
            return f"edited “{after.title}”"
        case SessionMoved(session_id=session_id, origin=origin, target=target):
            return (
                f"moved {names.session(session_id)} from {names.cell(origin)} "
                f"to {names.cell(target)}"
            )
        case SessionsSwapped(first=first, second=second):
            return f"swapped {names.session(first)} and {names.session(second)}"
        case GoingSet(session_id=session_id, going=going, count=count):
            verb = "is going to" if going else "is no longer going to"
            return f"someone {verb} {names.session(session_id)} ({count} going)"
        case CellBlocked(cell=cell):
            return f"blocked {names.cell(cell)}"
        case CellUnblocked(cell=cell):
            return f"unblocked {names.cell(cell)}"
        case SessionHidden(session_id=session_id, hidden=hidden):
            return f"{'hid' if hidden else 'showed again'} {names.session(session_id)}"
        case MeetupStarted(meetup=meetup):
            return f"started meetup “{meetup.title}” at {meetup.place}"
        case MeetupCancelled(meetup=meetup):
            return f"removed meetup “{meetup.title}”"
        case MeetupEdited(before=before, after=after):
            if after.ends < before.ends and after.title == before.title:
                return f"ended meetup “{after.title}”"
            return f"edited meetup “{after.title}”"
        case MeetupHidden(meetup_id=meetup_id, hidden=hidden):
            return f"{'hid' if hidden else 'showed again'} {names.meetup(meetup_id)}"
        case ReportFiled(item=item, hides=hides):
            hid = " (hidden automatically)" if hides else ""
            return f"someone reported {names.item(item)}{hid}"
        case ReportsSet(item=item, after=()):
            return f"dismissed the reports on {names.item(item)}"
        case ReportsSet(item=item):
            return f"restored the reports on {names.item(item)}"
        case ModerationSet(moderation=moderation):
            hide = moderation.auto_hide
            auto = f"auto-hide after {hide} reports" if hide else "no auto-hide"
            return f"moderation: {auto}, placement freeze {moderation.freeze_minutes} min"
        case Batch(kind=kind, changes=changes):
            shown = "; ".join(describe_change(c, board) for c in changes[:BATCH_SHOWN])
            more = f"; and {len(changes) - BATCH_SHOWN} more" if len(changes) > BATCH_SHOWN else ""
            return f"{_BATCHES.get(kind, kind)}: {shown}{more}"
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
