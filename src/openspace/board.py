"""
The board engine: the rules of an open-space board, with no I/O.

Commands (L{openspace.commands}) come in with the acting person and the current time;
L{decide} checks them against the board and answers with the events that would carry
them out (and any warnings), or raises L{Refused} naming the field and the reason.
Events are folded into boards by L{openspace.replay}.

Invariants that hold after every event:
  - a (room, slot) cell holds at most one session;
  - sessions sit only in known rooms and slots;
  - blocked cells and layouts reference known rooms and slots;
  - every official talk belongs to one of the board's sources.

The official schedule takes part in the rules: a talk held in a room the board also
uses (matched by the room's name or id, ignoring case, accents and spacing) keeps
everyone but facilitators out of that room while it runs, and a host who speaks in an
official talk at the same time as their session is warned, as when they host two
sessions at once.  Breaks in the official schedule block nothing: a talk room is free
for open spaces over lunch.  The field checks live in L{openspace.fields}, the clash
look-ups in L{openspace.clashes}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from attrs import evolve

from openspace.bulk import BULK_HANDLERS
from openspace.clashes import OfficialIndex, session_warnings
from openspace.commands import (
    Actor,
    ApplyPlacement,
    BlockCell,
    CancelSession,
    Command,
    Decision,
    EditSession,
    HideSession,
    MoveSession,
    ProposeSession,
    Refused,
    SetGoing,
    SetLayout,
    SetOfficialSchedule,
    SetSources,
    SwapSessions,
    UnblockCell,
    Undo,
    Warning,
)
from openspace.events import (
    CellBlocked,
    CellUnblocked,
    Change,
    GoingSet,
    Layout,
    LayoutSet,
    OfficialScheduleChanged,
    SessionCancelled,
    SessionEdited,
    SessionHidden,
    SessionMoved,
    SessionProposed,
    SessionsSwapped,
    SessionText,
    Undone,
)
from openspace.fields import (
    ID_ATTENDEE,
    OFFICIAL_TALKS_MAX,
    SESSIONS_PER_KEY,
    invalid,
    session_text,
    validate_layout,
    validate_sources,
)
from openspace.guards import (
    find_session,
    known_cell,
    owned_session,
    require_privilege,
)
from openspace.meetups import MEETUP_HANDLERS
from openspace.model import (
    Board,
    Cell,
    Meetup,
    OfficialTalk,
    RoomKind,
    Session,
    Slot,
)
from openspace.placement import decide_placement
from openspace.replay import apply_change
from openspace.reports import REPORT_HANDLERS
from openspace.undo import inverse, replace_sources

# --- deciding --------------------------------------------------------------------------


def decide(board: Board | None, command: Command, actor: Actor, now: datetime) -> Decision:
    """
    Check C{command} against C{board} and say what it changes.

    @param board: the current board, or L{None} when the event does not exist yet (only
        L{SetLayout} can create one).
    @param now: the current time, aware.
    @raise Refused: the command breaks a rule; nothing changes.
    """
    if isinstance(command, SetLayout):
        return _decide_layout(board, command, actor)
    if board is None:
        raise Refused("not_found", "this event does not exist")
    handler = _HANDLERS[type(command)]
    return handler(board, command, actor, now)


def _bookable_slot(board: Board, slot_id: str, actor: Actor, now: datetime) -> Slot:
    slot = board.slot(slot_id)
    if slot is None:
        raise Refused("unknown_slot", f"there is no slot {slot_id!r}", field="slot")
    if slot.end <= now and not actor.privileged:
        raise Refused("slot_over", "that time slot is already over", field="slot")
    return slot


def _check_cell(
    board: Board, cell: Cell, actor: Actor, now: datetime, moving: str | None = None
) -> None:
    """
    Refuse unless C{cell} can take a session (C{moving} may already sit there).
    """
    room = board.room(cell.room)
    if room is None:
        raise Refused("unknown_room", f"there is no room {cell.room!r}", field="room")
    if room.kind is not RoomKind.room:
        raise Refused(
            "not_a_room", f"{room.name} is a hallway spot: start a meetup there", field="room"
        )
    slot = _bookable_slot(board, cell.slot, actor, now)
    if cell in board.blocked and not actor.privileged:
        raise Refused("blocked", f"{room.name} is not available at that time", field="slot")
    talk = next(iter(OfficialIndex(board).held_in(room, slot)), None)
    if talk is not None and not actor.privileged:
        raise Refused(
            "official_talk",
            f"{room.name} is taken at that time by the official talk “{talk.title}”",
            field="slot",
            details={"talk": talk.id, "source": talk.source},
        )
    holder = board.session_in(cell)
    if holder is not None and holder.id != moving:
        shown = "a hidden session" if holder.hidden else f"“{holder.title}” ({holder.host})"
        raise Refused(
            "cell_taken",
            f"{room.name} is already taken at that time by {shown}",
            field="slot",
            details={"session": holder.id},
        )


def _decide_propose(board: Board, command: ProposeSession, actor: Actor, now: datetime) -> Decision:
    text = session_text(command.title, command.description, command.host, command.tags)
    cell = Cell(command.room, command.slot)
    _check_cell(board, cell, actor, now)
    if not actor.privileged:
        _check_host_quota(board, command.owner, now)
    session = Session(
        id=f"s{board.seq + 1}",
        title=text.title,
        description=text.description,
        host=text.host,
        tags=text.tags,
        room=cell.room,
        slot=cell.slot,
        owner=command.owner,
    )
    after = apply_change(board, SessionProposed(session))
    return Decision(
        (SessionProposed(session),), session_warnings(after, session), ids=(session.id,)
    )


def _check_host_quota(board: Board, owner: str, now: datetime) -> None:
    """
    Refuse a new session for a key that already holds L{SESSIONS_PER_KEY} that are not
    over: one phone cannot fill the board.
    """
    slots = {slot.id: slot for slot in board.slots}
    held = sum(
        1
        for session in board.sessions.values()
        if session.owner == owner and slots[session.slot].end > now
    )
    if held >= SESSIONS_PER_KEY:
        raise Refused(
            "quota",
            f"one host can hold at most {SESSIONS_PER_KEY} sessions that are not over yet: "
            "cancel one, or ask a facilitator",
            details={"limit": SESSIONS_PER_KEY},
        )


def _decide_edit(board: Board, command: EditSession, actor: Actor, now: datetime) -> Decision:
    session = owned_session(board, command.session_id, actor)
    before = SessionText.of(session)
    after = session_text(
        session.title if command.title is None else command.title,
        session.description if command.description is None else command.description,
        session.host if command.host is None else command.host,
        session.tags if command.tags is None else command.tags,
    )
    changes: tuple[Change, ...] = ()
    if after != before:
        changes = (SessionEdited(session.id, before, after),)
        board = apply_change(board, changes[0])
    if command.room is not None or command.slot is not None:
        move = MoveSession(session.id, command.room or session.room, command.slot or session.slot)
        moved = _decide_move(board, move, actor, now)
        changes += moved.changes
        board = _board_after(board, moved)
    if not changes:
        return Decision((), ids=(session.id,))
    return Decision(changes, session_warnings(board, board.sessions[session.id]), ids=(session.id,))


def _board_after(board: Board, decision: Decision) -> Board:
    for change in decision.changes:
        board = apply_change(board, change)
    return board


def _decide_move(board: Board, command: MoveSession, actor: Actor, now: datetime) -> Decision:
    session = owned_session(board, command.session_id, actor)
    target = Cell(command.room, command.slot)
    if target == session.cell:
        return Decision((), ids=(session.id,))
    _check_cell(board, target, actor, now, moving=session.id)
    change = SessionMoved(session.id, session.cell, target)
    moved = apply_change(board, change)
    return Decision(
        (change,), session_warnings(moved, moved.sessions[session.id]), ids=(session.id,)
    )


def _decide_swap(board: Board, command: SwapSessions, actor: Actor, now: datetime) -> Decision:
    if command.first == command.second:
        invalid("second", "pick two different sessions to swap")
    first = owned_session(board, command.first, actor)
    second = owned_session(board, command.second, actor)
    for session in (first, second):
        _bookable_slot(board, session.slot, actor, now)
    change = SessionsSwapped(first.id, second.id)
    swapped = apply_change(board, change)
    warnings = session_warnings(swapped, swapped.sessions[first.id]) + session_warnings(
        swapped, swapped.sessions[second.id]
    )
    return Decision((change,), warnings, ids=(first.id, second.id))


def _decide_cancel(board: Board, command: CancelSession, actor: Actor, now: datetime) -> Decision:
    session = owned_session(board, command.session_id, actor)
    return Decision((SessionCancelled(session),), ids=(session.id,))


def _decide_going(board: Board, command: SetGoing, actor: Actor, now: datetime) -> Decision:
    session = find_session(board, command.session_id)
    if session.hidden:
        raise Refused("not_found", f"there is no session {session.id!r}", field="session")
    attendee = command.attendee.strip()
    if not ID_ATTENDEE.match(attendee):
        invalid("attendee", "attendee must be 8–64 letters, digits, '-' or '_'")
    if (attendee in session.going) == command.going:
        return Decision((), ids=(session.id,))
    count = len(session.going) + (1 if command.going else -1)
    return Decision((GoingSet(session.id, attendee, command.going, count),), ids=(session.id,))


def _decide_block(board: Board, command: BlockCell, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    cell = known_cell(board, command.room, command.slot)
    if cell in board.blocked:
        return Decision(())
    holder = board.session_in(cell)
    if holder is not None:
        raise Refused(
            "cell_taken",
            f"move or cancel “{holder.title}” before blocking its cell",
            field="slot",
            details={"session": holder.id},
        )
    return Decision((CellBlocked(cell),))


def _decide_unblock(board: Board, command: UnblockCell, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    cell = known_cell(board, command.room, command.slot)
    if cell not in board.blocked:
        return Decision(())
    return Decision((CellUnblocked(cell),))


def _decide_hide(board: Board, command: HideSession, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    session = find_session(board, command.session_id)
    if session.hidden == command.hidden:
        return Decision((), ids=(session.id,))
    return Decision((SessionHidden(session.id, command.hidden),), ids=(session.id,))


def _decide_undo(board: Board, command: Undo, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    if not command.targets:
        raise Refused("nothing_to_undo", "there is nothing left to undo")
    scratch = board
    inverses: list[Change] = []
    for logged in sorted(command.targets, key=lambda entry: -entry.seq):
        for change in inverse(logged.change, scratch):
            scratch = apply_change(scratch, change)
            inverses.append(change)
    _check_invariants(scratch, "undo_conflict")
    return Decision((Undone(tuple(t.seq for t in command.targets), tuple(inverses)),))


def _decide_sources(board: Board, command: SetSources, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    sources = validate_sources(command.sources)
    if sources == board.sources:
        return Decision(())
    return Decision(replace_sources(board, sources))


def _decide_official(
    board: Board, command: SetOfficialSchedule, actor: Actor, now: datetime
) -> Decision:
    """
    Log what differs between the source's talks on the board and C{command.talks}:
    nothing at all when the content is the same, whatever the source's version says.
    """
    require_privilege(actor)
    source = command.source
    if source not in {s.url for s in board.sources}:
        raise Refused(
            "unknown_source", f"{source} is not a schedule source of this event", field="source"
        )
    if len(command.talks) > OFFICIAL_TALKS_MAX:
        invalid("talks", f"a schedule may have at most {OFFICIAL_TALKS_MAX} talks")
    utc = ZoneInfo("UTC")
    new: dict[str, OfficialTalk] = {}
    for talk in command.talks:
        if talk.source != source:
            invalid("talks", f"talk {talk.id!r} comes from {talk.source}, not {source}")
        if talk.id in new:
            invalid("talks", f"talk id {talk.id!r} is used twice")
        if talk.start.tzinfo is None or talk.end.tzinfo is None or talk.end < talk.start:
            invalid("talks", f"talk {talk.id!r} needs aware times, ending after it starts")
        new[talk.id] = evolve(talk, start=talk.start.astimezone(utc), end=talk.end.astimezone(utc))
    old = {t.id: t for t in board.official if t.source == source}
    removed = tuple(old[i] for i in sorted(old) if new.get(i) != old[i])
    added = tuple(new[i] for i in sorted(new) if old.get(i) != new[i])
    if not (added or removed):
        return Decision(())
    return Decision((OfficialScheduleChanged(source, added, removed),))


def _decide_layout(board: Board | None, command: SetLayout, actor: Actor) -> Decision:
    require_privilege(actor)
    layout = validate_layout(command.layout)
    before = None
    if board is not None:
        before = Layout(board.info, board.rooms, board.slots, board.blocked)
        if layout.info.slug != board.info.slug:
            invalid("slug", "an event's slug cannot change")
        if layout == before:
            return Decision(())
    change = LayoutSet(layout, before)
    if board is not None:
        _check_invariants(apply_change(board, change), "layout_conflict")
    return Decision((change,))


def _check_invariants(board: Board, code: str) -> None:
    """
    Refuse with C{code} if C{board} breaks an invariant (used where a change is derived
    from history rather than checked field by field: undo and layout changes).
    """
    room_ids = {room.id for room in board.rooms}
    slot_ids = {slot.id for slot in board.slots}
    taken: dict[Cell, str] = {}
    for session in board.sessions.values():
        if session.room not in room_ids or session.slot not in slot_ids:
            raise Refused(
                code,
                f"“{session.title}” would be left in a room or slot that no longer exists",
                details={"session": session.id},
            )
        if session.cell in taken:
            raise Refused(
                code,
                f"“{session.title}” and another session would share one room and slot",
                details={"session": session.id, "other": taken[session.cell]},
            )
        taken[session.cell] = session.id
    for cell in board.blocked:
        if cell.room not in room_ids or cell.slot not in slot_ids:
            raise Refused(code, f"blocked cell {cell.room}/{cell.slot} is not on the board")
    urls = {source.url for source in board.sources}
    for talk in board.official:
        if talk.source not in urls:
            raise Refused(code, f"official talks from {talk.source} would outlive their source")


_HANDLERS: Mapping[type, Callable[[Board, Any, Actor, datetime], Decision]] = {
    ProposeSession: _decide_propose,
    EditSession: _decide_edit,
    MoveSession: _decide_move,
    SwapSessions: _decide_swap,
    CancelSession: _decide_cancel,
    SetGoing: _decide_going,
    BlockCell: _decide_block,
    UnblockCell: _decide_unblock,
    HideSession: _decide_hide,
    **MEETUP_HANDLERS,
    **BULK_HANDLERS,
    **REPORT_HANDLERS,
    ApplyPlacement: decide_placement,
    SetSources: _decide_sources,
    SetOfficialSchedule: _decide_official,
    Undo: _decide_undo,
}


# --- reading ---------------------------------------------------------------------------


def board_warnings(board: Board) -> tuple[Warning, ...]:
    """
    Every host who is in two places at once, and every session that clashes with an
    official talk (its host speaks then, or the talk is in its room), once per clash.
    """
    found: dict[tuple[str, ...], Warning] = {}
    official = OfficialIndex(board)
    for session in board.visible_sessions():
        for warning in session_warnings(board, session, official):
            found.setdefault((warning.code, *sorted(warning.sessions)), warning)
    return tuple(found[key] for key in sorted(found))


def official_cells(board: Board) -> Mapping[Cell, OfficialTalk]:
    """
    The cells that an official talk keeps busy, each with (the first of) its talks.
    """
    official = OfficialIndex(board)
    busy: dict[Cell, OfficialTalk] = {}
    for slot in board.slots:
        for room in board.rooms:
            held = official.held_in(room, slot)
            if held and room.kind is RoomKind.room:
                busy[Cell(room.id, slot.id)] = held[0]
    return busy


def free_cells(board: Board, now: datetime) -> tuple[Cell, ...]:
    """
    The cells a host could claim right now, in time order then room order.
    """
    taken = {session.cell for session in board.sessions.values()}
    unavailable = taken | board.blocked | official_cells(board).keys()
    return tuple(
        Cell(room.id, slot.id)
        for slot in board.slots
        if slot.end > now
        for room in board.rooms
        if room.kind is RoomKind.room and Cell(room.id, slot.id) not in unavailable
    )


def meetups_running(board: Board, now: datetime) -> tuple[Meetup, ...]:
    """
    The meetups happening at C{now} that attendees may see (hidden ones left out).
    """
    running = (m for m in board.meetups.values() if m.running_at(now) and not m.hidden)
    return tuple(sorted(running, key=lambda m: m.starts))
