"""
Reading the JSON bodies of the API's moderation routes (meetup edits, reports, bulk
actions, placement, undo) into board commands, and their answers back into JSON.

The routes themselves are in L{openspace.web.api}; keeping the parsing here keeps
that module about routing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from openspace.commands import (
    ApplyPlacement,
    BlockMany,
    EditMeetup,
    FileReport,
    HideMany,
    PlannedMove,
    SetModeration,
)
from openspace.idempotency import Reply
from openspace.model import Board, Moderation
from openspace.placement import day_slots
from openspace.store.interface import Outcome, UndoFrom, UndoLast
from openspace.views import warning_json
from openspace.web.bodies import take
from openspace.web.errors import ApiError

JSON = dict[str, Any]


def _strings(body: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = take(body, name, list)
    if not all(isinstance(v, str) for v in values):
        raise ApiError(422, "invalid", f"{name} must be a list of strings", name)
    return tuple(values)


def edit_meetup(meetup_id: str, body: Mapping[str, Any]) -> EditMeetup:
    return EditMeetup(
        meetup_id,
        title=take(body, "title", str, None),
        place=take(body, "place", str, None),
        minutes=take(body, "minutes", int, None),
    )


def file_report(body: Mapping[str, Any]) -> FileReport:
    return FileReport(
        item=take(body, "item", str),
        attendee=take(body, "attendee", str),
        reason=take(body, "reason", str, ""),
    )


def set_moderation(body: Mapping[str, Any], current: Moderation) -> SetModeration:
    """
    New settings; fields left out keep their value, C{"auto_hide": null} turns it off.
    """
    auto_hide = take(body, "auto_hide", int, None) if "auto_hide" in body else current.auto_hide
    return SetModeration(auto_hide, take(body, "freeze_minutes", int, current.freeze_minutes))


def moderation_json(moderation: Moderation) -> JSON:
    return {"auto_hide": moderation.auto_hide, "freeze_minutes": moderation.freeze_minutes}


def block_many(body: Mapping[str, Any]) -> BlockMany:
    return BlockMany(
        blocked=take(body, "blocked", bool, True),
        room=take(body, "room", str, None),
        slot=take(body, "slot", str, None),
    )


def hide_many(body: Mapping[str, Any]) -> HideMany:
    return HideMany(_strings(body, "sessions"), take(body, "hidden", bool, True))


def apply_placement(body: Mapping[str, Any]) -> ApplyPlacement:
    moves = take(body, "moves", list)
    planned = []
    for index, move in enumerate(moves):
        if not isinstance(move, dict):
            raise ApiError(422, "invalid", "each move is an object", f"moves[{index}]")
        planned.append(
            PlannedMove(take(move, "session", str), take(move, "from", str), take(move, "to", str))
        )
    return ApplyPlacement(tuple(planned))


def placement_slots(board: Board, slot: str | None, day: str | None) -> tuple[str, ...]:
    if (slot is None) == (day is None):
        raise ApiError(422, "invalid", "give either slot or day", "slot")
    if slot is not None:
        if board.slot(slot) is None:
            raise ApiError(404, "not_found", f"there is no slot {slot!r}", "slot")
        return (slot,)
    assert day is not None
    try:
        return day_slots(board, date.fromisoformat(day))
    except ValueError as e:
        raise ApiError(422, "invalid", "day must be a date like 2027-05-15", "day") from e


def undo_command(body: Mapping[str, Any], most: int) -> UndoLast | UndoFrom:
    """
    C{{"count": N}} (the last N changes), C{{"seq": N}} (back to #N) or
    C{{"seq": N, "only": true}} (#N alone).
    """
    if "seq" in body:
        seq = take(body, "seq", int)
        if seq < 1:
            raise ApiError(422, "invalid", "seq must be a positive number", "seq")
        return UndoFrom(seq, take(body, "only", bool, False))
    count = take(body, "count", int, 1)
    if not 1 <= count <= most:
        raise ApiError(422, "invalid", f"count must be from 1 to {most}", "count")
    return UndoLast(count)


def bulk_reply(outcome: Outcome) -> Reply:
    """
    A bulk action's answer: the seq after it, how many events (1, or 0 when nothing
    changed) and warnings.
    """
    body = {
        "seq": outcome.board.seq,
        "events": len(outcome.logged),
        "warnings": [warning_json(w) for w in outcome.decision.warnings],
    }
    return Reply(200, body)
