"""
C{pycon-open-spaces.json}: the C{open-spaces} array the PyCon US mobile app reads.

A JSON array of objects with C{title}, C{start} and C{end} (UTC, ISO 8601),
C{room_display}, C{description}, C{conf_key} (a stable integer: the number in the
session's id, see L{item_number}) and C{image_url} (always C{null}), in start order.
A conference serves it beside its C{conference.json}.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from openspace.exports.document import Document, item_number
from openspace.exports.history import History
from openspace.model import Board, Session

MEDIA_TYPE = "application/json; charset=utf-8"


def open_spaces_json(history: History) -> Document:
    board = history.board
    starts = {slot.id: slot for slot in board.slots}
    shown = [
        _entry(board, session)
        for session in sorted(
            (s for s in board.visible_sessions() if s.slot in starts),
            key=lambda s: (starts[s.slot].start, item_number(s.id)),
        )
    ]
    body = json.dumps(shown, ensure_ascii=False, indent=1).encode("utf-8")
    return Document(body, MEDIA_TYPE, history.changed_at)


def _entry(board: Board, session: Session) -> dict[str, Any]:
    slot = board.slot(session.slot)
    assert slot is not None
    room = board.room(session.room)
    hosted = f"Hosted by {session.host}."
    return {
        "title": session.title,
        "start": _utc(slot.start),
        "end": _utc(slot.end),
        "room_display": room.name if room is not None else session.room,
        "description": f"{session.description}\n\n{hosted}" if session.description else hosted,
        "conf_key": item_number(session.id),
        "image_url": None,
    }


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
