"""
Test helpers for the live layer: a client's replica of a board, rebuilt only from the
frames it receives (the same rules as static/live.js), and an in-memory board that makes
random changes through the real board engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from attrs import define, field
from hypothesis import strategies as st

from openspace.board import decide
from openspace.commands import (
    SYSTEM,
    BlockCell,
    CancelSession,
    Command,
    HideSession,
    MoveSession,
    ProposeSession,
    Refused,
    SetGoing,
    SetLayout,
    StartMeetup,
    UnblockCell,
    Undo,
)
from openspace.events import Logged
from openspace.model import Board, RoomKind
from openspace.replay import record
from openspace.undo import undo_targets
from openspace.views import board_json
from tests.support import conference_layout

JSON = dict[str, Any]


def cell_key(cell: JSON) -> tuple[str, str]:
    return (cell["room"], cell["slot"])


def view_of(board: JSON) -> JSON:
    """
    The parts of a board's public JSON that live frames keep up to date.
    """
    return {
        "seq": board["seq"],
        "rooms": board["rooms"],
        "slots": board["slots"],
        "sessions": {s["id"]: s for s in board["sessions"]},
        "meetups": {m["id"]: m for m in board["meetups"]},
        "blocked": {cell_key(c) for c in board["blocked"]},
        "official": board["official"],
    }


@define
class Replica:
    """
    What one client holds, built from frames only; it refuses gaps and duplicates.

    @ivar seqs: the sequence number of every event applied, in order.
    """

    state: JSON | None = None
    epoch: int | None = None
    version: str | None = None
    seqs: list[int] = field(factory=list)
    snapshots: int = 0
    resumes: int = 0

    @property
    def seq(self) -> int | None:
        return None if self.state is None else int(self.state["seq"])

    def receive_bytes(self, payload: bytes) -> None:
        self.receive(json.loads(payload))

    def receive(self, frame: JSON) -> None:
        kind = frame["type"]
        if kind == "snapshot":
            self.state = view_of(frame["board"])
            assert self.state["seq"] == frame["seq"]
            self.epoch, self.version = frame["epoch"], frame["version"]
            self.snapshots += 1
        elif kind == "resumed":
            assert (frame["since"], frame["epoch"]) == (self.seq, self.epoch), frame
            self.version = frame["version"]
            self.resumes += 1
        elif kind == "events":
            for event in frame["events"]:
                self._apply(event)
        elif kind == "html":
            # More HTML for the seq held (the desk's stream): never early, never stale.
            assert self.state is not None and frame["seq"] == self.state["seq"], frame
        else:
            raise AssertionError(f"unexpected frame {frame!r}")

    def _apply(self, event: JSON) -> None:
        state = self.state
        assert state is not None, "an event before any snapshot"
        assert event["seq"] == state["seq"] + 1, (event["seq"], state["seq"])
        drop, put = event["drop"], event["put"]
        for session_id in drop["sessions"]:
            del state["sessions"][session_id]
        for meetup_id in drop["meetups"]:
            del state["meetups"][meetup_id]
        state["blocked"] -= {cell_key(c) for c in drop["blocked"]}
        state["sessions"].update((s["id"], s) for s in put["sessions"])
        state["meetups"].update((m["id"], m) for m in put["meetups"])
        state["blocked"] |= {cell_key(c) for c in put["blocked"]}
        if "layout" in event:
            state["rooms"], state["slots"] = event["layout"]["rooms"], event["layout"]["slots"]
        if "official" in event:
            state["official"] = event["official"]
        state["seq"] = event["seq"]
        self.seqs.append(event["seq"])


change_steps = st.tuples(
    st.just("change"), st.integers(0, 8), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)
)
"""
A random board change for Hypothesis: its kind and three numbers (see L{command_for}).
"""


def command_for(board: Board, kind: int, a: int, b: int, c: int) -> Command | None:
    """
    One of many kinds of change to C{board}, picked by small integers (for Hypothesis);
    L{None} stands for "undo the last change".
    """
    rooms = [r.id for r in board.rooms if r.kind is RoomKind.room]
    slots = [s.id for s in board.slots][3:]
    sessions = sorted(board.sessions)
    room, slot = rooms[a % len(rooms)], slots[b % len(slots)]
    if kind == 0 or not sessions:
        return ProposeSession(f"Session {a}", "", "Host", [], room, slot, "owner")
    session = sessions[a % len(sessions)]
    if kind == 1:
        return CancelSession(session)
    if kind == 2:
        return MoveSession(sessions[b % len(sessions)], room, slots[c % len(slots)])
    if kind == 3:
        return BlockCell(room, slot)
    if kind == 4:
        return UnblockCell(room, slot)
    if kind == 5:
        return SetGoing(session, f"attendee-{b % 3}", c % 2 == 0)
    if kind == 6:
        return StartMeetup(f"Meetup {a}", "cafe")
    if kind == 7:
        return HideSession(session, b % 2 == 0)
    return None


@define
class LocalBoard:
    """
    A board changed through the real engine, telling C{listener} after each change, as
    the store tells its commit listeners.
    """

    now: datetime
    listener: Callable[[Board, list[Logged]], None]
    board: Board | None = None
    log: list[Logged] = field(factory=list)

    def create(self) -> Board:
        assert self.run(SetLayout(conference_layout()))
        assert self.board is not None
        return self.board

    def run(self, command: Command) -> bool:
        try:
            decision = decide(self.board, command, SYSTEM, self.now)
        except Refused:
            return False
        board, logged = record(self.board, decision, SYSTEM, self.now)
        if not logged:
            return False
        assert board is not None
        self.board = board
        self.log.extend(logged)
        self.listener(board, list(logged))
        return True

    def change(self, kind: int, a: int, b: int, c: int) -> bool:
        assert self.board is not None
        command = command_for(self.board, kind, a, b, c)
        return self.run(Undo(undo_targets(self.log, 1)) if command is None else command)

    def view(self) -> JSON:
        assert self.board is not None
        return view_of(board_json(self.board))
