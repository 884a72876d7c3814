"""
Placement suggestions: moving sessions between rooms of their own slot so that the
people expected fit the seats, and applying such a plan as one event.

The fit of a slot is how many of the people expected get a seat: for each session,
the smaller of its expected attendance (its "going" count unless told otherwise) and
its room's capacity.  L{suggest} starts from the board as it is and takes the best
single move (into a free room) or swap, again and again, while one raises the fit;
so it never lowers the fit and moves nothing without a reason.

It never moves a session that has started or starts within the freeze
(L{openspace.model.Moderation.freeze_minutes}, 15 minutes by default), a hidden
session, one in a room of unknown capacity, or one a facilitator put in a blocked or
official-talk cell; never into a blocked cell, a room an
official talk holds, or a hallway spot; and never changes a session's slot.
L{decide_placement} checks all of that again when the plan is applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from attrs import frozen

from openspace.clashes import OfficialIndex
from openspace.commands import Actor, ApplyPlacement, Decision, PlannedMove, Refused
from openspace.events import Batch, Change, SessionMoved
from openspace.fields import invalid
from openspace.guards import find_session, require_privilege
from openspace.model import Board, Cell, Room, RoomKind, Session, Slot
from openspace.replay import apply_change

#: At most this many improving steps per slot: far more than any real slot needs.
STEPS_MAX = 1000


@frozen
class Placement:
    """
    A suggested plan: the moves, and the fit before and after them.

    @ivar expected: how many people are expected in the slots considered.
    """

    moves: tuple[PlannedMove, ...]
    fit_before: int
    fit_after: int
    expected: int


def going_demand(board: Board) -> dict[str, int]:
    return {session.id: len(session.going) for session in board.sessions.values()}


def day_slots(board: Board, day: date) -> tuple[str, ...]:
    zone = board.info.zone
    return tuple(slot.id for slot in board.slots if slot.start.astimezone(zone).date() == day)


def scope_slots(board: Board, scope: str) -> tuple[str, ...]:
    """
    The slots a suggestion for C{scope} considers: a slot id, or a day as YYYY-MM-DD;
    none when it names neither.
    """
    if board.slot(scope) is not None:
        return (scope,)
    return next((day_slots(board, day) for day in board.days() if day.isoformat() == scope), ())


def freeze_of(board: Board) -> timedelta:
    return timedelta(minutes=board.moderation.freeze_minutes)


def seated(expected: int, room: Room | None) -> int:
    if room is None or room.capacity is None:
        return expected
    return min(expected, room.capacity)


def fit(board: Board, slot_ids: Iterable[str], demand: Mapping[str, int]) -> int:
    """
    How many of the people expected in C{slot_ids} get a seat.
    """
    wanted = set(slot_ids)
    return sum(
        seated(demand.get(session.id, 0), board.room(session.room))
        for session in board.sessions.values()
        if session.slot in wanted
    )


def _frozen(slot: Slot, now: datetime, freeze: timedelta) -> bool:
    return slot.start <= now + freeze


def _movable(board: Board, session: Session, slot: Slot, now: datetime, freeze: timedelta) -> bool:
    room = board.room(session.room)
    return (
        not session.hidden
        and not _frozen(slot, now, freeze)
        and room is not None
        and room.kind is RoomKind.room
        and room.capacity is not None
    )


def _open_to_moves(board: Board, room: Room, slot: Slot, official: OfficialIndex) -> bool:
    return (
        room.kind is RoomKind.room
        and room.capacity is not None
        and Cell(room.id, slot.id) not in board.blocked
        and not official.held_in(room, slot)
    )


def suggest(
    board: Board,
    now: datetime,
    slot_ids: Sequence[str],
    *,
    demand: Mapping[str, int] | None = None,
    freeze: timedelta | None = None,
) -> Placement:
    """
    The moves that raise the fit of C{slot_ids} (see the module docstring).

    @param demand: people expected per session id; by default its "going" count.
    @param freeze: by default the event's own (L{freeze_of}).
    """
    demand = going_demand(board) if demand is None else demand
    freeze = freeze_of(board) if freeze is None else freeze
    official = OfficialIndex(board)
    rooms = {room.id: room for room in board.rooms}
    moves: list[PlannedMove] = []
    for slot_id in dict.fromkeys(slot_ids):
        slot = board.slot(slot_id)
        if slot is None:
            raise Refused("unknown_slot", f"there is no slot {slot_id!r}", field="slot")
        here = [s for s in board.sessions.values() if s.slot == slot_id]
        # A session in a cell closed to moves (put there by a facilitator) stays: its
        # room could not be offered to another session in a swap.
        movable = sorted(
            s.id
            for s in here
            if _movable(board, s, slot, now, freeze)
            and _open_to_moves(board, rooms[s.room], slot, official)
        )
        placed = {sid: board.sessions[sid].room for sid in movable}
        held = {s.room for s in here}
        free = sorted(
            room.id
            for room in board.rooms
            if room.id not in held and _open_to_moves(board, room, slot, official)
        )
        _improve(placed, free, rooms, demand)
        moves += (
            PlannedMove(sid, board.sessions[sid].room, room)
            for sid, room in placed.items()
            if room != board.sessions[sid].room
        )
    after = _moved(board, moves)
    return Placement(
        tuple(moves),
        fit(board, slot_ids, demand),
        fit(after, slot_ids, demand),
        sum(demand.get(s.id, 0) for s in board.sessions.values() if s.slot in set(slot_ids)),
    )


def _improve(
    placed: dict[str, str],
    free: list[str],
    rooms: Mapping[str, Room],
    demand: Mapping[str, int],
) -> None:
    """
    Take the best move or swap while one raises the fit (in place).
    """
    ids = list(placed)
    wanted = [demand.get(session_id, 0) for session_id in ids]
    seats = {room_id: room.capacity for room_id, room in rooms.items()}

    def gain(index: int, room_id: str) -> int:
        limit = seats[room_id]
        return wanted[index] if limit is None else min(wanted[index], limit)

    for _ in range(STEPS_MAX):
        best = 0
        step: tuple[str, int, int | str] | None = None
        here = [gain(i, placed[ids[i]]) for i in range(len(ids))]
        for first in range(len(ids)):
            for room in free:
                better = gain(first, room) - here[first]
                if better > best:
                    best, step = better, ("move", first, room)
            room_first = placed[ids[first]]
            for second in range(first + 1, len(ids)):
                better = (
                    gain(first, placed[ids[second]])
                    + gain(second, room_first)
                    - here[first]
                    - here[second]
                )
                if better > best:
                    best, step = better, ("swap", first, second)
        if step is None:
            return
        kind, first, other = step
        one = ids[first]
        if kind == "move":
            assert isinstance(other, str)
            free.remove(other)
            free.append(placed[one])
            free.sort()
            placed[one] = other
        else:
            assert isinstance(other, int)
            two = ids[other]
            placed[one], placed[two] = placed[two], placed[one]


def _moved(board: Board, moves: Iterable[PlannedMove]) -> Board:
    for change in _changes(board, moves):
        board = apply_change(board, change)
    return board


def _changes(board: Board, moves: Iterable[PlannedMove]) -> tuple[Change, ...]:
    changes: list[Change] = []
    for move in moves:
        slot = board.sessions[move.session_id].slot
        changes.append(
            SessionMoved(move.session_id, Cell(move.origin, slot), Cell(move.target, slot))
        )
    return tuple(changes)


def decide_placement(
    board: Board, command: ApplyPlacement, actor: Actor, now: datetime
) -> Decision:
    """
    Apply a plan as one L{Batch}, refusing the whole of it if any move is stale
    (the session is no longer where the plan found it), frozen, or lands on a cell
    that is not free once the plan is done.
    """
    require_privilege(actor)
    if not command.moves:
        invalid("moves", "the plan has no moves")
    if len({move.session_id for move in command.moves}) != len(command.moves):
        invalid("moves", "a plan moves each session at most once")
    freeze = freeze_of(board)
    official = OfficialIndex(board)
    for move in command.moves:
        session = find_session(board, move.session_id)
        if session.room != move.origin:
            raise Refused(
                "placement_stale",
                f"“{session.title}” is no longer in that room: ask for a new suggestion",
                details={"session": session.id},
            )
        slot = board.slot(session.slot)
        assert slot is not None
        if not _movable(board, session, slot, now, freeze):
            raise Refused(
                "frozen",
                f"“{session.title}” starts too soon (or is hidden) to be moved by a plan",
                details={"session": session.id},
            )
        room = board.room(move.target)
        if room is None or not _open_to_moves(board, room, slot, official):
            raise Refused(
                "room_unavailable",
                f"{move.target} cannot take a session at that time",
                field="moves",
                details={"session": session.id, "room": move.target},
            )
    moved = {move.session_id for move in command.moves}
    taken: dict[Cell, str] = {s.cell: s.id for s in board.sessions.values() if s.id not in moved}
    for move in command.moves:
        cell = Cell(move.target, board.sessions[move.session_id].slot)
        if cell in taken:
            raise Refused(
                "cell_taken",
                f"{move.target} is taken at that time: ask for a new suggestion",
                details={"session": taken[cell]},
            )
        taken[cell] = move.session_id
    ids = tuple(move.session_id for move in command.moves)
    return Decision((Batch("placement", _changes(board, command.moves)),), ids=ids)
