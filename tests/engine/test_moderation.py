"""
Moderation on the pure engine: meetup keys, bulk actions as one event, reports and
auto-hide, undo by seq through attendees' traffic, capacity states, and the log in
words.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from openspace.capacity import Fill, bigger_room, fill, session_fill
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    BlockMany,
    DismissReports,
    EditMeetup,
    EndMeetup,
    FileReport,
    HideMany,
    HideMeetup,
    SetGoing,
    SetModeration,
    StartMeetup,
    Undo,
    host,
)
from openspace.describe import describe_change, person, who
from openspace.events import Batch, Logged, OfficialScheduleChanged
from openspace.model import Cell
from openspace.reports import report_queue
from openspace.undo import undo_from, undo_targets
from openspace.views import board_json, delta, log_entry_json
from tests.engine.test_board import NOW, Scene
from tests.support import slot_id


@pytest.fixture
def scene() -> Scene:
    return Scene()


def _meetup(scene: Scene, owner: str = "meetup-key") -> str:
    return scene.run(StartMeetup("Packaging chat", "cafe", key_digest=owner)).ids[0]


def test_a_meetup_starter_edits_and_ends_it_with_their_key(scene: Scene) -> None:
    meetup_id = _meetup(scene)
    starter, stranger = host(["meetup-key"]), host(["other"])
    assert scene.refusal(EndMeetup(meetup_id), stranger).code == "forbidden"
    assert scene.refusal(EditMeetup(meetup_id, title="Mine"), stranger).code == "forbidden"
    scene.run(EditMeetup(meetup_id, title="Wheels", minutes=60), starter)
    meetup = scene.current.meetups[meetup_id]
    assert (meetup.title, meetup.ends - meetup.starts) == ("Wheels", timedelta(minutes=60))
    later = NOW + timedelta(minutes=10)
    scene.run(EndMeetup(meetup_id), starter, now=later)
    assert scene.current.meetups[meetup_id].ends == later
    assert describe_change(scene.log[-1].change) == "ended meetup “Wheels”"


def test_a_meetup_without_a_key_is_the_facilitators_alone(scene: Scene) -> None:
    meetup_id = _meetup(scene, owner="")
    assert scene.refusal(EndMeetup(meetup_id), host([""])).code == "forbidden"
    scene.run(HideMeetup(meetup_id), FACILITATOR)
    assert board_json(scene.current)["meetups"] == []
    assert board_json(scene.current, include_hidden=True)["meetups"][0]["hidden"] is True


def test_blocking_a_whole_slot_is_one_event_and_one_undo(scene: Scene) -> None:
    taken = scene.propose(room="r2", hour=13, title="Lunch talk")
    decision = scene.run(BlockMany(True, slot=slot_id(13)), FACILITATOR)
    assert len(scene.log) == 3
    (change,) = decision.changes
    assert isinstance(change, Batch)
    assert {Cell(r, slot_id(13)) for r in ("r1", "r3", "r4")} <= scene.current.blocked
    assert Cell("r2", slot_id(13)) not in scene.current.blocked
    assert [w.sessions for w in decision.warnings] == [(taken,)]
    scene.run(Undo(undo_targets(scene.log, 1)), FACILITATOR)
    assert not any(cell.slot == slot_id(13) for cell in scene.current.blocked)


def test_hiding_several_sessions_is_one_event(scene: Scene) -> None:
    ids = [scene.propose(room=room) for room in ("r1", "r2", "r3")]
    scene.run(HideMany(tuple(ids)), FACILITATOR)
    assert all(scene.current.sessions[i].hidden for i in ids)
    assert "hid several sessions" in describe_change(scene.log[-1].change, scene.current)
    scene.run(Undo(undo_targets(scene.log, 1)), FACILITATOR)
    assert not any(scene.current.sessions[i].hidden for i in ids)
    assert scene.refusal(HideMany(tuple(ids)), host(["key-a"])).code == "forbidden"


def test_one_report_per_attendee_and_auto_hide_after_n(scene: Scene) -> None:
    session_id = scene.propose(title="Spam spam")
    scene.run(SetModeration(2, 15), FACILITATOR)
    scene.run(FileReport(session_id, "attendee-1", "spam"))
    assert scene.run(FileReport(session_id, "attendee-1", "again")).changes == ()
    assert not scene.current.sessions[session_id].hidden
    before = scene.current
    scene.run(FileReport(session_id, "attendee-2"))
    assert scene.current.sessions[session_id].hidden
    (queued,) = report_queue(scene.current)
    assert (queued.count, queued.reasons, queued.hidden) == (2, ("spam",), True)
    shown = delta(before, scene.log[-1], scene.current)
    assert (shown["type"], shown["drop"]["sessions"]) == ("private", [session_id])
    text = json.dumps([shown, board_json(scene.current, include_hidden=True)])
    assert "attendee-1" not in text
    assert "spam" not in text.replace("Spam spam", "")


def test_reports_are_off_by_default_and_dismissed_from_the_queue(scene: Scene) -> None:
    session_id = scene.propose()
    for n in range(5):
        scene.run(FileReport(session_id, f"attendee-{n}"))
    assert not scene.current.sessions[session_id].hidden
    scene.run(DismissReports(session_id, hide=True), FACILITATOR)
    assert scene.current.sessions[session_id].hidden
    assert report_queue(scene.current) == ()
    scene.run(Undo(undo_targets(scene.log, 1)), FACILITATOR)
    assert report_queue(scene.current)[0].count == 5
    assert not scene.current.sessions[session_id].hidden
    assert scene.refusal(FileReport("s999", "attendee-1")).code == "not_found"
    assert scene.refusal(FileReport(session_id, "x")).field == "attendee"


def test_undo_back_to_here_goes_through_any_amount_of_going(scene: Scene) -> None:
    session_id = scene.propose(title="Vandalised")
    scene.run(BlockMany(True, room="r3"), FACILITATOR)
    target = scene.log[-1].seq
    for n in range(300):
        scene.run(SetGoing(session_id, f"attendee-{n:03d}", True))
    scene.run(HideMany((session_id,)), FACILITATOR)
    assert [t.seq for t in undo_from(scene.log[target - 1 :], target, only=True)] == [target]
    back = undo_from(scene.log[target - 1 :], target, only=False)
    assert [t.seq for t in back] == [len(scene.log), target]
    scene.run(Undo(back), FACILITATOR)
    assert not scene.current.sessions[session_id].hidden
    assert not any(cell.room == "r3" for cell in scene.current.blocked)
    assert len(scene.current.sessions[session_id].going) == 300
    with pytest.raises(Exception, match="cannot be undone"):
        undo_from(scene.log[target - 1 :], target, only=True)


def test_the_log_names_titles_rooms_and_who_acted(scene: Scene) -> None:
    session_id = scene.propose(title="Packaging", host="Ann Lee")
    scene.run(SetGoing(session_id, "attendee-1", True))
    scene.run(HideMany((session_id,)), FACILITATOR)
    proposed, going, hidden = scene.log[1:]
    board = scene.current
    assert describe_change(proposed.change, board) == (
        "proposed “Packaging” (Ann Lee) in Room One at Wed 12:00"
    )
    assert [who(e) for e in (proposed, going, hidden)] == ["host", "attendee", "facilitator"]
    assert person(proposed, board) == "Ann Lee"
    # The same proposal logged by an attendee actor (an API call without a key) reads alike.
    as_attendee = Logged(proposed.seq, proposed.at, "attendee", proposed.change)
    assert who(as_attendee) == "host"
    assert who(Logged(9, NOW, SYSTEM.role.value, scene.log[0].change)) == "system"
    update = OfficialScheduleChanged("https://example.org/s.json", (), ())
    assert who(Logged(9, NOW, SYSTEM.role.value, update)) == "official schedule"
    entry = log_entry_json(hidden, board, undoable=True)
    assert entry["who"] == "facilitator" and entry["undoable"] is True
    assert "Packaging" in entry["summary"]


def test_capacity_states_and_the_bigger_free_room(scene: Scene) -> None:
    assert [fill(n, 10) for n in (0, 7, 8, 9, 10, 43)] == [
        Fill.roomy,
        Fill.roomy,
        Fill.filling,
        Fill.filling,
        Fill.full,
        Fill.full,
    ]
    assert fill(5, None) is None
    session_id = scene.propose(room="r3", hour=14)  # 10 seats
    for n in range(12):
        scene.run(SetGoing(session_id, f"attendee-{n:02d}", True))
    session = scene.current.sessions[session_id]
    assert session_fill(scene.current, session) is Fill.full
    # r2 (20 seats) is the smallest free room that seats all twelve.
    room = bigger_room(scene.current, session, NOW)
    assert room is not None and room.id == "r2"
    scene.propose(room="r2", hour=14, owner="key-b")
    room = bigger_room(scene.current, session, NOW)
    assert room is not None and room.id == "r1"
    shown = board_json(scene.current)["sessions"]
    assert {(s["seats"], s["fill"]) for s in shown} == {(10, "full"), (20, "roomy")}
    assert ATTENDEE.role.value == "attendee"
