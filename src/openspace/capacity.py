"""
How full a session is: its "going" count against its room's seats, and which bigger
rooms are free at the same time.

A session is I{roomy} below 80 % of its room's seats, I{filling} from 80 %, and
I{full} from 100 %; a room with no stated capacity has no state.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from openspace.clashes import OfficialIndex
from openspace.model import Board, Cell, Room, RoomKind, Session

FILLING_FROM = 0.8


class Fill(StrEnum):
    roomy = "roomy"
    filling = "filling"
    full = "full"


#: What each state reads as on a page (the state is never shown by colour alone).
FILL_WORDS = {Fill.roomy: "Roomy", Fill.filling: "Filling up", Fill.full: "Full"}


def fill(going: int, seats: int | None) -> Fill | None:
    if seats is None or seats <= 0:
        return None
    if going >= seats:
        return Fill.full
    if going >= FILLING_FROM * seats:
        return Fill.filling
    return Fill.roomy


def session_fill(board: Board, session: Session) -> Fill | None:
    room = board.room(session.room)
    return fill(len(session.going), room.capacity if room is not None else None)


def open_rooms(board: Board, slot_id: str) -> tuple[Room, ...]:
    """
    The rooms a session could move into in slot C{slot_id}: free, not blocked, not
    held by an official talk.
    """
    slot = board.slot(slot_id)
    if slot is None:
        return ()
    official = OfficialIndex(board)
    return tuple(
        room
        for room in board.rooms
        if room.kind is RoomKind.room
        and Cell(room.id, slot_id) not in board.blocked
        and board.session_in(Cell(room.id, slot_id)) is None
        and not official.held_in(room, slot)
    )


def bigger_room(board: Board, session: Session, now: datetime) -> Room | None:
    """
    For a full session whose slot has not ended: the smallest free room in its slot
    that seats everyone going, else the biggest free room with more seats than its own.
    """
    room = board.room(session.room)
    slot = board.slot(session.slot)
    if room is None or room.capacity is None or slot is None or slot.end <= now:
        return None
    if session_fill(board, session) is not Fill.full:
        return None
    going = len(session.going)
    bigger = sorted(
        (r for r in open_rooms(board, session.slot) if (r.capacity or 0) > room.capacity),
        key=lambda r: r.capacity or 0,
    )
    if not bigger:
        return None
    return next((r for r in bigger if (r.capacity or 0) >= going), bigger[-1])
