"""
Delivery bodies: the live protocol's deltas in order, batched within limits, with no
attendee ids or key digests, whatever the board went through.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openspace.board import decide
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    Actor,
    CancelSession,
    Command,
    HideSession,
    ProposeSession,
    Refused,
    SetGoing,
    SetLayout,
)
from openspace.events import Logged
from openspace.feed import board_epoch
from openspace.model import Board
from openspace.replay import record, replay
from openspace.views import delta
from openspace.webhooks.payload import make_batch
from tests.support import SLUG, conference_layout, slot_id, utc

NOW = utc(9, 30)
KEYS = ("owner-key-digest-a", "owner-key-digest-b")
ATTENDEES = ("attendee-one-private", "attendee-two-private")


def logged_after(commands: list[tuple[Command, Actor]]) -> tuple[Board, list[Logged]]:
    board: Board | None = None
    log: list[Logged] = []
    for index, (command, actor) in enumerate(commands):
        at = NOW + timedelta(seconds=index)
        try:
            decision = decide(board, command, actor, at)
        except Refused:
            continue
        board, logged = record(board, decision, actor, at)
        log.extend(logged)
    assert board is not None
    return board, log


def some_commands() -> st.SearchStrategy[list[tuple[Command, Actor]]]:
    hours = st.integers(min_value=10, max_value=16)
    session_ids = st.sampled_from(["s1", "s2", "s3"])
    propose = st.builds(
        lambda hour, key: (ProposeSession("T", "", "H", [], "r1", slot_id(hour), key), ATTENDEE),
        hours,
        st.sampled_from(KEYS),
    )
    going = st.builds(
        lambda s, who, on: (SetGoing(s, who, on), ATTENDEE),
        session_ids,
        st.sampled_from(ATTENDEES),
        st.booleans(),
    )
    hide = st.builds(lambda s, on: (HideSession(s, on), FACILITATOR), session_ids, st.booleans())
    cancel = st.builds(lambda s: (CancelSession(s), FACILITATOR), session_ids)
    return st.lists(st.one_of(propose, going, hide, cancel), max_size=25)


@settings(max_examples=60, deadline=None)
@given(commands=some_commands(), max_events=st.integers(min_value=1, max_value=10))
def test_batches_cover_the_log_in_order_and_keep_private_things_out(
    commands: list[tuple[Command, Actor]], max_events: int
) -> None:
    board, log = logged_after([(SetLayout(conference_layout()), SYSTEM), *commands])
    epoch = board_epoch(board)
    before: Board | None = None
    position = 0
    delivered: list[int] = []
    while position < len(log):
        batch = make_batch(SLUG, epoch, before, log[position:], max_events=max_events)
        body = json.loads(batch.body)
        assert (body["type"], body["event"], body["epoch"]) == ("events", SLUG, epoch)
        assert 1 <= len(body["events"]) <= max_events
        for private in (*KEYS, *ATTENDEES):
            assert private.encode() not in batch.body
        seqs = [event["seq"] for event in body["events"]]
        assert (seqs[0], seqs[-1]) == (batch.first, batch.last)
        delivered.extend(seqs)
        before = batch.board
        position += len(seqs)
    assert delivered == [entry.seq for entry in log]
    assert before == board


def test_each_event_is_the_live_delta_and_a_large_backlog_is_split_by_size() -> None:
    commands: list[tuple[Command, Actor]] = [(SetLayout(conference_layout()), SYSTEM)]
    commands += [
        (ProposeSession("x" * 100, "d" * 3000, "H", [], room, slot_id(hour), "k"), ATTENDEE)
        for room in ("r1", "r2", "r3")
        for hour in range(10, 17)
    ]
    board, log = logged_after(commands)
    batch = make_batch(SLUG, board_epoch(board), None, log, max_bytes=16 * 1024)
    events = json.loads(batch.body)["events"]
    assert len(batch.body) <= 16 * 1024 and 1 < len(events) < len(log)
    first = replay(log[:1])
    assert first is not None and events[0] == delta(None, log[0], first)
    # One event larger than the limit still goes out, alone.
    single = make_batch(SLUG, 0, None, log, max_bytes=10)
    assert (single.first, single.last) == (1, 1)
    with pytest.raises(ValueError, match="at least one"):
        make_batch(SLUG, 0, None, [])
