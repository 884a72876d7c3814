"""
What clients see of a board: the public JSON of boards, sessions and changes.

Times are shown in the event's own zone (ISO 8601 with offset).  Nothing private leaves
here: no edit-key hashes, no attendee ids (only counts), no attendees' reports (see
L{reports_json}, for facilitators only), no hidden sessions or meetups unless a
facilitator asks.  Each session carries its room's C{seats} and its C{fill} state
(L{openspace.capacity}).  Deltas (L{delta}) are computed by comparing two boards, so one
mechanical rule ("put these, drop those") serves every kind of event, undo included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openspace.board import board_warnings
from openspace.capacity import fill
from openspace.codec import change_type
from openspace.commands import Warning
from openspace.describe import describe_change, person, who
from openspace.events import Logged, ModerationSet, ReportFiled, ReportsSet
from openspace.links import web_link
from openspace.model import Board, Cell, Meetup, OfficialTalk, Room, Session, Slot
from openspace.placement import Placement
from openspace.reports import Reported

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


def session_json(session: Session, room: Room | None = None) -> JSON:
    """
    A session as clients see it; C{room} (its room) gives its seats and fill state.
    """
    seats = room.capacity if room is not None else None
    state = fill(len(session.going), seats)
    shown: JSON = {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "host": session.host,
        "tags": list(session.tags),
        "room": session.room,
        "slot": session.slot,
        "going": len(session.going),
        "seats": seats,
        "fill": state.value if state is not None else None,
    }
    if session.hidden:
        shown["hidden"] = True
    return shown


def board_session_json(board: Board, session: Session) -> JSON:
    return session_json(session, board.room(session.room))


def meetup_json(meetup: Meetup, zone: ZoneInfo) -> JSON:
    shown: JSON = {
        "id": meetup.id,
        "title": meetup.title,
        "place": meetup.place,
        "spot": meetup.spot,
        "starts": when(meetup.starts, zone),
        "ends": when(meetup.ends, zone),
    }
    if meetup.hidden:
        shown["hidden"] = True
    return shown


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
    board: Board,
    *,
    include_hidden: bool = False,
    extra: Mapping[str, Any] | None = None,
    official: object = None,
) -> JSON:
    """
    The whole board as the API's C{GET /api/events/{slug}/board} returns it.

    @param official: stands in for the official talks (L{openspace.web.boardjson}
        splices in their JSON, encoded once per schedule); L{None}: the talks.
    """
    zone = board.info.zone
    return {
        "seq": board.seq,
        "event": event_info_json(board),
        "rooms": [room_json(room) for room in board.rooms],
        "slots": [slot_json(slot, zone) for slot in board.slots],
        "blocked": [cell_json(cell) for cell in sorted(board.blocked)],
        "sessions": [board_session_json(board, s) for s in _sessions(board, include_hidden)],
        "meetups": [
            meetup_json(m, zone)
            for m in sorted(board.meetups.values(), key=lambda m: m.starts)
            if include_hidden or not m.hidden
        ],
        "official": (
            [official_json(talk, zone) for talk in board.official] if official is None else official
        ),
        "warnings": [warning_json(w) for w in board_warnings(board)],
        **(extra or {}),
    }


def _public_sessions(board: Board) -> Mapping[str, JSON]:
    return {s.id: board_session_json(board, s) for s in board.sessions.values() if not s.hidden}


def _public_meetups(board: Board) -> Mapping[str, Meetup]:
    return {m.id: m for m in board.meetups.values() if not m.hidden}


#: Changes nobody but facilitators may know of: their deltas say only "private".
PRIVATE_CHANGES = (ReportFiled, ReportsSet, ModerationSet)


def delta(before: Board | None, logged: Logged, after: Board) -> JSON:
    """
    One logged event as clients receive it: what to put and what to drop.

    C{put} holds whole objects (sessions, meetups, blocked cells) that are new or
    changed; C{drop} the ids (cells) that went away; C{layout} the event, rooms and slots
    when they changed.  A client applies C{drop} then C{put} and needs no other rule.
    An attendee's report (or a facilitator dealing with reports) arrives as type and
    actor C{"private"}: nothing public changed, unless the report hid its item.
    """
    zone = after.info.zone
    private = isinstance(logged.change, PRIVATE_CHANGES)
    old_sessions = _public_sessions(before) if before is not None else {}
    new_sessions = _public_sessions(after)
    old_meetups = _public_meetups(before) if before is not None else {}
    new_meetups = _public_meetups(after)
    old_blocked = before.blocked if before is not None else frozenset()
    shown: JSON = {
        "seq": logged.seq,
        "at": when(logged.at, zone),
        "actor": "private" if private else logged.actor,
        "type": "private" if private else _type_name(logged),
        "put": {
            "sessions": [v for k, v in new_sessions.items() if old_sessions.get(k) != v],
            "meetups": [
                meetup_json(m, zone) for k, m in new_meetups.items() if old_meetups.get(k) != m
            ],
            "blocked": [cell_json(c) for c in sorted(after.blocked - old_blocked)],
        },
        "drop": {
            "sessions": sorted(set(old_sessions) - set(new_sessions)),
            "meetups": sorted(set(old_meetups) - set(new_meetups)),
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


def log_entry_json(logged: Logged, board: Board, undoable: bool = False) -> JSON:
    """
    One line of the facilitator's log: who did what, when, named as on C{board}
    (no attendee ids, no keys).

    @param undoable: whether the desk offers to undo it.
    """
    return {
        "seq": logged.seq,
        "at": when(logged.at, board.info.zone),
        "actor": logged.actor,
        "who": who(logged),
        "name": person(logged, board),
        "type": _type_name(logged),
        "summary": describe_change(logged.change, board),
        "undoable": undoable,
    }


def reports_json(queue: tuple[Reported, ...], zone: ZoneInfo) -> JSON:
    """
    The report queue, for facilitators only.
    """
    return {
        "reports": [
            {
                "item": r.item,
                "kind": r.kind,
                "title": r.title,
                "count": r.count,
                "reasons": list(r.reasons),
                "hidden": r.hidden,
                "latest": when(r.latest, zone),
            }
            for r in queue
        ]
    }


def placement_json(board: Board, placement: Placement) -> JSON:
    moves = []
    for move in placement.moves:
        session = board.sessions[move.session_id]
        origin, target = board.room(move.origin), board.room(move.target)
        moves.append(
            {
                "session": session.id,
                "title": session.title,
                "slot": session.slot,
                "going": len(session.going),
                "from": move.origin,
                "from_seats": origin.capacity if origin is not None else None,
                "to": move.target,
                "to_seats": target.capacity if target is not None else None,
            }
        )
    return {
        "moves": moves,
        "fit_before": placement.fit_before,
        "fit_after": placement.fit_after,
        "expected": placement.expected,
    }
