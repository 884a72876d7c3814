"""
What clients see of a board: the public JSON of boards, sessions and changes.

Times are shown in the event's own zone (ISO 8601 with offset).  Nothing private leaves
here: no edit-key hashes, no attendee ids (only counts), no hidden sessions unless a
facilitator asks.  Deltas (L{delta}) are computed by comparing two boards, so one
mechanical rule ("put these, drop those") serves every kind of event, undo included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openspace.board import board_warnings
from openspace.codec import change_type
from openspace.commands import Warning
from openspace.describe import describe_change
from openspace.events import Logged
from openspace.links import web_link
from openspace.model import Board, Cell, Meetup, OfficialTalk, Room, Session, Slot

JSON = dict[str, Any]


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


def room_json(room: Room) -> JSON:
    return {
        "id": room.id,
        "name": room.name,
        "capacity": room.capacity,
        "where": room.where,
        "access": room.access,
        "kind": room.kind.value,
    }


def slot_json(slot: Slot, zone: ZoneInfo) -> JSON:
    return {"id": slot.id, "start": when(slot.start, zone), "end": when(slot.end, zone)}


def cell_json(cell: Cell) -> JSON:
    return {"room": cell.room, "slot": cell.slot}


def session_json(session: Session) -> JSON:
    shown: JSON = {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "host": session.host,
        "tags": list(session.tags),
        "room": session.room,
        "slot": session.slot,
        "going": len(session.going),
    }
    if session.hidden:
        shown["hidden"] = True
    return shown


def meetup_json(meetup: Meetup, zone: ZoneInfo) -> JSON:
    return {
        "id": meetup.id,
        "title": meetup.title,
        "place": meetup.place,
        "spot": meetup.spot,
        "starts": when(meetup.starts, zone),
        "ends": when(meetup.ends, zone),
    }


def official_json(talk: OfficialTalk, zone: ZoneInfo) -> JSON:
    return {
        "id": talk.id,
        "source": talk.source,
        "title": talk.title,
        "start": when(talk.start, zone),
        "end": when(talk.end, zone),
        "room": talk.room,
        "speakers": list(talk.speakers),
        "track": talk.track,
        "kind": talk.kind,
        "url": web_link(talk.url),
    }


def warning_json(warning: Warning) -> JSON:
    return {"code": warning.code, "message": warning.message, "sessions": list(warning.sessions)}


def event_info_json(board: Board) -> JSON:
    return {
        "slug": board.info.slug,
        "name": board.info.name,
        "timezone": board.info.timezone,
        "days": [day.isoformat() for day in board.days()],
    }


def _sessions(board: Board, include_hidden: bool) -> list[Session]:
    slot_order = {slot.id: index for index, slot in enumerate(board.slots)}
    room_order = {room.id: index for index, room in enumerate(board.rooms)}
    return sorted(
        (s for s in board.sessions.values() if include_hidden or not s.hidden),
        key=lambda s: (slot_order.get(s.slot, 0), room_order.get(s.room, 0)),
    )


def board_json(
    board: Board, *, include_hidden: bool = False, extra: Mapping[str, Any] | None = None
) -> JSON:
    """
    The whole board as the API's C{GET /api/events/{slug}/board} returns it.
    """
    zone = board.info.zone
    return {
        "seq": board.seq,
        "event": event_info_json(board),
        "rooms": [room_json(room) for room in board.rooms],
        "slots": [slot_json(slot, zone) for slot in board.slots],
        "blocked": [cell_json(cell) for cell in sorted(board.blocked)],
        "sessions": [session_json(s) for s in _sessions(board, include_hidden)],
        "meetups": [
            meetup_json(m, zone) for m in sorted(board.meetups.values(), key=lambda m: m.starts)
        ],
        "official": [official_json(talk, zone) for talk in board.official],
        "warnings": [warning_json(w) for w in board_warnings(board)],
        **(extra or {}),
    }


def _public_sessions(board: Board) -> Mapping[str, JSON]:
    return {s.id: session_json(s) for s in board.sessions.values() if not s.hidden}


def delta(before: Board | None, logged: Logged, after: Board) -> JSON:
    """
    One logged event as clients receive it: what to put and what to drop.

    C{put} holds whole objects (sessions, meetups, blocked cells) that are new or
    changed; C{drop} the ids (cells) that went away; C{layout} the event, rooms and slots
    when they changed.  A client applies C{drop} then C{put} and needs no other rule.
    """
    zone = after.info.zone
    old_sessions = _public_sessions(before) if before is not None else {}
    new_sessions = _public_sessions(after)
    old_meetups = dict(before.meetups) if before is not None else {}
    old_blocked = before.blocked if before is not None else frozenset()
    shown: JSON = {
        "seq": logged.seq,
        "at": when(logged.at, zone),
        "actor": logged.actor,
        "type": _type_name(logged),
        "put": {
            "sessions": [v for k, v in new_sessions.items() if old_sessions.get(k) != v],
            "meetups": [
                meetup_json(m, zone) for k, m in after.meetups.items() if old_meetups.get(k) != m
            ],
            "blocked": [cell_json(c) for c in sorted(after.blocked - old_blocked)],
        },
        "drop": {
            "sessions": sorted(set(old_sessions) - set(new_sessions)),
            "meetups": sorted(set(old_meetups) - set(after.meetups)),
            "blocked": [cell_json(c) for c in sorted(old_blocked - after.blocked)],
        },
    }
    if before is None or _layout_changed(before, after):
        shown["layout"] = {
            "event": event_info_json(after),
            "rooms": [room_json(room) for room in after.rooms],
            "slots": [slot_json(slot, zone) for slot in after.slots],
        }
    if before is None or before.official != after.official:
        shown["official"] = [official_json(talk, zone) for talk in after.official]
    return shown


def _layout_changed(before: Board, after: Board) -> bool:
    return (before.info, before.rooms, before.slots) != (after.info, after.rooms, after.slots)


def _type_name(logged: Logged) -> str:
    return change_type(logged.change)


def log_entry_json(logged: Logged, zone: ZoneInfo) -> JSON:
    """
    One line of the facilitator's log: who did what, when (no private data).
    """
    return {
        "seq": logged.seq,
        "at": when(logged.at, zone),
        "actor": logged.actor,
        "type": _type_name(logged),
        "summary": describe_change(logged.change),
    }
