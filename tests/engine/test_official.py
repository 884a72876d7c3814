"""
The official schedule on the board, checked on the pure engine: sources, schedule
updates as events of their own, clashes with hosts and rooms, undo and replay.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from attrs import evolve

from openspace import board as rules
from openspace.codec import decode_board, decode_logged, dumps, encode_board, encode_logged
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    BlockCell,
    EditSession,
    MoveSession,
    ProposeSession,
    SetOfficialSchedule,
    SetSources,
    Undo,
    host,
)
from openspace.describe import describe_change
from openspace.events import OfficialScheduleChanged, SourcesSet
from openspace.model import Cell, OfficialTalk, ScheduleSource
from openspace.replay import replay
from openspace.undo import undo_targets
from tests.engine.test_board import Scene
from tests.support import slot_id, utc

A = "https://talks.example/a/schedule.json"
B = "https://talks.example/b/schedule.xml"


def talk(
    id: str,
    hour: int,
    minutes: int = 45,
    *,
    source: str = A,
    room: str = "Main Hall",
    speakers: tuple[str, ...] = (),
    title: str = "",
    kind: str = "talk",
) -> OfficialTalk:
    start = utc(hour)
    return OfficialTalk(
        id,
        source,
        title or f"Talk {id}",
        start,
        start + timedelta(minutes=minutes),
        room,
        speakers,
        kind=kind,
    )


@pytest.fixture
def scene() -> Scene:
    scene = Scene()
    scene.run(SetSources((ScheduleSource(A), ScheduleSource(B, "frab-xml"))), SYSTEM)
    return scene


def publish(scene: Scene, *talks: OfficialTalk, source: str = A) -> rules.Decision:
    return scene.run(SetOfficialSchedule(source, talks), SYSTEM)


def test_a_schedule_is_one_event_and_the_same_schedule_again_is_none(scene: Scene) -> None:
    second, first = talk("2", 14), talk("1", 10)
    decision = publish(scene, second, first)
    assert decision.changes == (OfficialScheduleChanged(A, (first, second), ()),)
    assert scene.current.official == (first, second)
    seq = scene.current.seq
    assert publish(scene, first, second).changes == ()
    assert scene.current.seq == seq


def test_only_the_difference_is_logged_and_other_sources_keep_their_talks(
    scene: Scene,
) -> None:
    kept, moved, dropped = talk("1", 10), talk("2", 11), talk("3", 12)
    publish(scene, kept, moved, dropped)
    other = talk("1", 10, source=B, title="Same id, other source")
    publish(scene, other, source=B)
    moved_now, added = evolve(moved, start=utc(15), end=utc(16)), talk("4", 13)
    decision = publish(scene, kept, moved_now, added)
    assert decision.changes == (OfficialScheduleChanged(A, (moved_now, added), (moved, dropped)),)
    assert set(scene.current.official) == {kept, moved_now, added, other}
    assert list(scene.current.official) == sorted(
        scene.current.official, key=lambda t: (t.start, t.end, t.room, t.source, t.id)
    )


def test_schedules_come_from_configured_sources_through_privileged_actors(
    scene: Scene,
) -> None:
    unknown = "https://elsewhere.example/s.json"
    refusal = scene.refusal(SetOfficialSchedule(unknown, ()), SYSTEM)
    assert (refusal.code, refusal.field) == ("unknown_source", "source")
    for actor in (ATTENDEE, host(["key-a"])):
        assert scene.refusal(SetOfficialSchedule(A, ()), actor).code == "forbidden"
    naive = evolve(talk("1", 10), start=utc(10).replace(tzinfo=None))
    for talks in [(talk("1", 10, source=B),), (talk("1", 10), talk("1", 11)), (naive,)]:
        assert scene.refusal(SetOfficialSchedule(A, talks), SYSTEM).field == "talks"


def test_dropping_a_source_drops_its_talks_and_undo_brings_the_source_back(
    scene: Scene,
) -> None:
    a_talk, b_talk = talk("1", 10), talk("9", 10, source=B)
    publish(scene, a_talk)
    publish(scene, b_talk, source=B)
    decision = scene.run(SetSources((ScheduleSource(B, "frab-xml"),)), FACILITATOR)
    assert [type(c) for c in decision.changes] == [SourcesSet, OfficialScheduleChanged]
    assert scene.current.official == (b_talk,)
    # Undo picks the facilitator's change, not the talks that went with it: the
    # source's poller brings those back.
    (target,) = undo_targets(scene.log, 1)
    assert isinstance(target.change, SourcesSet)
    scene.run(Undo((target,)), FACILITATOR)
    assert [s.url for s in scene.current.sources] == [A, B]
    assert scene.current.official == (b_talk,)


def test_undoing_a_new_source_takes_its_talks_with_it(scene: Scene) -> None:
    c = "https://talks.example/c.ics"
    scene.run(SetSources((*scene.current.sources, ScheduleSource(c))), FACILITATOR)
    publish(scene, talk("1", 10, source=c), source=c)
    scene.run(Undo(undo_targets(scene.log, 1)), FACILITATOR)
    assert c not in {s.url for s in scene.current.sources}
    assert scene.current.official == ()


def test_facilitators_undo_what_people_did_not_what_the_source_said(scene: Scene) -> None:
    session = scene.propose()
    publish(scene, talk("1", 10))
    (target,) = undo_targets(scene.log, 1)
    assert target.change == scene.log[-2].change
    scene.run(Undo((target,)), FACILITATOR)
    assert session not in scene.current.sessions
    assert scene.current.official == (talk("1", 10),)


def test_an_explicit_undo_of_an_update_needs_the_update_to_still_stand(scene: Scene) -> None:
    first, second = talk("1", 10), talk("1", 10, title="Retitled")
    publish(scene, first)
    publish(scene, second)
    update = scene.log[-1]
    scene.run(Undo((update,)), FACILITATOR)
    assert scene.current.official == (first,)
    publish(scene, talk("1", 10, title="Third title"))
    assert scene.refusal(Undo((update,)), FACILITATOR).code == "undo_conflict"


def test_a_host_speaking_in_an_official_talk_at_the_same_time_is_warned(
    scene: Scene,
) -> None:
    publish(scene, talk("1", 12, 30, speakers=("José Núñez", "Grace")))
    clash = scene.run(ProposeSession("Open", "", " jose   NUNEZ", [], "r2", slot_id(12), "k"))
    (warning,) = clash.warnings
    assert warning.code == "speaker_clash"
    assert "Talk 1" in warning.message
    assert warning.sessions == clash.ids
    assert [w.code for w in rules.board_warnings(scene.current)] == ["speaker_clash"]
    later = scene.run(ProposeSession("Open", "", "José Núñez", [], "r2", slot_id(13), "k"))
    assert later.warnings == ()
    cohosted = scene.run(ProposeSession("Duo", "", "Ann & grace", [], "r3", slot_id(12), "k"))
    assert [w.code for w in cohosted.warnings] == ["speaker_clash"]


def test_moving_or_renaming_into_a_clash_warns(scene: Scene) -> None:
    publish(scene, talk("1", 14, speakers=("Ann Lee",)))
    session = scene.propose(host="Ann Lee", hour=12, owner="a")
    moved = scene.run(MoveSession(session, "r1", slot_id(14)), host(["a"]))
    assert [w.code for w in moved.warnings] == ["speaker_clash"]
    other = scene.propose(host="Bo", hour=14, room="r2", owner="b")
    renamed = scene.run(EditSession(other, host="ann lee"), host(["b"]))
    assert "speaker_clash" in [w.code for w in renamed.warnings]


def test_an_official_talk_keeps_its_room_for_facilitators_only(scene: Scene) -> None:
    # Matched by the room's name or id, whatever the case; breaks block nothing.
    publish(
        scene,
        talk("1", 12, 15, room="room ONE"),
        talk("2", 12, room="R2"),
        talk("3", 12, room="Room Three", kind="break"),
    )
    refusal = scene.refusal(ProposeSession("Open", "", "Bo", [], "r1", slot_id(12), "k"))
    assert (refusal.code, refusal.field) == ("official_talk", "slot")
    assert refusal.details == {"talk": "1", "source": A}
    assert "Talk 1" in refusal.message
    assert scene.refusal(ProposeSession("O", "", "Bo", [], "r2", slot_id(12), "k")).code == (
        "official_talk"
    )
    scene.propose(room="r3", hour=12)
    forced = scene.run(ProposeSession("F", "", "Cy", [], "r1", slot_id(12), "k"), FACILITATOR)
    assert [w.code for w in forced.warnings] == ["official_room"]
    assert rules.official_cells(scene.current).keys() == {
        Cell("r1", slot_id(12)),
        Cell("r2", slot_id(12)),
    }
    free = rules.free_cells(scene.current, utc(11, 30))
    assert Cell("r2", slot_id(12)) not in free
    assert Cell("r2", slot_id(13)) in free


def test_a_host_cannot_move_into_an_official_talks_room(scene: Scene) -> None:
    session = scene.propose(room="r1", hour=13, owner="a")
    publish(scene, talk("1", 14, room="Room One"))
    refusal = scene.refusal(MoveSession(session, "r1", slot_id(14)), host(["a"]))
    assert refusal.code == "official_talk"


def test_sessions_already_in_the_room_are_warned_when_a_talk_arrives(scene: Scene) -> None:
    session = scene.propose(room="r1", hour=14)
    publish(scene, talk("1", 14, 30, room="Room One", title="Keynote"))
    (warning,) = rules.board_warnings(scene.current)
    assert (warning.code, warning.sessions) == ("official_room", (session,))
    assert "Room One" in warning.message
    assert "Keynote" in warning.message


def test_a_blocked_cell_is_still_refused_as_blocked(scene: Scene) -> None:
    scene.run(BlockCell("r1", slot_id(12)), FACILITATOR)
    publish(scene, talk("1", 12, room="Room One"))
    refusal = scene.refusal(ProposeSession("O", "", "Bo", [], "r1", slot_id(12), "k"))
    assert refusal.code == "blocked"


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (ScheduleSource("ftp://talks.example/s.json"), "sources[0].url"),
        (ScheduleSource("https:///no-host"), "sources[0].url"),
        (ScheduleSource(A, format="pdf"), "sources[0].format"),
        (ScheduleSource(A, interval=1), "sources[0].interval"),
        (ScheduleSource(A, interval=86401), "sources[0].interval"),
        (ScheduleSource(A, timezone="Mars/Olympus"), "sources[0].timezone"),
    ],
)
def test_sources_are_checked_field_by_field(
    scene: Scene, source: ScheduleSource, field: str
) -> None:
    refusal = scene.refusal(SetSources((source,)), FACILITATOR)
    assert (refusal.code, refusal.field) == ("invalid", field)


def test_a_source_is_listed_once_and_set_by_facilitators(scene: Scene) -> None:
    twice = (ScheduleSource(A), ScheduleSource(A, interval=60))
    assert scene.refusal(SetSources(twice), FACILITATOR).field == "sources[1].url"
    assert scene.refusal(SetSources(()), host(["key-a"])).code == "forbidden"
    assert scene.run(SetSources(scene.current.sources), FACILITATOR).changes == ()


def test_the_log_replays_stores_and_describes_official_changes(scene: Scene) -> None:
    publish(scene, talk("1", 10, speakers=("Ada",)), talk("2", 11))
    publish(scene, talk("1", 10, title="New title"), talk("3", 12))
    scene.run(SetSources(()), FACILITATOR)
    assert replay(scene.log) == scene.current
    for logged in scene.log:
        assert decode_logged(json.loads(dumps(encode_logged(logged)))) == logged
    assert decode_board(json.loads(dumps(encode_board(scene.current)))) == scene.current
    described = [describe_change(logged.change) for logged in scene.log[1:]]
    assert described == [
        f"official schedule from {A}, {B}",
        f"official schedule from {A}: 2 new, 0 changed, 0 removed",
        f"official schedule from {A}: 1 new, 1 changed, 1 removed",
        "removed the official schedule sources",
        f"official schedule from {A}: 0 new, 0 changed, 2 removed",
    ]
