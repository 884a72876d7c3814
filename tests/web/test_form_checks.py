"""
The forms' own checks agree with the board engine: whatever people type, a form that
passes its checks is never refused by the board for its text, and a text the board
refuses is always reported on the form, under the field at fault.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from openspace.board import decide
from openspace.commands import ATTENDEE, SYSTEM, ProposeSession, Refused, SetLayout, StartMeetup
from openspace.fields import session_text
from openspace.model import Board
from openspace.replay import record
from openspace.web.pages.form_checks import (
    meetup_errors,
    meetup_start,
    refusal_errors,
    session_errors,
    split_tags,
)
from tests.support import conference_layout, slot_id, utc

# Around the limits, with white space, control characters and combining marks.
typed = st.one_of(
    st.text(max_size=10),
    st.text(alphabet=st.sampled_from("ab \t\n\x00\u0301é#,"), max_size=130),
    st.integers(0, 4200).map(lambda n: "x" * n),
)


@given(title=typed, description=typed, host=typed, tags=typed)
def test_session_form_checks_agree_with_the_engine(
    title: str, description: str, host: str, tags: str
) -> None:
    values = {"title": title, "description": description, "host": host, "tags": tags}
    errors = session_errors({**values, "cell": "r1/x"})
    try:
        session_text(title, description, host, split_tags(tags))
    except Refused as refusal:
        assert refusal.field in errors, (refusal.field, refusal.message, errors)
    else:
        assert errors == {}


@given(title=typed, place=typed)
def test_meetup_form_checks_agree_with_the_engine(title: str, place: str) -> None:
    board = replay_board()
    now = utc(11, 30)
    values = {"title": title, "spot": "", "place": place, "when": "now", "minutes": "30"}
    errors, starts = meetup_errors(values, board, now, [30])
    command = StartMeetup(title, place, starts, 30)
    try:
        decide(board, command, ATTENDEE, now)
    except Refused as refusal:
        assert refusal.field in errors, (refusal.field, refusal.message, errors)
    else:
        assert errors == {}


def replay_board() -> Board:
    decision = decide(None, SetLayout(conference_layout()), SYSTEM, utc(8))
    board, _ = record(None, decision, SYSTEM, utc(8))
    assert board is not None
    return board


def test_board_refusals_read_in_the_forms_words() -> None:
    board = replay_board()
    command = ProposeSession("Late", "", "Ann", (), "r1", slot_id(9), owner="o")
    try:
        decide(board, command, ATTENDEE, utc(10) + timedelta(minutes=5))
    except Refused as refusal:
        assert refusal_errors(refusal) == {"cell": "That time slot is already over."}
    else:
        raise AssertionError("a past slot was accepted")
    assert refusal_errors(
        Refused("invalid", "place must not be empty", field="place"), {"place": "Somewhere else"}
    ) == {"place": "Somewhere else must not be empty."}


@given(hour=st.integers(0, 30), minute=st.integers(0, 70), sep=st.sampled_from([":", ".", "h"]))
def test_a_time_today_is_that_wall_time_in_the_events_zone(
    hour: int, minute: int, sep: str
) -> None:
    board = replay_board()
    now = utc(11, 30)
    errors: dict[str, str] = {}
    values = {"when": "at", "at": f"{hour}{sep}{minute:02d}"}
    starts = meetup_start(values, now, board, errors)
    if hour > 23 or minute > 59:
        assert starts is None and "like 14:30" in errors["at"]
        return
    local = now.astimezone(board.info.zone)
    if (hour, minute) < (local.hour, local.minute - 5):
        assert starts is None and "has passed" in errors["at"]
        return
    assert starts is not None and errors == {}
    shown = starts.astimezone(board.info.zone)
    assert (shown.date(), shown.hour, shown.minute) == (local.date(), hour, minute)
