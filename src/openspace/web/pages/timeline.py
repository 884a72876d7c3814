"""
The board seen from a moment in time: what is on now, next, later, and what is past.

Pages (the phone board, the kiosk, the door screen) and the propose form all read the
board through these small values, so "now" means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from attrs import frozen

from openspace.board import free_cells
from openspace.model import Board, Room, Session, Slot

ALL_TIME = datetime(1, 1, 2, tzinfo=UTC)
"""
A "now" before every slot: L{free_rooms_by_slot} at it gives every cell that is not
taken, whatever the time (pages hide the free rooms of past slots themselves).
"""


@frozen
class SlotView:
    """
    One slot with its visible sessions (in room order) and the rooms still free.

    @ivar label: C{"Now"}, C{"Next"} or C{""}.
    """

    slot: Slot
    label: str
    sessions: tuple[Session, ...]
    free: tuple[Room, ...]


@frozen
class Timeline:
    past: tuple[SlotView, ...]
    coming: tuple[SlotView, ...]


def _sessions_by_slot(board: Board) -> Mapping[str, list[Session]]:
    order = {room.id: index for index, room in enumerate(board.rooms)}
    found: dict[str, list[Session]] = {}
    for session in sorted(board.visible_sessions(), key=lambda s: order.get(s.room, 0)):
        found.setdefault(session.slot, []).append(session)
    return found


def visible_in_slot(board: Board, slot: Slot) -> list[Session]:
    """
    The visible sessions of C{slot}, in room order.
    """
    order = {room.id: index for index, room in enumerate(board.rooms)}
    found = [s for s in board.visible_sessions() if s.slot == slot.id]
    return sorted(found, key=lambda s: order.get(s.room, 0))


def free_rooms_by_slot(board: Board, now: datetime) -> Mapping[str, tuple[Room, ...]]:
    """
    The rooms a host could claim, by slot id, in the board's order.
    """
    found: dict[str, list[Room]] = {}
    for cell in free_cells(board, now):
        room = board.room(cell.room)
        if room is not None:
            found.setdefault(cell.slot, []).append(room)
    return {slot: tuple(rooms) for slot, rooms in found.items()}


def slot_labels(board: Board, now: datetime) -> dict[str, str]:
    """
    The slots not over at C{now}, each with its label: C{"Now"}, C{"Next"} or C{""}.
    """
    labels: dict[str, str] = {}
    next_start: datetime | None = None
    for slot in board.slots:
        if slot.end <= now:
            continue
        if slot.start <= now:
            labels[slot.id] = "Now"
        elif next_start is None or slot.start == next_start:
            next_start = slot.start
            labels[slot.id] = "Next"
        else:
            labels[slot.id] = ""
    return labels


def timeline(board: Board, now: datetime) -> Timeline:
    by_slot = _sessions_by_slot(board)
    free = free_rooms_by_slot(board, now)
    labels = slot_labels(board, now)
    past: list[SlotView] = []
    coming: list[SlotView] = []
    for slot in board.slots:
        sessions = tuple(by_slot.get(slot.id, ()))
        if slot.id not in labels:
            past.append(SlotView(slot, "", sessions, ()))
        else:
            coming.append(SlotView(slot, labels[slot.id], sessions, free.get(slot.id, ())))
    return Timeline(tuple(past), tuple(coming))


def stale_in(board: Board, now: datetime) -> int:
    """
    Seconds until a slot, a meetup or an official talk starts or ends (one hour at most).
    """
    moments = [m for slot in board.slots for m in (slot.start, slot.end) if m > now]
    moments += [m for meetup in board.meetups.values() for m in (meetup.starts, meetup.ends)]
    moments += [m for talk in board.official for m in (talk.start, talk.end)]
    ahead = [(m - now).total_seconds() for m in moments if m > now]
    return int(min([*ahead, 3600.0])) + 1
