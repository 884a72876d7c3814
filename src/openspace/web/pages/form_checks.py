"""
Checking a form's fields all at once, in the words of the labels people see.

The board engine stops at the first field it refuses and names fields as the API does
("place must not be empty"); a person on a phone wants every problem at once, told in
the words next to the boxes.  These checks run before a form's command is sent, with
the engine's own limits and text cleaning (L{openspace.fields}, L{openspace.text}), so a
form that passes them is refused by the board only for the board's own reasons (a cell
taken meanwhile, a slot just over), which L{refusal_errors} words for the form.

Every function returns the errors in the order the fields appear on the page: the
error summary lists them in that order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta

from openspace.board import decide
from openspace.commands import Actor, Command, Refused
from openspace.fields import (
    DESCRIPTION_MAX,
    HOST_MAX,
    MEETUP_GRACE,
    PLACE_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
)
from openspace.model import Board, RoomKind
from openspace.text import clean

Values = Mapping[str, str]

#: What a refusal's field is called on the session forms, for rewording its message.
SESSION_LABELS: Mapping[str, str] = {
    "title": "Title",
    "description": "Description",
    "host": "Your name",
    "tags": "Tags",
}
MEETUP_LABELS: Mapping[str, str] = {
    "title": "What it is about",
    "place": "Somewhere else",
    "minutes": "For how long",
    "starts": "The start time",
}
#: How soon "later" is on the meetup form.
LATER = timedelta(minutes=30)
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.hH]\s*(\d{2})\s*$")


def _length(errors: dict[str, str], name: str, label: str, value: str, high: int) -> None:
    size = len(value)
    if size > high:
        errors[name] = f"{label} can be up to {high} characters; this is {size}."


def split_tags(text: str) -> list[str]:
    return [tag for tag in text.split(",") if tag.strip()]


def session_errors(values: Values, *, cell_needed: bool = True) -> dict[str, str]:
    """
    Everything wrong with a propose or edit form, by field, in the fields' order.
    """
    errors: dict[str, str] = {}
    title = clean(values.get("title", ""))
    if not title:
        errors["title"] = "Enter a title."
    _length(errors, "title", "The title", title, TITLE_MAX)
    description = clean(values.get("description", ""), multiline=True)
    _length(errors, "description", "The description", description, DESCRIPTION_MAX)
    host_name = clean(values.get("host", ""))
    if not host_name:
        errors["host"] = "Enter your name."
    _length(errors, "host", "Your name", host_name, HOST_MAX)
    tags = {clean(t).lstrip("#").strip().lower() for t in split_tags(values.get("tags", ""))}
    tags.discard("")
    long_tag = next((t for t in sorted(tags) if len(t) > TAG_MAX), None)
    if long_tag is not None:
        errors["tags"] = (
            f"Tags can be up to {TAG_MAX} characters each; “{long_tag[:TAG_MAX]}…” is longer."
        )
    elif len(tags) > TAGS_MAX:
        errors["tags"] = f"Use at most {TAGS_MAX} tags; these are {len(tags)}."
    if cell_needed and "/" not in values.get("cell", ""):
        errors["cell"] = "Pick a room and time."
    return errors


def cell_errors(board: Board, command: Command, actor: Actor, now: datetime) -> dict[str, str]:
    """
    What the board would say about the cell a refused form picked, so that a form with
    other problems reports a taken or past cell in the same round trip.  C{command}
    moves or proposes into that cell with text that passes (the board is pure: nothing
    is changed).
    """
    try:
        decide(board, command, actor, now)
    except Refused as refusal:
        if refusal.field in ("room", "slot"):
            return refusal_errors(refusal)
    return {}


def refusal_errors(refusal: Refused, labels: Mapping[str, str] = SESSION_LABELS) -> dict[str, str]:
    """
    Where and how a refusal of the board shows in a form: room and slot problems at the
    cell picker, and the field's label instead of its internal name.
    """
    name = refusal.field or ""
    message = refusal.message
    if name in ("room", "slot"):
        name = "cell"
    elif name == "starts":
        name = "when"
    label = labels.get(refusal.field or "")
    if label and message.startswith(f"{refusal.field} "):
        message = label + message[len(refusal.field or "") :]
    return {name: message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")}


def hallway_spots(board: Board) -> list[tuple[str, str]]:
    return [(room.id, room.name) for room in board.rooms if room.kind is RoomKind.hallway]


def meetup_start(
    values: Values, now: datetime, board: Board, errors: dict[str, str]
) -> datetime | None:
    """
    When the meetup form says to start: now, in half an hour, or at a time today in the
    event's zone; L{None} (and an error) if the form does not say it clearly.
    """
    when = values.get("when", "now") or "now"
    typed = values.get("at", "").strip()
    if when == "now":
        if typed:
            errors["at"] = "You typed a time: choose “At a time today”, or clear the time."
        return now
    if when == "later":
        return now + LATER
    if when != "at":
        errors["when"] = "Choose when it starts."
        return None
    found = _TIME.match(typed)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        errors["at"] = "Enter the time today as hours and minutes, like 14:30."
        return None
    zone = board.info.zone
    today = now.astimezone(zone).date()
    starts = datetime.combine(today, time(int(found[1]), int(found[2])), tzinfo=zone)
    if starts < now - MEETUP_GRACE:
        errors["at"] = "That time today has passed: enter a later time, or start it now."
        return None
    return starts


def meetup_errors(
    values: Values, board: Board, now: datetime, lengths: Sequence[int]
) -> tuple[dict[str, str], datetime | None]:
    """
    Everything wrong with a meetup form, and when it starts if that is clear.
    """
    errors: dict[str, str] = {}
    title = clean(values.get("title", ""))
    if not title:
        errors["title"] = "Say what it is about."
    _length(errors, "title", "What it is about", title, TITLE_MAX)
    spot = values.get("spot", "")
    place = clean(values.get("place", ""))
    if spot and spot not in {id_ for id_, _ in hallway_spots(board)}:
        errors["spot"] = "Choose one of the places under Where."
    if not spot and not place:
        errors["place"] = "Say where “somewhere else” is, or choose a spot under Where."
    _length(errors, "place", "Somewhere else", place, PLACE_MAX)
    starts = meetup_start(values, now, board, errors)
    if values.get("minutes", "") not in {str(m) for m in lengths}:
        errors["minutes"] = "Choose how long it lasts."
    return errors, starts
