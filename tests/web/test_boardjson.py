"""
The board's JSON with its official talks encoded once per schedule: byte for byte what
encoding the whole document gives, before and after other changes and a new schedule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.defer import Deferred

from openspace.commands import SYSTEM, SetOfficialSchedule, SetSources
from openspace.model import Board, OfficialTalk, ScheduleSource
from openspace.views import board_json
from openspace.web.boardjson import BoardEncoder
from openspace.web.feedcache import inline
from tests.engine.test_board import Scene
from tests.support import utc

SOURCE = "https://talks.example/schedule.json"


def whole(board: Board, extra: dict[str, object]) -> bytes:
    return json.dumps(board_json(board, extra=extra), ensure_ascii=False).encode("utf-8")


def talks(titles: list[str]) -> tuple[OfficialTalk, ...]:
    start = utc(10)
    return tuple(
        OfficialTalk(f"t{n}", SOURCE, title, start, start + timedelta(minutes=30), "Hall")
        for n, title in enumerate(titles)
    )


TITLES = st.lists(st.text(min_size=1, max_size=20).filter(lambda t: t.strip()), max_size=8)


@given(TITLES, TITLES)
def test_the_spliced_board_is_the_whole_board_encoded(first: list[str], second: list[str]) -> None:
    scene = Scene()
    scene.run(SetSources((ScheduleSource(SOURCE),)), SYSTEM)
    encoder = BoardEncoder(inline)
    extra: dict[str, object] = {"sources": [{"url": SOURCE, "status": "ok"}]}
    scene.run(SetOfficialSchedule(SOURCE, talks(first)), SYSTEM)
    assert encoder.encode(scene.current, extra) == whole(scene.current, extra)
    # Another change keeps the schedule (and its encoding); a new schedule replaces it.
    scene.propose(title='A "quoted" official: [] talk')
    assert encoder.encode(scene.current, extra) == whole(scene.current, extra)
    scene.run(SetOfficialSchedule(SOURCE, talks(second)), SYSTEM)
    assert encoder.encode(scene.current, extra) == whole(scene.current, extra)


def test_text_like_the_official_member_is_left_alone() -> None:
    scene = Scene()
    encoder = BoardEncoder(inline)
    scene.propose(title='"official": []', description='{"official": [], "warnings": []}')
    assert encoder.encode(scene.current, {}) == whole(scene.current, {})


def test_a_new_schedule_is_encoded_once_elsewhere_however_many_ask() -> None:
    scene = Scene()
    scene.run(SetSources((ScheduleSource(SOURCE),)), SYSTEM)
    scene.run(SetOfficialSchedule(SOURCE, talks(["One", "Two"])), SYSTEM)
    asked: list[tuple[Callable[[], str], Deferred[str]]] = []

    def offload(work: Callable[[], str]) -> Deferred[str]:
        asked.append((work, Deferred()))
        return asked[-1][1]

    encoder = BoardEncoder(offload)
    first = Deferred.fromCoroutine(encoder.prepare(scene.current))
    second = Deferred.fromCoroutine(encoder.prepare(scene.current))
    assert len(asked) == 1 and not first.called and not second.called
    work, done = asked[0]
    done.callback(work())
    assert first.called and second.called
    assert encoder.encode(scene.current, {}) == whole(scene.current, {})
    # Encoded already: nothing more to do for this schedule, after other changes too.
    scene.propose()
    assert Deferred.fromCoroutine(encoder.prepare(scene.current)).called
    assert len(asked) == 1
