"""
What the log says about each session and meetup: when it appeared, when it last
changed, how often it changed, and when it left the board; plus the recent public
changes in words, for the Atom feed.

Calendars need this and the board alone does not have it: an iCalendar C{SEQUENCE} must
grow with every change, C{LAST-MODIFIED} is the time of the last one, and a cancelled
session must stay in a subscribed calendar (as C{STATUS:CANCELLED}) for a while after it
left the board.  L{advance} folds one logged event into a L{History} by comparing the
board before and after it (the same rule as L{openspace.views.delta}), so undo, swaps
and edits need no case of their own.  "I'm going" changes nothing here: it is neither
a change of the session for calendars nor public.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from openspace.events import GoingSet, Logged
from openspace.model import Board, Meetup, Session
from openspace.replay import apply

#: How many public changes the history keeps for the Atom feed.
CHANGES_KEPT = 100

T = TypeVar("T")


@frozen
class ItemHistory:
    """
    One session's or meetup's life on the board.

    @ivar sequence: 0 when it appeared, one more for every later change (a move, an
        edit, hiding or showing it, cancelling it, bringing it back with undo).
    @ivar gone: when it last left the board (cancelled, or a proposal undone); L{None}
        while it is on the board.
    """

    created: datetime
    modified: datetime
    sequence: int = 0
    gone: datetime | None = None

    def changed(self, at: datetime, *, gone: bool = False) -> ItemHistory:
        return ItemHistory(self.created, at, self.sequence + 1, at if gone else None)


@frozen
class PublicChange:
    """
    One change anybody may read about, told as a sentence with names, not ids.

    @ivar kind: C{"proposed"}, C{"moved"}, C{"renamed"}, C{"cancelled"} or
        C{"meetup"}.
    @ivar session: the session (or meetup) id it is about, for its link.
    """

    seq: int
    at: datetime
    kind: str
    session: str
    title: str
    text: str


@frozen
class History:
    """
    A board and what its log says about its sessions and meetups, after C{board.seq}
    events.

    @ivar gone_sessions: the last state of each session that left the board.
    @ivar changes: the last L{CHANGES_KEPT} public changes, oldest first.
    @ivar last_at: when the last event was logged.
    @ivar changed_seq: the seq of the last event that was not an "I'm going": what
        every public document depends on (nobody's "going" is public).
    @ivar changed_at: when that event was logged.
    """

    board: Board
    last_at: datetime
    changed_seq: int
    changed_at: datetime
    sessions: Mapping[str, ItemHistory]
    meetups: Mapping[str, ItemHistory]
    gone_sessions: Mapping[str, Session]
    gone_meetups: Mapping[str, Meetup]
    changes: tuple[PublicChange, ...] = ()


def advance(history: History | None, logged: Logged) -> History:
    """
    The history after one more logged event (the first must create the board).
    """
    if history is None:
        board = apply(None, logged)
        return History(board, logged.at, logged.seq, logged.at, {}, {}, {}, {})
    before, board = history.board, apply(history.board, logged)
    if isinstance(logged.change, GoingSet):
        return evolve(history, board=board, last_at=logged.at)
    sessions = _items(history.sessions, before.sessions, board.sessions, logged)
    meetups = _items(history.meetups, before.meetups, board.meetups, logged)
    gone_sessions = _gone(history.gone_sessions, before.sessions, board.sessions)
    gone_meetups = _gone(history.gone_meetups, before.meetups, board.meetups)
    told = tuple(_public_changes(before, board, logged))
    changes = (history.changes + told)[-CHANGES_KEPT:] if told else history.changes
    return History(
        board,
        logged.at,
        logged.seq,
        logged.at,
        sessions,
        meetups,
        gone_sessions,
        gone_meetups,
        changes,
    )


def fold(history: History | None, log: Iterable[Logged]) -> History | None:
    """
    L{advance} over a whole stretch of the log.
    """
    for logged in log:
        history = advance(history, logged)
    return history


def _items(
    known: Mapping[str, ItemHistory],
    before: Mapping[str, T],
    after: Mapping[str, T],
    logged: Logged,
) -> Mapping[str, ItemHistory]:
    if before is after:
        return known
    updated: dict[str, ItemHistory] | None = None
    for item_id in before.keys() | after.keys():
        old, new = before.get(item_id), after.get(item_id)
        if old is new or old == new:
            continue
        if updated is None:
            updated = dict(known)
        seen = updated.get(item_id)
        if seen is None:
            updated[item_id] = ItemHistory(logged.at, logged.at)
        else:
            updated[item_id] = seen.changed(logged.at, gone=new is None)
    return known if updated is None else updated


def _gone(
    kept: Mapping[str, T], before: Mapping[str, T], after: Mapping[str, T]
) -> Mapping[str, T]:
    left = before.keys() - after.keys()
    back = kept.keys() & after.keys()
    if not left and not back:
        return kept
    updated = {k: v for k, v in kept.items() if k not in back}
    updated.update((item_id, before[item_id]) for item_id in left)
    return updated


def _public_changes(before: Board, after: Board, logged: Logged) -> Iterable[PublicChange]:
    zone = after.info.zone

    def told(kind: str, item: str, title: str, text: str) -> PublicChange:
        return PublicChange(logged.seq, logged.at, kind, item, title, text)

    for session_id in sorted(before.sessions.keys() | after.sessions.keys()):
        old, new = before.sessions.get(session_id), after.sessions.get(session_id)
        if old is new or (old is not None and old.hidden) or (new is not None and new.hidden):
            # Hidden sessions are moderated away: nothing about them is public.
            continue
        if old is None and new is not None:
            where = _where(after, new, zone)
            yield told("proposed", new.id, new.title, f"“{new.title}” by {new.host}: {where}.")
        elif new is None and old is not None:
            yield told(
                "cancelled",
                old.id,
                old.title,
                f"“{old.title}” ({_where(before, old, zone)}) was cancelled.",
            )
        elif old is not None and new is not None:
            if old.title != new.title:
                yield told(
                    "renamed", new.id, new.title, f"“{old.title}” is now called “{new.title}”."
                )
            if old.cell != new.cell:
                yield told(
                    "moved",
                    new.id,
                    new.title,
                    f"“{new.title}” moved to {_where(after, new, zone)} "
                    f"(was {_where(before, old, zone)}).",
                )
    for meetup_id in sorted(after.meetups.keys() - before.meetups.keys()):
        meetup = after.meetups[meetup_id]
        span = f"{_day_time(meetup.starts, zone)}–{meetup.ends.astimezone(zone):%H:%M}"
        yield told(
            "meetup",
            meetup.id,
            meetup.title,
            f"Hallway meetup “{meetup.title}” at {meetup.place}, {span}.",
        )


def _where(board: Board, session: Session, zone: ZoneInfo) -> str:
    room = board.room(session.room)
    slot = board.slot(session.slot)
    room_name = room.name if room is not None else session.room
    return f"{room_name}, {_day_time(slot.start, zone)}" if slot is not None else room_name


def _day_time(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"
