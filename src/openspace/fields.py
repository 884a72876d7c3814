"""
Checking and cleaning the fields of commands: text limits, tags, ids, time zones, and
whole layouts and schedule sources.

Every check refuses with L{Refused} naming the field (e.g. C{rooms[2].id}) and the
reason in words; text is cleaned (NFC, no control characters) before it is measured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import evolve

from openspace.commands import Refused
from openspace.events import Layout, SessionText
from openspace.model import ScheduleSource
from openspace.official.detect import PARSERS
from openspace.official.precount import ITEMS_MAX
from openspace.text import clean

TITLE_MAX = 120
DESCRIPTION_MAX = 4000
HOST_MAX = 80
TAG_MAX = 30
TAGS_MAX = 8
PLACE_MAX = 120
MEETUP_MINUTES = (5, 240)
# A meetup "starting now" typed on a slow phone may arrive a little late.
MEETUP_GRACE = timedelta(minutes=5)
MEETUP_HORIZON = timedelta(days=14)
SOURCES_MAX = 10
URL_MAX = 2000
# From every 10 s (a facilitator testing a feed) to daily.
SOURCE_INTERVAL = (10.0, 86400.0)
OFFICIAL_TALKS_MAX = ITEMS_MAX
# Quotas that keep the board readable (facilitators are exempt): sessions one edit key
# holds that are not over yet; meetups one person has started that have not ended; and
# meetups at one place at overlapping times.
SESSIONS_PER_KEY = 6
MEETUPS_PER_OWNER = 3
MEETUPS_PER_PLACE = 4

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$")
ID_ATTENDEE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def invalid(field_name: str, message: str) -> NoReturn:
    raise Refused("invalid", message, field=field_name)


def text_field(value: str, field_name: str, low: int, high: int, *, multiline: bool = False) -> str:
    cleaned = clean(value, multiline=multiline)
    if len(cleaned) < low:
        invalid(field_name, f"{field_name} must not be empty")
    if len(cleaned) > high:
        invalid(field_name, f"{field_name} is {len(cleaned)} characters; the limit is {high}")
    return cleaned


def tags_field(values: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in values:
        tag = clean(raw).lstrip("#").strip().lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            invalid("tags", f"the tag {tag[:TAG_MAX]!r}… is longer than {TAG_MAX} characters")
        seen[tag] = None
    if len(seen) > TAGS_MAX:
        invalid("tags", f"a session can have at most {TAGS_MAX} tags")
    return tuple(seen)


def session_text(title: str, description: str, host_name: str, tags: Sequence[str]) -> SessionText:
    return SessionText(
        title=text_field(title, "title", 1, TITLE_MAX),
        description=text_field(description, "description", 0, DESCRIPTION_MAX, multiline=True),
        host=text_field(host_name, "host", 1, HOST_MAX),
        tags=tags_field(tags),
    )


def validate_sources(sources: Sequence[ScheduleSource]) -> tuple[ScheduleSource, ...]:
    """
    Check schedule sources (http(s) URLs, each once; known formats and zones; sane
    intervals) and return them.

    @raise Refused: naming the field, e.g. C{sources[1].interval}.
    """
    if len(sources) > SOURCES_MAX:
        invalid("sources", f"an event can have at most {SOURCES_MAX} schedule sources")
    seen: set[str] = set()
    for index, source in enumerate(sources):
        where = f"sources[{index}]"
        parts = urlsplit(source.url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or len(source.url) > URL_MAX
            or source.url != source.url.strip()
        ):
            invalid(f"{where}.url", f"{source.url!r} is not an http(s) URL")
        if source.url in seen:
            invalid(f"{where}.url", f"{source.url} is listed twice")
        seen.add(source.url)
        if source.format is not None and source.format not in PARSERS:
            known = ", ".join(sorted(PARSERS))
            invalid(f"{where}.format", f"unknown format {source.format!r}; known: {known}")
        low, high = SOURCE_INTERVAL
        if not low <= source.interval <= high:
            invalid(f"{where}.interval", f"interval must be {low:g} to {high:g} seconds")
        if source.timezone is not None:
            check_zone(source.timezone, f"{where}.timezone")
    return tuple(sources)


def check_zone(name: str, field_name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        invalid(field_name, f"{name!r} is not an IANA time zone name")


def _unique_id(kind: str, value: str, field_name: str, seen: set[str]) -> None:
    if not ID_PATTERN.match(value):
        invalid(field_name, f"{kind} ids are 1–40 letters, digits, '_', '.', ':' or '-'")
    if value in seen:
        invalid(field_name, f"{kind} id {value!r} is used twice")
    seen.add(value)


def validate_layout(layout: Layout) -> Layout:
    """
    Check a layout on its own (ids unique, times sane) and return it cleaned.

    @raise Refused: naming the field, e.g. C{rooms[2].id}.
    """
    info = layout.info
    if not SLUG_PATTERN.match(info.slug):
        invalid("slug", "slug must be lower-case letters, digits and '-', up to 63")
    name = text_field(info.name, "name", 1, TITLE_MAX)
    check_zone(info.timezone, "timezone")
    rooms = []
    seen_rooms: set[str] = set()
    for index, room in enumerate(layout.rooms):
        where = f"rooms[{index}]"
        _unique_id("room", room.id, f"{where}.id", seen_rooms)
        if room.capacity is not None and not 1 <= room.capacity <= 100_000:
            invalid(f"{where}.capacity", "capacity must be a positive number of people")
        rooms.append(
            evolve(
                room,
                name=text_field(room.name, f"{where}.name", 1, HOST_MAX),
                where=text_field(room.where, f"{where}.where", 0, PLACE_MAX * 2),
                access=text_field(room.access, f"{where}.access", 0, PLACE_MAX * 2),
            )
        )
    slots = sorted(layout.slots, key=lambda slot: slot.start)
    seen_slots: set[str] = set()
    for index, slot in enumerate(slots):
        where = f"slots[{slot.id}]"
        _unique_id("slot", slot.id, f"{where}.id", seen_slots)
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            invalid(where, "slot times need a time zone")
        if slot.end <= slot.start:
            invalid(where, "a slot must end after it starts")
        if index and slots[index - 1].end > slot.start:
            invalid(where, f"slot {slot.id!r} overlaps slot {slots[index - 1].id!r}")
    for cell in layout.blocked:
        if cell.room not in seen_rooms or cell.slot not in seen_slots:
            invalid("blocked", f"blocked cell {cell.room}/{cell.slot} is not on the board")
    utc = ZoneInfo("UTC")
    return Layout(
        evolve(info, name=name),
        tuple(rooms),
        tuple(
            evolve(slot, start=slot.start.astimezone(utc), end=slot.end.astimezone(utc))
            for slot in slots
        ),
        frozenset(layout.blocked),
    )
