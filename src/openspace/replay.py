"""
Folding logged events into boards: the one way a board's state is ever built.

The store folds each committed event into its cached board, a restarted server folds the
log, and the tests check that folding the whole log from empty gives the stored board.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import evolve

from openspace.commands import Actor, Decision
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
from openspace.model import Board, Meetup, OfficialTalk, Report, Session


def apply(board: Board | None, logged: Logged) -> Board:
    """
    The board after one more logged event.
    """
    if board is None:
        if not isinstance(logged.change, LayoutSet):
            raise ValueError(f"event {logged.seq} is not a board's creation")
        layout = logged.change.layout
        board = Board(info=layout.info, seq=0, created=logged.at)
    if logged.seq != board.seq + 1:
        raise ValueError(f"event {logged.seq} does not follow {board.seq}")
    return evolve(apply_change(board, logged.change), seq=logged.seq)


def replay(log: Iterable[Logged]) -> Board | None:
    """
    Fold a whole log, from the board's creation, into a board.
    """
    board: Board | None = None
    for logged in log:
        board = apply(board, logged)
    return board


def record(
    board: Board | None, decision: Decision, actor: Actor, now: datetime
) -> tuple[Board | None, tuple[Logged, ...]]:
    """
    Number the changes of C{decision} after C{board} and apply them.
    """
    seq = 0 if board is None else board.seq
    logged = tuple(
        Logged(seq + offset, now, actor.role.value, change)
        for offset, change in enumerate(decision.changes, start=1)
    )
    for entry in logged:
        board = apply(board, entry)
    return board, logged


def _with_session(board: Board, session: Session) -> Board:
    sessions = dict(board.sessions)
    sessions[session.id] = session
    return evolve(board, sessions=sessions)


def _with_meetup(board: Board, meetup: Meetup) -> Board:
    meetups = dict(board.meetups)
    meetups[meetup.id] = meetup
    return evolve(board, meetups=meetups)


def _with_reports(board: Board, item: str, reports: tuple[Report, ...]) -> Board:
    kept = dict(board.reports)
    if reports:
        kept[item] = reports
    else:
        kept.pop(item, None)
    return evolve(board, reports=kept)


def _hidden(board: Board, item: str, hidden: bool) -> Board:
    """
    Hide or show the session or meetup C{item}.
    """
    if item in board.sessions:
        return _with_session(board, evolve(board.sessions[item], hidden=hidden))
    return _with_meetup(board, evolve(board.meetups[item], hidden=hidden))


def talk_order(talk: OfficialTalk) -> tuple[object, ...]:
    """
    The order of a board's official talks: by start, end, room, source and id.
    """
    return (talk.start, talk.end, talk.room, talk.source, talk.id)


def apply_change(board: Board, change: Change) -> Board:
    """
    The board after C{change}, without numbering it (see L{apply}).
    """
    match change:
        case LayoutSet(layout=layout):
            return evolve(
                board,
                info=layout.info,
                rooms=layout.rooms,
                slots=layout.slots,
                blocked=layout.blocked,
            )
        case SessionProposed(session=session):
            return _with_session(board, session)
        case SessionCancelled(session=session):
            sessions = dict(board.sessions)
            del sessions[session.id]
            return evolve(board, sessions=sessions)
        case SessionEdited(session_id=session_id, after=after):
            return _with_session(
                board,
                evolve(
                    board.sessions[session_id],
                    title=after.title,
                    description=after.description,
                    host=after.host,
                    tags=after.tags,
                ),
            )
        case SessionMoved(session_id=session_id, target=target):
            moved = evolve(board.sessions[session_id], room=target.room, slot=target.slot)
            return _with_session(board, moved)
        case SessionsSwapped(first=first, second=second):
            one, two = board.sessions[first], board.sessions[second]
            board = _with_session(board, evolve(one, room=two.room, slot=two.slot))
            return _with_session(board, evolve(two, room=one.room, slot=one.slot))
        case GoingSet(session_id=session_id, attendee=attendee, going=going):
            session = board.sessions[session_id]
            people = session.going | {attendee} if going else session.going - {attendee}
            return _with_session(board, evolve(session, going=people))
        case CellBlocked(cell=cell):
            return evolve(board, blocked=board.blocked | {cell})
        case CellUnblocked(cell=cell):
            return evolve(board, blocked=board.blocked - {cell})
        case SessionHidden(session_id=session_id, hidden=hidden):
            return _with_session(board, evolve(board.sessions[session_id], hidden=hidden))
        case MeetupStarted(meetup=meetup) | MeetupEdited(after=meetup):
            return _with_meetup(board, meetup)
        case MeetupHidden(meetup_id=meetup_id, hidden=hidden):
            return _hidden(board, meetup_id, hidden)
        case ReportFiled(item=item, report=report, hides=hides):
            board = _with_reports(board, item, (*board.reports.get(item, ()), report))
            return _hidden(board, item, True) if hides else board
        case ReportsSet(item=item, after=after):
            return _with_reports(board, item, after)
        case ModerationSet(moderation=moderation):
            return evolve(board, moderation=moderation)
        case MeetupCancelled(meetup=meetup):
            meetups = dict(board.meetups)
            meetups.pop(meetup.id, None)
            return evolve(board, meetups=meetups)
        case SourcesSet(sources=sources):
            return evolve(board, sources=sources)
        case OfficialScheduleChanged(source=source, added=added, removed=removed):
            gone = {talk.id for talk in removed}
            kept = (t for t in board.official if t.source != source or t.id not in gone)
            return evolve(board, official=tuple(sorted((*kept, *added), key=talk_order)))
        case Undone(changes=changes) | Batch(changes=changes):
            for inner in changes:
                board = apply_change(board, inner)
            return board
