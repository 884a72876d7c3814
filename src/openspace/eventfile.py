"""
Reading an event from a TOML file (C{openspace event load FILE.toml}).

The file names the event, its rooms and hallway spots, its days with their slot grids,
blocked cells, and the sources of its official schedule.  Every mistake is reported with
the field it is in (and the line, for TOML syntax errors); nothing is loaded from a file
with any mistake in it.

    slug = "pycon-2027"
    name = "PyCon 2027 open spaces"
    timezone = "America/Chicago"

    [[rooms]]
    id = "r250"
    name = "Room 250"
    capacity = 40
    where = "Level 2, past the escalators"
    access = "Step-free via lift B"
    kind = "room"            # or "hallway"

    [[days]]
    date = "2027-05-15"
    slots = ["10:00-11:00", "11:00-12:00"]

    [[blocked]]
    room = "r250"
    date = "2027-05-15"
    start = "10:00"

    [[sources]]              # the official schedule; repeatable
    url = "https://pretalx.example/pycon-2027/schedule/export/schedule.json"
    format = "frab-json"     # optional: detected from each response
    interval = 120           # optional: seconds between polls
    timezone = "America/Chicago"  # optional: for local times (default: the event's)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import frozen

from openspace.commands import Refused
from openspace.events import Layout
from openspace.fields import validate_layout, validate_sources
from openspace.model import (
    DEFAULT_SOURCE_INTERVAL,
    Cell,
    EventInfo,
    Room,
    RoomKind,
    ScheduleSource,
    Slot,
)

_SLOT = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


_KIND_NAMES = {str: "text", int: "a whole number", list: "a list"}


class EventFileError(ValueError):
    """
    The event file is malformed; the message names the line or field.
    """


def slot_id(day: date, start: time) -> str:
    """
    Slot ids are the local date and start time ("2027-05-15-1000"): stable when a
    facilitator reloads an edited file, so sessions keep their slots.
    """
    return f"{day.isoformat()}-{start.strftime('%H%M')}"


@frozen
class EventFile:
    """
    What an event file sets up.

    @ivar sources: its C{[[sources]]}, or L{None} when it has none at all: loading it
        then leaves the event's sources as they are (C{sources = []} removes them).
    """

    layout: Layout
    sources: tuple[ScheduleSource, ...] | None = None


def load_event_file(path: Path) -> Layout:
    """
    The layout of the event file at C{path} (see L{read_event_file}).
    """
    return read_event_file(path).layout


def read_event_file(path: Path) -> EventFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise EventFileError(f"{path}: cannot read: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise EventFileError(f"{path}: {e}") from e
    except UnicodeDecodeError as e:
        raise EventFileError(f"{path}: not UTF-8 text ({e.reason})") from e
    try:
        return event_from_mapping(data)
    except EventFileError as e:
        raise EventFileError(f"{path}: {e}") from e


def event_from_mapping(data: Mapping[str, Any]) -> EventFile:
    layout = layout_from_mapping(data)
    if "sources" not in data:
        return EventFile(layout)
    entries = enumerate(_list(data, "sources"))
    sources = tuple(_source(entry, f"sources[{i}]") for i, entry in entries)
    try:
        return EventFile(layout, validate_sources(sources))
    except Refused as e:
        raise _refused(e) from e


def layout_from_mapping(data: Mapping[str, Any]) -> Layout:
    zone_name = _get(data, "timezone", str)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise EventFileError(f"timezone: {zone_name!r} is not an IANA time zone name") from e
    info = EventInfo(_get(data, "slug", str), _get(data, "name", str), zone_name)
    rooms = tuple(_room(entry, f"rooms[{i}]") for i, entry in enumerate(_list(data, "rooms")))
    slots: list[Slot] = []
    for i, entry in enumerate(_list(data, "days")):
        slots.extend(_day_slots(entry, f"days[{i}]", zone))
    blocked = frozenset(
        _blocked(entry, f"blocked[{i}]") for i, entry in enumerate(_list(data, "blocked", []))
    )
    try:
        return validate_layout(Layout(info, rooms, tuple(slots), blocked))
    except Refused as e:
        raise _refused(e) from e


def _refused(refusal: Refused) -> EventFileError:
    where = f"{refusal.field}: " if refusal.field else ""
    return EventFileError(where + refusal.message)


def _get(data: Mapping[str, Any], key: str, kind: type, where: str = "", default: Any = ...) -> Any:
    name = f"{where}.{key}" if where else key
    if key not in data:
        if default is not ...:
            return default
        raise EventFileError(f"{name} is missing")
    value = data[key]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise EventFileError(f"{name} must be {_KIND_NAMES[kind]}, not {value!r}")
    return value


def _list(data: Mapping[str, Any], key: str, default: Any = ...) -> list[Any]:
    value: list[Any] = _get(data, key, list, default=default)
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise EventFileError(f"{key}[{i}] must be a table")
    return value


def _room(entry: Mapping[str, Any], where: str) -> Room:
    kind = _get(entry, "kind", str, where, "room")
    if kind not in {k.value for k in RoomKind}:
        raise EventFileError(f"{where}.kind must be 'room' or 'hallway', not {kind!r}")
    return Room(
        id=_get(entry, "id", str, where),
        name=_get(entry, "name", str, where),
        capacity=_get(entry, "capacity", int, where, None),
        where=_get(entry, "where", str, where, ""),
        access=_get(entry, "access", str, where, ""),
        kind=RoomKind(kind),
    )


def _source(entry: Mapping[str, Any], where: str) -> ScheduleSource:
    interval = entry.get("interval", DEFAULT_SOURCE_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, int | float):
        raise EventFileError(f"{where}.interval must be a number of seconds, not {interval!r}")
    return ScheduleSource(
        url=_get(entry, "url", str, where),
        format=_get(entry, "format", str, where, None),
        interval=float(interval),
        timezone=_get(entry, "timezone", str, where, None),
    )


def _date(entry: Mapping[str, Any], where: str) -> date:
    value = entry.get("date")
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise EventFileError(f"{where}.date must be a date like 2027-05-15")


def _time(text: str, where: str) -> time:
    try:
        return time.fromisoformat(text.zfill(5))
    except ValueError as e:
        raise EventFileError(f"{where}: {text!r} is not a time like 09:30") from e


def _local(day: date, at: time, zone: ZoneInfo, where: str) -> datetime:
    moment = datetime.combine(day, at, zone)
    # A wall time skipped or repeated by a DST change is ambiguous: refuse it.
    round_trip = moment.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None) or moment.fold:
        raise EventFileError(f"{where}: {at:%H:%M} does not exist on {day} in {zone.key}")
    return moment


def _day_slots(entry: Mapping[str, Any], where: str, zone: ZoneInfo) -> list[Slot]:
    day = _date(entry, where)
    slots = []
    for j, text in enumerate(_get(entry, "slots", list, where)):
        here = f"{where}.slots[{j}]"
        match = _SLOT.match(text) if isinstance(text, str) else None
        if match is None:
            raise EventFileError(f'{here} must look like "10:00-11:00", not {text!r}')
        start, end = (_time(part, here) for part in match.groups())
        starts = _local(day, start, zone, here)
        ends = _local(day, end, zone, here)
        if ends <= starts:
            raise EventFileError(f"{here}: a slot must end after it starts")
        slots.append(Slot(slot_id(day, start), starts, ends))
    return slots


def _blocked(entry: Mapping[str, Any], where: str) -> Cell:
    room = _get(entry, "room", str, where)
    if "slot" in entry:
        return Cell(room, _get(entry, "slot", str, where))
    return Cell(room, slot_id(_date(entry, where), _time(_get(entry, "start", str, where), where)))
