"""
Random command sequences against the engine; the board invariants hold after every step.

Hypothesis drives proposals, edits, moves, swaps, cancellations, attendance, blocks,
hides, meetups (started with keys, edited, ended, hidden), bulk blocks and hides,
reports and their dismissal, moderation settings, placement plans, undos (by count
and by seq) and the passing of time, by hosts (with and without the right key),
attendees and facilitators.  After every step:
  - no cell holds two sessions; every session sits in a known room and slot;
  - sessions never sit in blocked cells unless a facilitator put them there;
  - sequence numbers run 1..N without a gap;
  - replaying the whole log from empty gives exactly the current board;
  - the stored encoding of every event and of the board round-trips;
  - no public view (board JSON, live delta) shows a report or an attendee id.
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
    ApplyPlacement,
    BlockCell,
    BlockMany,
    CancelSession,
    Command,
    DismissReports,
    EditMeetup,
    EditSession,
    EndMeetup,
    FileReport,
    HideMany,
    HideMeetup,
    HideSession,
    MoveSession,
    ProposeSession,
    Refused,
    SetGoing,
    SetLayout,
    SetModeration,
    StartMeetup,
    SwapSessions,
    UnblockCell,
    Undo,
    host,
)
from openspace.events import Logged
from openspace.model import Board, Cell
from openspace.placement import suggest
from openspace.replay import record, replay
from openspace.undo import undo_from, undo_targets
from openspace.views import board_json, delta
from tests.support import conference_layout, slot_id, utc

ROOMS = st.sampled_from(["r1", "r2", "r3", "r4", "cafe", "nowhere"])
HOURS = st.integers(min_value=8, max_value=18)
KEYS = st.sampled_from(["key-a", "key-b", "key-c"])
REPORTERS = st.sampled_from(["reporter-1", "reporter-2", "reporter-3", "bad id"])
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
        self.deltas: list[dict[str, object]] = []
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
        before = self.board
        self.board, logged = record(self.board, decision, actor, self.now)
        self.log.extend(logged)
        for entry in logged:
            self.deltas.append(delta(before, entry, self.current))
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

    @rule(data=st.data(), only=st.booleans(), actor=ACTORS)
    def undo_from_seq(self, data: st.DataObject, only: bool, actor: Actor) -> None:
        seq = data.draw(st.integers(1, len(self.log)))
        try:
            targets = undo_from(self.log[seq - 1 :], seq, only=only)
        except Refused:
            return
        self.execute(Undo(targets), actor)

    def meetup_ids(self) -> list[str]:
        return sorted(self.current.meetups)

    @rule(title=TEXT, key=KEYS)
    def keyed_meetup(self, title: str, key: str) -> None:
        self.execute(StartMeetup(title, "cafe", key_digest=key), ATTENDEE)

    @precondition(lambda self: self.current.meetups)
    @rule(
        data=st.data(),
        actor=ACTORS,
        title=st.none() | TEXT,
        minutes=st.none() | st.integers(0, 300),
        how=st.sampled_from(["edit", "end", "hide", "show"]),
    )
    def change_meetup(
        self, data: st.DataObject, actor: Actor, title: str | None, minutes: int | None, how: str
    ) -> None:
        meetup_id = data.draw(st.sampled_from(self.meetup_ids()))
        command: Command = {
            "edit": EditMeetup(meetup_id, title=title, minutes=minutes),
            "end": EndMeetup(meetup_id),
            "hide": HideMeetup(meetup_id, True),
            "show": HideMeetup(meetup_id, False),
        }[how]
        self.execute(command, actor)

    @rule(room=st.none() | ROOMS, hour=st.none() | HOURS, blocked=st.booleans(), actor=ACTORS)
    def block_many(self, room: str | None, hour: int | None, blocked: bool, actor: Actor) -> None:
        slot = None if hour is None else slot_id(hour)
        self.execute(BlockMany(blocked, room=room, slot=slot), actor)

    @precondition(lambda self: self.current.sessions)
    @rule(data=st.data(), hidden=st.booleans(), actor=ACTORS)
    def hide_many(self, data: st.DataObject, hidden: bool, actor: Actor) -> None:
        ids = data.draw(st.lists(st.sampled_from(self.session_ids()), min_size=1, max_size=4))
        self.execute(HideMany(tuple(ids), hidden), actor)

    @precondition(lambda self: self.current.sessions or self.current.meetups)
    @rule(data=st.data(), reporter=REPORTERS, reason=st.text(max_size=20))
    def report(self, data: st.DataObject, reporter: str, reason: str) -> None:
        item = data.draw(st.sampled_from(self.session_ids() + self.meetup_ids()))
        self.execute(FileReport(item, reporter, reason), ATTENDEE)

    @precondition(lambda self: self.current.reports)
    @rule(data=st.data(), hide=st.booleans(), actor=ACTORS)
    def dismiss(self, data: st.DataObject, hide: bool, actor: Actor) -> None:
        item = data.draw(st.sampled_from(sorted(self.current.reports)))
        self.execute(DismissReports(item, hide), actor)

    @rule(auto_hide=st.none() | st.integers(0, 3), freeze=st.integers(-1, 60), actor=ACTORS)
    def moderation(self, auto_hide: int | None, freeze: int, actor: Actor) -> None:
        self.execute(SetModeration(auto_hide, freeze), actor)

    @rule(hour=HOURS, actor=ACTORS)
    def placement(self, hour: int, actor: Actor) -> None:
        plan = suggest(self.current, self.now, [slot_id(hour)] if 9 <= hour <= 17 else [])
        assert plan.fit_after >= plan.fit_before
        if plan.moves:
            self.execute(ApplyPlacement(plan.moves), actor)

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
    def reports_stay_private(self) -> None:
        reporters = {r.attendee for reports in self.current.reports.values() for r in reports}
        shown = json.dumps([board_json(self.current), self.deltas[-1:]])
        assert '"reports"' not in shown
        for reporter in reporters:
            assert reporter not in shown

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
