"""
Placement suggestions, checked on the pure engine with Hypothesis: on random boards a
suggestion never double-books, never moves a session out of its slot, a frozen,
hidden or unknown-capacity session, never lands in a blocked, official-talk or hallway
cell, never lowers the fit it reports, and applies as one event that one undo reverses.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from openspace import board as rules
from openspace.commands import FACILITATOR, ApplyPlacement, PlannedMove, Refused, Undo, host
from openspace.events import Batch, Logged
from openspace.model import (
    Board,
    Cell,
    EventInfo,
    OfficialTalk,
    Room,
    RoomKind,
    ScheduleSource,
    Session,
    Slot,
)
from openspace.placement import fit, going_demand, suggest
from openspace.replay import record
from tests.support import DAY, slot_id, utc

SOURCE = "https://example.org/schedule.json"
HOURS = range(9, 13)


def _slots() -> tuple[Slot, ...]:
    return tuple(
        Slot(slot_id(hour), DAY.replace(hour=hour), DAY.replace(hour=hour + 1)) for hour in HOURS
    )


@st.composite
def boards(draw: st.DrawFn) -> Board:
    capacities = draw(st.lists(st.none() | st.integers(1, 60), min_size=2, max_size=6))
    rooms = tuple(Room(f"r{i}", f"Room {i}", c) for i, c in enumerate(capacities))
    rooms += (Room("hall", "Hall", None, kind=RoomKind.hallway),)
    slots = _slots()
    cells = [Cell(room.id, slot.id) for slot in slots for room in rooms[:-1]]
    used = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    sessions = {}
    for index, cell in enumerate(used):
        going = draw(st.integers(0, 70))
        sessions[f"s{index}"] = Session(
            f"s{index}",
            f"Talk {index}",
            "",
            "Host",
            (),
            cell.room,
            cell.slot,
            "owner",
            frozenset(f"attendee-{n}" for n in range(going)),
            hidden=draw(st.booleans()) and draw(st.booleans()),
        )
    free = [cell for cell in cells if cell not in set(used)]
    blocked = draw(st.lists(st.sampled_from(free), unique=True)) if free else []
    official = ()
    if draw(st.booleans()):
        room = draw(st.sampled_from(rooms[:-1]))
        hour = draw(st.sampled_from(HOURS))
        start = DAY.replace(hour=hour)
        official = (
            OfficialTalk("t1", SOURCE, "Keynote", start, start + timedelta(hours=1), room.name),
        )
    return Board(
        info=EventInfo("conf", "Conf", "Europe/Berlin"),
        seq=10,
        created=utc(8),
        rooms=rooms,
        slots=slots,
        blocked=frozenset(blocked),
        sessions=sessions,
        official=official,
        sources=(ScheduleSource(SOURCE),),
    )


NOW = st.sampled_from([utc(6), utc(8, 50), utc(9, 50), utc(10, 10), utc(11, 50)])
SCOPES = st.lists(st.sampled_from([slot_id(h) for h in HOURS]), min_size=1, max_size=4)


def _apply(board: Board, moves: tuple[PlannedMove, ...], now: object) -> tuple[Board, Logged]:
    decision = rules.decide(board, ApplyPlacement(moves), FACILITATOR, now)  # type: ignore[arg-type]
    after, logged = record(board, decision, FACILITATOR, now)  # type: ignore[arg-type]
    assert after is not None
    assert len(logged) == 1
    assert isinstance(logged[0].change, Batch)
    return after, logged[0]


@settings(max_examples=150, deadline=None)
@given(board=boards(), now=NOW, scope=SCOPES)
def test_a_suggestion_keeps_every_rule_and_never_lowers_the_fit(
    board: Board, now: object, scope: list[str]
) -> None:
    plan = suggest(board, now, scope)  # type: ignore[arg-type]
    demand = going_demand(board)
    assert plan.fit_before == fit(board, scope, demand)
    assert plan.fit_after >= plan.fit_before
    assert (plan.fit_after > plan.fit_before) == bool(plan.moves)
    if not plan.moves:
        return
    after, _ = _apply(board, plan.moves, now)
    assert fit(after, scope, demand) == plan.fit_after
    cells = [session.cell for session in after.sessions.values()]
    assert len(cells) == len(set(cells)), "double-booked"
    rules._check_invariants(after, "broken")
    busy = rules.official_cells(board)
    freeze = timedelta(minutes=board.moderation.freeze_minutes)
    for move in plan.moves:
        before, moved = board.sessions[move.session_id], after.sessions[move.session_id]
        assert moved.slot == before.slot
        assert moved.slot in scope
        slot = board.slot(before.slot)
        assert slot is not None and slot.start > now + freeze  # type: ignore[operator]
        assert not before.hidden
        room = board.room(moved.room)
        assert room is not None and room.kind is RoomKind.room and room.capacity is not None
        assert moved.cell not in board.blocked
        assert moved.cell not in busy
        origin = board.room(before.room)
        assert origin is not None and origin.capacity is not None


@settings(max_examples=150, deadline=None)
@given(board=boards(), now=NOW, scope=SCOPES)
def test_one_undo_reverses_a_whole_plan(board: Board, now: object, scope: list[str]) -> None:
    plan = suggest(board, now, scope)  # type: ignore[arg-type]
    if not plan.moves:
        return
    after, logged = _apply(board, plan.moves, now)
    decision = rules.decide(after, Undo((logged,)), FACILITATOR, now)  # type: ignore[arg-type]
    undone, _ = record(after, decision, FACILITATOR, now)  # type: ignore[arg-type]
    assert undone is not None
    assert {s.id: s.cell for s in undone.sessions.values()} == {
        s.id: s.cell for s in board.sessions.values()
    }


def _crowded() -> Board:
    slot = _slots()[-1]
    rooms = (Room("small", "Small", 10), Room("big", "Big", 80), Room("mid", "Mid", 30))
    crowd = frozenset(f"attendee-{n}" for n in range(40))

    def session(sid: str, room: str, going: frozenset[str]) -> Session:
        return Session(sid, sid.upper(), "", "Host", (), room, slot.id, "owner", going)

    return Board(
        info=EventInfo("conf", "Conf", "Europe/Berlin"),
        seq=3,
        created=utc(8),
        rooms=rooms,
        slots=_slots(),
        sessions={
            "s1": session("s1", "small", crowd),
            "s2": session("s2", "big", frozenset({"attendee-x"})),
        },
    )


def test_a_crowded_session_swaps_into_the_big_room() -> None:
    board = _crowded()
    plan = suggest(board, utc(6), [slot_id(12)])
    assert set(plan.moves) == {PlannedMove("s1", "small", "big"), PlannedMove("s2", "big", "small")}
    assert (plan.fit_before, plan.fit_after, plan.expected) == (11, 41, 41)


def test_the_freeze_keeps_sessions_about_to_start_where_they_are() -> None:
    board = _crowded()
    # Ten minutes before the slot: inside the default 15-minute freeze.
    assert suggest(board, utc(11, 50), [slot_id(12)]).moves == ()
    assert suggest(board, utc(11, 50), [slot_id(12)], freeze=timedelta(minutes=5)).moves


def test_a_stale_or_forbidden_plan_is_refused_whole() -> None:
    board = _crowded()
    plan = suggest(board, utc(6), [slot_id(12)])
    stale = (PlannedMove("s1", "mid", "big"),)
    for moves, actor, code in (
        (stale, FACILITATOR, "placement_stale"),
        (plan.moves, host(["owner"]), "forbidden"),
        ((PlannedMove("s1", "small", "big"),), FACILITATOR, "cell_taken"),
    ):
        try:
            rules.decide(board, ApplyPlacement(moves), actor, utc(6))
        except Refused as refusal:
            assert refusal.code == code
        else:
            raise AssertionError(f"{moves} was not refused")
    try:
        rules.decide(board, ApplyPlacement(plan.moves), FACILITATOR, utc(11, 55))
    except Refused as refusal:
        assert refusal.code == "frozen"
    else:
        raise AssertionError("a frozen plan was applied")
