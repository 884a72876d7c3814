"""
Random command sequences against the engine; the board invariants hold after every step.

Hypothesis drives proposals, edits, moves, swaps, cancellations, attendance, blocks,
hides, meetups, undos and the passing of time, by hosts (with and without the right
key), attendees and facilitators.  After every step:
  - no cell holds two sessions; every session sits in a known room and slot;
  - sessions never sit in blocked cells unless a facilitator put them there;
  - sequence numbers run 1..N without a gap;
  - replaying the whole log from empty gives exactly the current board;
  - the stored encoding of every event and of the board round-trips.
"""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from openspace import board as rules
from openspace.codec import decode_board, decode_logged, dumps, encode_board, encode_logged
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    Actor,
    BlockCell,
    CancelSession,
    Command,
    EditSession,
    HideSession,
    MoveSession,
    ProposeSession,
    Refused,
    SetGoing,
    SetLayout,
    StartMeetup,
    SwapSessions,
    UnblockCell,
    Undo,
    host,
)
from openspace.events import Logged
from openspace.model import Board, Cell
from openspace.replay import record, replay
from openspace.undo import undo_targets
from tests.support import conference_layout, slot_id, utc

ROOMS = st.sampled_from(["r1", "r2", "r3", "r4", "cafe", "nowhere"])
HOURS = st.integers(min_value=8, max_value=18)
KEYS = st.sampled_from(["key-a", "key-b", "key-c"])
TEXT = st.text(max_size=130)
ACTORS = st.one_of(
    st.just(FACILITATOR),
    st.just(ATTENDEE),
    KEYS.map(lambda key: host([key])),
)


class BoardMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = utc(10, 30)
        self.log: list[Logged] = []
        self.board: Board | None = None
        self.privileged_cells: set[Cell] = set()
        self.execute(SetLayout(conference_layout()), SYSTEM)

    @property
    def current(self) -> Board:
        assert self.board is not None
        return self.board

    def execute(self, command: Command, actor: Actor) -> None:
        try:
            decision = rules.decide(self.board, command, actor, self.now)
        except Refused as refusal:
            assert refusal.code and refusal.message
            return
        self.board, logged = record(self.board, decision, actor, self.now)
        self.log.extend(logged)
        if actor.privileged:
            self.privileged_cells.update(s.cell for s in self.current.sessions.values())

    def session_ids(self) -> list[str]:
        return sorted(self.current.sessions)

    @rule(title=TEXT, host_name=TEXT, room=ROOMS, hour=HOURS, key=KEYS, actor=ACTORS)
    def propose(
        self, title: str, host_name: str, room: str, hour: int, key: str, actor: Actor
    ) -> None:
        self.execute(ProposeSession(title, "", host_name, ["t"], room, slot_id(hour), key), actor)

    @precondition(lambda self: self.current.sessions)
    @rule(data=st.data(), actor=ACTORS, room=ROOMS, hour=HOURS)
    def move(self, data: st.DataObject, actor: Actor, room: str, hour: int) -> None:
        session_id = data.draw(st.sampled_from(self.session_ids()))
        self.execute(MoveSession(session_id, room, slot_id(hour)), actor)

    @precondition(lambda self: self.current.sessions)
    @rule(data=st.data(), actor=ACTORS, title=st.none() | TEXT, room=st.none() | ROOMS)
    def edit(self, data: st.DataObject, actor: Actor, title: str | None, room: str | None) -> None:
        session_id = data.draw(st.sampled_from(self.session_ids()))
        self.execute(EditSession(session_id, title=title, room=room), actor)

    @precondition(lambda self: len(self.current.sessions) >= 2)
    @rule(data=st.data(), actor=ACTORS)
    def swap(self, data: st.DataObject, actor: Actor) -> None:
        first, second = data.draw(
            st.lists(st.sampled_from(self.session_ids()), min_size=2, max_size=2, unique=True)
        )
        self.execute(SwapSessions(first, second), actor)

    @precondition(lambda self: self.current.sessions)
    @rule(data=st.data(), actor=ACTORS)
    def cancel(self, data: st.DataObject, actor: Actor) -> None:
        self.execute(CancelSession(data.draw(st.sampled_from(self.session_ids()))), actor)

    @precondition(lambda self: self.current.sessions)
    @rule(
        data=st.data(), attendee=st.sampled_from(["attendee-1", "attendee-2"]), going=st.booleans()
    )
    def going(self, data: st.DataObject, attendee: str, going: bool) -> None:
        session_id = data.draw(st.sampled_from(self.session_ids()))
        self.execute(SetGoing(session_id, attendee, going), ATTENDEE)

    @rule(room=ROOMS, hour=HOURS, block=st.booleans(), actor=ACTORS)
    def block(self, room: str, hour: int, block: bool, actor: Actor) -> None:
        command = BlockCell(room, slot_id(hour)) if block else UnblockCell(room, slot_id(hour))
        self.execute(command, actor)

    @precondition(lambda self: self.current.sessions)
    @rule(data=st.data(), hidden=st.booleans(), actor=ACTORS)
    def hide(self, data: st.DataObject, hidden: bool, actor: Actor) -> None:
        self.execute(HideSession(data.draw(st.sampled_from(self.session_ids())), hidden), actor)

    @rule(
        title=TEXT,
        place=st.sampled_from(["cafe", "by the stairs", ""]),
        minutes=st.none() | st.integers(0, 300),
    )
    def meetup(self, title: str, place: str, minutes: int | None) -> None:
        self.execute(StartMeetup(title, place, minutes=minutes), ATTENDEE)

    @rule(count=st.integers(1, 4), actor=ACTORS)
    def undo(self, count: int, actor: Actor) -> None:
        self.execute(Undo(undo_targets(self.log, count)), actor)

    @rule(minutes=st.integers(1, 120))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @invariant()
    def one_session_per_cell_in_known_places(self) -> None:
        board = self.current
        cells = [s.cell for s in board.sessions.values()]
        assert len(cells) == len(set(cells))
        rooms = {r.id for r in board.rooms if r.kind.value == "room"}
        slots = {s.id for s in board.slots}
        for cell in cells:
            assert cell.room in rooms
            assert cell.slot in slots
            assert cell not in board.blocked or cell in self.privileged_cells

    @invariant()
    def sequence_numbers_are_gapless(self) -> None:
        assert [entry.seq for entry in self.log] == list(range(1, len(self.log) + 1))
        assert self.current.seq == len(self.log)

    @invariant()
    def replaying_the_log_gives_the_board(self) -> None:
        assert replay(self.log) == self.current

    @invariant()
    def storage_encoding_round_trips(self) -> None:
        if self.log:
            last = self.log[-1]
            assert decode_logged(json.loads(dumps(encode_logged(last)))) == last
        assert decode_board(json.loads(dumps(encode_board(self.current)))) == self.current


BoardMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_board_machine = BoardMachine.TestCase
