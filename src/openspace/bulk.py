"""
Facilitators' bulk actions: block or unblock a whole slot or a whole room, hide or
show several sessions.  Each is one L{Batch} event, so one undo reverses all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from openspace.commands import Actor, BlockMany, Decision, HideMany, Refused, Warning
from openspace.events import Batch, CellBlocked, CellUnblocked, Change, SessionHidden
from openspace.fields import invalid
from openspace.guards import find_session, require_privilege
from openspace.model import Board, Cell, RoomKind

#: The most sessions one bulk hide may name.
HIDE_MAX = 500


def _cells(board: Board, command: BlockMany) -> tuple[Cell, ...]:
    if (command.room is None) == (command.slot is None):
        invalid("room", "give either a room or a slot")
    if command.slot is not None:
        if board.slot(command.slot) is None:
            raise Refused("unknown_slot", f"there is no slot {command.slot!r}", field="slot")
        return tuple(
            Cell(room.id, command.slot) for room in board.rooms if room.kind is RoomKind.room
        )
    assert command.room is not None
    room = board.room(command.room)
    if room is None or room.kind is not RoomKind.room:
        raise Refused("unknown_room", f"there is no room {command.room!r}", field="room")
    return tuple(Cell(room.id, slot.id) for slot in board.slots)


def decide_block_many(board: Board, command: BlockMany, actor: Actor, now: datetime) -> Decision:
    """
    Block the free cells of a slot or room (those holding a session are named in a
    warning and left open), or unblock its blocked cells.
    """
    require_privilege(actor)
    cells = _cells(board, command)
    changes: list[Change] = []
    warnings: list[Warning] = []
    for cell in cells:
        if command.blocked and cell not in board.blocked:
            holder = board.session_in(cell)
            if holder is not None:
                warnings.append(
                    Warning(
                        "cell_taken",
                        f"“{holder.title}” keeps its cell: move or cancel it to block it",
                        (holder.id,),
                    )
                )
            else:
                changes.append(CellBlocked(cell))
        elif not command.blocked and cell in board.blocked:
            changes.append(CellUnblocked(cell))
    if not changes:
        return Decision((), tuple(warnings))
    verb = "block" if command.blocked else "unblock"
    kind = f"{verb}_{'slot' if command.slot is not None else 'room'}"
    return Decision((Batch(kind, tuple(changes)),), tuple(warnings))


def decide_hide_many(board: Board, command: HideMany, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    if not command.session_ids:
        invalid("sessions", "pick at least one session")
    if len(command.session_ids) > HIDE_MAX:
        invalid("sessions", f"at most {HIDE_MAX} sessions at once")
    changes: list[Change] = []
    for session_id in dict.fromkeys(command.session_ids):
        session = find_session(board, session_id)
        if session.hidden != command.hidden:
            changes.append(SessionHidden(session.id, command.hidden))
    ids = tuple(dict.fromkeys(command.session_ids))
    if not changes:
        return Decision((), ids=ids)
    kind = "hide_sessions" if command.hidden else "show_sessions"
    return Decision((Batch(kind, tuple(changes)),), ids=ids)


BULK_HANDLERS: Mapping[type, Callable[[Board, Any, Actor, datetime], Decision]] = {
    BlockMany: decide_block_many,
    HideMany: decide_hide_many,
}
