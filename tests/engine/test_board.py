"""
The board rules, checked on the pure engine (no I/O).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from openspace import board as rules
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
from openspace.model import Board
from openspace.replay import record, replay
from openspace.undo import undo_targets
from tests.support import conference_layout, slot_id, utc

NOW = utc(11, 30)


class Scene:
    """
    A board driven through the engine, keeping its log like the store does.
    """

    def __init__(self) -> None:
        self.board: Board | None = None
        self.log: list[Logged] = []
        self.run(SetLayout(conference_layout()), SYSTEM)

    @property
    def current(self) -> Board:
        assert self.board is not None
        return self.board

    def run(self, command: Command, actor: Actor = ATTENDEE, now: datetime = NOW) -> rules.Decision:
        decision = rules.decide(self.board, command, actor, now)
        self.board, logged = record(self.board, decision, actor, now)
        self.log.extend(logged)
        return decision

    def propose(self, room: str = "r1", hour: int = 12, owner: str = "key-a", **text: str) -> str:
        fields = {"title": "Talk", "description": "", "host": "Ann"} | text
        decision = self.run(
            ProposeSession(
                fields["title"],
                fields["description"],
                fields["host"],
                [],
                room,
                slot_id(hour),
                owner,
            )
        )
        return decision.ids[0]

    def refusal(self, command: Command, actor: Actor = ATTENDEE, now: datetime = NOW) -> Refused:
        with pytest.raises(Refused) as caught:
            self.run(command, actor, now)
        return caught.value


@pytest.fixture
def scene() -> Scene:
    return Scene()


def test_a_cell_holds_one_session_and_the_refusal_names_the_holder(scene: Scene) -> None:
    first = scene.propose(title="Packaging")
    refusal = scene.refusal(ProposeSession("Other", "", "Bob", [], "r1", slot_id(12), "k"))
    assert refusal.code == "cell_taken"
    assert refusal.field == "slot"
    assert refusal.details == {"session": first}
    assert "Packaging" in refusal.message


def test_hosting_two_sessions_at_once_warns_but_succeeds(scene: Scene) -> None:
    scene.propose(room="r1", host="Ann Lee")
    decision = scene.run(ProposeSession("B", "", "  ann   LEE ", [], "r2", slot_id(12), "k"))
    assert [w.code for w in decision.warnings] == ["host_overlap"]
    assert len(scene.current.sessions) == 2
    assert [w.code for w in rules.board_warnings(scene.current)] == ["host_overlap"]


def test_accents_and_case_do_not_hide_a_double_booked_host(scene: Scene) -> None:
    scene.propose(room="r1", host="José Núñez")
    decision = scene.run(ProposeSession("B", "", "jose nunez", [], "r2", slot_id(12), "k"))
    assert decision.warnings


@pytest.mark.parametrize(
    ("room", "slot", "code", "field"),
    [
        ("nowhere", slot_id(12), "unknown_room", "room"),
        ("r1", "2030-05-15-0300", "unknown_slot", "slot"),
        ("cafe", slot_id(12), "not_a_room", "room"),
        ("r4", slot_id(17), "blocked", "slot"),
        ("r1", slot_id(10), "slot_over", "slot"),
    ],
)
def test_bookings_outside_the_open_grid_are_refused(
    scene: Scene, room: str, slot: str, code: str, field: str
) -> None:
    refusal = scene.refusal(ProposeSession("T", "", "H", [], room, slot, "k"))
    assert (refusal.code, refusal.field) == (code, field)
    assert scene.current.sessions == {}


def test_a_facilitator_may_book_blocked_and_past_cells(scene: Scene) -> None:
    scene.run(ProposeSession("T", "", "H", [], "r4", slot_id(17), "k"), FACILITATOR)
    scene.run(ProposeSession("T", "", "H", [], "r1", slot_id(9), "k"), FACILITATOR)
    assert len(scene.current.sessions) == 2


def test_the_running_slot_is_still_bookable(scene: Scene) -> None:
    scene.propose(hour=11)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "", "empty"),
        ("title", " \u0007\t ", "empty"),
        ("title", "x" * 121, "limit is 120"),
        ("host", "", "empty"),
        ("host", "h" * 81, "limit is 80"),
        ("description", "d" * 4001, "limit is 4000"),
    ],
)
def test_text_limits_name_the_field(scene: Scene, field: str, value: str, reason: str) -> None:
    fields = {"title": "T", "description": "", "host": "H"} | {field: value}
    refusal = scene.refusal(
        ProposeSession(
            fields["title"], fields["description"], fields["host"], [], "r1", slot_id(12), "k"
        )
    )
    assert refusal.code == "invalid"
    assert refusal.field == field
    assert reason in refusal.message


def test_text_is_nfc_without_control_characters(scene: Scene) -> None:
    decomposed = "Cafe\u0301 \u0000talk\u202e"
    session_id = scene.propose(title=decomposed, description="line one\r\nline\x07 two")
    session = scene.current.sessions[session_id]
    assert session.title == "Café talk"
    assert session.description == "line one\nline two"


def test_the_limit_counts_characters_after_normalisation(scene: Scene) -> None:
    scene.propose(title="e\u0301" * 120)


def test_only_the_owner_or_a_facilitator_may_change_a_session(scene: Scene) -> None:
    session_id = scene.propose(owner="key-a")
    stranger = host(["key-b"])
    for command in (
        EditSession(session_id, title="Mine now"),
        MoveSession(session_id, "r2", slot_id(13)),
        CancelSession(session_id),
    ):
        assert scene.refusal(command, stranger).code == "forbidden"
    scene.run(EditSession(session_id, title="Renamed"), host(["key-a"]))
    scene.run(MoveSession(session_id, "r2", slot_id(13)), FACILITATOR)
    session = scene.current.sessions[session_id]
    assert (session.title, session.room, session.slot) == ("Renamed", "r2", slot_id(13))


def test_edit_and_move_happen_together_or_not_at_all(scene: Scene) -> None:
    session_id = scene.propose(owner="key-a")
    scene.propose(room="r2", hour=13, owner="key-b")
    refusal = scene.refusal(
        EditSession(session_id, title="New", room="r2", slot=slot_id(13)), host(["key-a"])
    )
    assert refusal.code == "cell_taken"
    assert scene.current.sessions[session_id].title == "Talk"


def test_swap_trades_cells_in_one_event(scene: Scene) -> None:
    one = scene.propose(room="r1", hour=12, owner="k")
    two = scene.propose(room="r2", hour=14, owner="k")
    decision = scene.run(SwapSessions(one, two), host(["k"]))
    assert len(decision.changes) == 1
    sessions = scene.current.sessions
    assert (sessions[one].room, sessions[one].slot) == ("r2", slot_id(14))
    assert (sessions[two].room, sessions[two].slot) == ("r1", slot_id(12))


def test_a_host_cannot_swap_with_someone_elses_session(scene: Scene) -> None:
    one = scene.propose(owner="k")
    two = scene.propose(room="r2", owner="other")
    assert scene.refusal(SwapSessions(one, two), host(["k"])).code == "forbidden"


def test_going_is_idempotent_and_counted(scene: Scene) -> None:
    session_id = scene.propose()
    scene.run(SetGoing(session_id, "attendee-1", True))
    assert scene.run(SetGoing(session_id, "attendee-1", True)).changes == ()
    scene.run(SetGoing(session_id, "attendee-2", True))
    assert len(scene.current.sessions[session_id].going) == 2
    scene.run(SetGoing(session_id, "attendee-1", False))
    assert scene.run(SetGoing(session_id, "attendee-1", False)).changes == ()
    assert scene.current.sessions[session_id].going == frozenset({"attendee-2"})
    assert scene.refusal(SetGoing(session_id, "x", True)).field == "attendee"


def test_blocking_needs_a_facilitator_and_an_empty_cell(scene: Scene) -> None:
    assert scene.refusal(BlockCell("r1", slot_id(12))).code == "forbidden"
    session_id = scene.propose()
    refusal = scene.refusal(BlockCell("r1", slot_id(12)), FACILITATOR)
    assert (refusal.code, refusal.details) == ("cell_taken", {"session": session_id})
    scene.run(BlockCell("r2", slot_id(12)), FACILITATOR)
    assert scene.refusal(ProposeSession("T", "", "H", [], "r2", slot_id(12), "k")).code == "blocked"
    scene.run(UnblockCell("r2", slot_id(12)), FACILITATOR)
    scene.propose(room="r2")


def test_hidden_sessions_keep_their_cell_but_are_not_shown(scene: Scene) -> None:
    session_id = scene.propose()
    assert scene.refusal(HideSession(session_id)).code == "forbidden"
    scene.run(HideSession(session_id), FACILITATOR)
    assert scene.current.visible_sessions() == ()
    refusal = scene.refusal(ProposeSession("T", "", "H", [], "r1", slot_id(12), "k"))
    assert refusal.code == "cell_taken"
    assert "hidden" in refusal.message


def test_meetups_run_for_their_length_at_a_spot_or_a_free_place(scene: Scene) -> None:
    decision = scene.run(StartMeetup("Coffee chat", "cafe"))
    meetup = scene.current.meetups[decision.ids[0]]
    assert (meetup.spot, meetup.place) == ("cafe", "Café")
    assert meetup.ends - meetup.starts == timedelta(minutes=30)
    assert rules.meetups_running(scene.current, NOW) == (meetup,)
    assert rules.meetups_running(scene.current, NOW + timedelta(minutes=30)) == ()
    later = scene.run(StartMeetup("Board games", "by the big plant", NOW + timedelta(hours=1), 90))
    planned = scene.current.meetups[later.ids[0]]
    assert planned.spot is None
    assert rules.meetups_running(scene.current, NOW + timedelta(hours=2)) == (planned,)


@pytest.mark.parametrize(
    ("starts", "minutes", "field"),
    [
        (NOW - timedelta(minutes=10), None, "starts"),
        (NOW + timedelta(days=15), None, "starts"),
        (None, 4, "minutes"),
        (None, 241, "minutes"),
    ],
)
def test_meetup_times_are_checked(
    scene: Scene, starts: datetime | None, minutes: int | None, field: str
) -> None:
    assert scene.refusal(StartMeetup("T", "cafe", starts, minutes)).field == field


def test_undo_reverses_the_last_changes_as_a_new_event(scene: Scene) -> None:
    session_id = scene.propose()
    before_move = scene.current
    scene.run(MoveSession(session_id, "r3", slot_id(15)), FACILITATOR)
    scene.run(BlockCell("r2", slot_id(16)), FACILITATOR)
    scene.run(SetGoing(session_id, "attendee-1", True))
    targets = undo_targets(scene.log, 2)
    assert [type(t.change).__name__ for t in targets] == ["CellBlocked", "SessionMoved"]
    scene.run(Undo(targets), FACILITATOR)
    after = scene.current
    assert after.blocked == before_move.blocked
    assert after.sessions[session_id].cell == before_move.sessions[session_id].cell
    # Attendance is not the facilitator's to undo.
    assert after.sessions[session_id].going == frozenset({"attendee-1"})
    # Undone events are not undone twice: the next undo reaches the proposal.
    assert [t.seq for t in undo_targets(scene.log, 1)] == [2]


def test_undo_of_a_cancellation_fails_when_the_cell_was_taken_since(scene: Scene) -> None:
    first = scene.propose(owner="a")
    scene.run(CancelSession(first), host(["a"]))
    scene.propose(owner="b")
    refusal = scene.refusal(Undo(undo_targets(scene.log, 2)[1:]), FACILITATOR)
    assert refusal.code == "undo_conflict"


def test_undo_needs_a_facilitator_and_something_to_undo(scene: Scene) -> None:
    assert scene.refusal(Undo(()), FACILITATOR).code == "nothing_to_undo"
    scene.propose()
    assert scene.refusal(Undo(undo_targets(scene.log, 1)), host(["key-a"])).code == "forbidden"


def test_layout_changes_may_not_strand_sessions(scene: Scene) -> None:
    scene.propose(room="r3")
    layout = conference_layout()
    smaller = type(layout)(layout.info, layout.rooms[:2], layout.slots, frozenset())
    refusal = scene.refusal(SetLayout(smaller), FACILITATOR)
    assert refusal.code == "layout_conflict"


def test_every_event_takes_the_next_sequence_number_and_replays(scene: Scene) -> None:
    one = scene.propose()
    scene.run(SetGoing(one, "attendee-1", True))
    scene.run(StartMeetup("Chat", "cafe"))
    assert [entry.seq for entry in scene.log] == list(range(1, len(scene.log) + 1))
    assert replay(scene.log) == scene.current
    assert scene.current.seq == len(scene.log)


def test_commands_on_a_missing_board_are_refused() -> None:
    with pytest.raises(Refused) as caught:
        rules.decide(None, CancelSession("s1"), ATTENDEE, NOW)
    assert caught.value.code == "not_found"
