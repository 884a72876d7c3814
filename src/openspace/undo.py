"""
Undo: picking the events to undo, and the changes that reverse each of them.

Every event carries what its inverse needs, so undoing is another event (L{Undone}),
never a deletion from the log.
"""

from __future__ import annotations

from collections.abc import Sequence

from openspace.commands import Refused
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
    SessionText,
    SourcesSet,
    Undone,
)
from openspace.model import Board, Meetup, ScheduleSource, Session
from openspace.replay import apply_change

#: The stored type names of attendees' own changes: never undone by a facilitator,
#: and left out of the facilitator's log unless asked for.
ATTENDEE_TRAFFIC = ("going_set", "report_filed")


def undo_targets(log_tail: Sequence[Logged], count: int) -> tuple[Logged, ...]:
    """
    The last C{count} events of C{log_tail} that can still be undone, newest first.

    Creating the board, attendees' "I'm going" and reports, official schedule updates
    and undos themselves are not undone: attendance and reports belong to the
    attendees, the official schedule to its source (undoing an update would show talks
    the source no longer has), and an undo is corrected by acting again.
    """
    undone = _undone(log_tail)
    picked: list[Logged] = []
    for logged in reversed(log_tail):
        if len(picked) >= count:
            break
        if logged.seq not in undone and undoable(logged):
            picked.append(logged)
    return tuple(picked)


def undo_from(log_since: Sequence[Logged], seq: int, *, only: bool) -> tuple[Logged, ...]:
    """
    The events to undo for "undo #C{seq}" (C{only}) or "undo back to #C{seq}" (it and
    every later undoable event), newest first.

    @param log_since: the log from C{seq} on (attendees' traffic may be left out).
    @raise Refused: C{nothing_to_undo} when #C{seq} itself cannot be undone (any more).
    """
    undone = _undone(log_since)
    picked = tuple(
        logged
        for logged in reversed(log_since)
        if logged.seq >= seq and logged.seq not in undone and undoable(logged)
    )
    if not picked or picked[-1].seq != seq:
        raise Refused("nothing_to_undo", f"change #{seq} cannot be undone (any more)")
    return picked[-1:] if only else picked


def undoable(logged: Logged) -> bool:
    change = logged.change
    if isinstance(change, Undone | GoingSet | ReportFiled | OfficialScheduleChanged):
        return False
    return not (isinstance(change, LayoutSet) and change.before is None)


def _undone(log: Sequence[Logged]) -> set[int]:
    undone: set[int] = set()
    for logged in log:
        if isinstance(logged.change, Undone):
            undone.update(logged.change.seqs)
    return undone


def inverse(change: Change, board: Board) -> tuple[Change, ...]:
    """
    The changes that take C{board} back to before C{change}.

    @raise Refused: C{undo_conflict} when later changes make that impossible.
    """
    match change:
        case LayoutSet(layout=layout, before=before):
            if before is None:
                raise Refused("undo_conflict", "the creation of an event cannot be undone")
            return (LayoutSet(before, layout),)
        case SessionProposed(session=session):
            return (SessionCancelled(_still_there(board, session.id)),)
        case SessionCancelled(session=session):
            return (SessionProposed(session),)
        case SessionEdited(session_id=session_id, before=before):
            return (
                SessionEdited(session_id, SessionText.of(_still_there(board, session_id)), before),
            )
        case SessionMoved(session_id=session_id, origin=origin):
            return (SessionMoved(session_id, _still_there(board, session_id).cell, origin),)
        case SessionsSwapped(first=first, second=second):
            _still_there(board, first)
            _still_there(board, second)
            return (change,)
        case GoingSet(session_id=session_id, attendee=attendee, going=going):
            count = len(_still_there(board, session_id).going) + (-1 if going else 1)
            return (GoingSet(session_id, attendee, not going, count),)
        case CellBlocked(cell=cell):
            return (CellUnblocked(cell),)
        case CellUnblocked(cell=cell):
            return (CellBlocked(cell),)
        case SessionHidden(session_id=session_id, hidden=hidden):
            _still_there(board, session_id)
            return (SessionHidden(session_id, not hidden),)
        case MeetupStarted(meetup=meetup):
            return (MeetupCancelled(board.meetups.get(meetup.id, meetup)),)
        case MeetupCancelled(meetup=meetup):
            return (MeetupStarted(meetup),)
        case MeetupEdited(before=before):
            return (MeetupEdited(_meetup_there(board, before.id), before),)
        case MeetupHidden(meetup_id=meetup_id, hidden=hidden):
            _meetup_there(board, meetup_id)
            return (MeetupHidden(meetup_id, not hidden),)
        case ReportsSet(item=item, before=before):
            return (ReportsSet(item, board.reports.get(item, ()), before),)
        case ModerationSet(moderation=moderation, before=before):
            return (ModerationSet(before, moderation),)
        case Batch(kind=kind, changes=changes):
            inverses: list[Change] = []
            for inner in reversed(changes):
                for step in inverse(inner, board):
                    board = apply_change(board, step)
                    inverses.append(step)
            return (Batch(kind, tuple(inverses)),)
        case ReportFiled():
            raise Refused("undo_conflict", "an attendee's report is dismissed, not undone")
        case SourcesSet(before=before):
            return replace_sources(board, before)
        case OfficialScheduleChanged(source=source, added=added, removed=removed):
            present = set(board.official)
            if not all(talk in present for talk in added):
                raise Refused(
                    "undo_conflict", f"the official schedule from {source} has changed since"
                )
            return (OfficialScheduleChanged(source, removed, added),)
        case Undone():
            raise Refused("undo_conflict", "an undo cannot itself be undone")


def replace_sources(board: Board, sources: tuple[ScheduleSource, ...]) -> tuple[Change, ...]:
    """
    The changes that make C{sources} the board's sources: the new list, and the
    removal of the talks of every source it no longer has, so that official talks
    always belong to a configured source (used both forwards and to undo).
    """
    kept = {source.url for source in sources}
    dropped = tuple(
        OfficialScheduleChanged(source.url, (), talks)
        for source in board.sources
        if source.url not in kept
        and (talks := tuple(t for t in board.official if t.source == source.url))
    )
    return (SourcesSet(sources, board.sources), *dropped)


def _meetup_there(board: Board, meetup_id: str) -> Meetup:
    meetup = board.meetups.get(meetup_id)
    if meetup is None:
        raise Refused(
            "undo_conflict",
            f"meetup {meetup_id!r} has been removed since",
            details={"meetup": meetup_id},
        )
    return meetup


def _still_there(board: Board, session_id: str) -> Session:
    session = board.sessions.get(session_id)
    if session is None:
        raise Refused(
            "undo_conflict",
            f"session {session_id!r} has been cancelled since",
            details={"session": session_id},
        )
    return session
