"""
The frab / c3voc C{schedule.json} format.

frab, pretalx (C{/schedule/export/schedule.json}) and the c3voc tools write it: a
C{schedule.conference.days[].rooms} mapping from room name to a list of events.  Each
event has a C{date} with offset in current generators and only the day's date plus a
local C{start} in old ones; C{duration} is C{"hh:mm"}; newer pretalx adds C{end}.
"""

from __future__ import annotations

from collections.abc import Mapping

from openspace.official.parsed import (
    ParseError,
    ParseResult,
    ResultBuilder,
    as_list,
    as_mapping,
    choose_zone,
    frab_start,
    load_json,
    optional_datetime,
    optional_duration,
    text,
)

FORMAT = "frab-json"


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse a frab C{schedule.json} (see L{openspace.official.detect.Parser});
    L{ParseError} when it is not one.
    """
    return parse_document(load_json(body), source=source, timezone=timezone)


def parse_document(document: object, *, source: str, timezone: str | None) -> ParseResult:
    """
    L{parse}, for a document already decoded (L{openspace.official.detect.parse_any}
    decodes it once to detect its format).
    """
    conference = _conference(document)
    zone = choose_zone(conference.get("time_zone_name"), timezone)
    builder = ResultBuilder(FORMAT, source)
    days = conference.get("days")
    if not isinstance(days, list):
        raise ParseError("frab schedule.json without a list of days")
    for day_number, day_entry in enumerate(days, 1):
        with builder.item(f"day {day_number}"):
            day = as_mapping(day_entry, "day")
            rooms = as_mapping(day.get("rooms") or {}, "day's rooms")
            for room_name, events in rooms.items():
                for position, entry in enumerate(as_list(events, "room's events"), 1):
                    with builder.item(f"day {day_number}, {room_name} #{position}"):
                        event = as_mapping(entry, "event")
                        start = frab_start(
                            date_value=event.get("date"),
                            day=day.get("date"),
                            clock=event.get("start"),
                            day_start=day.get("day_start"),
                            zone=zone,
                        )
                        builder.add(
                            id=event.get("guid") or event.get("id"),
                            title=event.get("title"),
                            start=start,
                            end=optional_datetime(event.get("end"), zone),
                            duration=optional_duration(event.get("duration")),
                            room=text(event.get("room")) or room_name,
                            speakers=tuple(_person_names(event.get("persons"))),
                            track=event.get("track"),
                            kind=event.get("type"),
                            url=event.get("url"),
                        )
    return builder.result()


def _conference(document: object) -> Mapping[str, object]:
    # Some tools save the inner schedule object without its {"schedule": …} wrapper.
    if isinstance(document, Mapping):
        schedule = document.get("schedule", document)
        if isinstance(schedule, Mapping):
            conference = schedule.get("conference")
            if isinstance(conference, Mapping):
                return conference
    raise ParseError("not a frab schedule.json: no schedule.conference object")


def _person_names(persons: object) -> list[str]:
    names = []
    for person in as_list(persons, "persons"):
        if isinstance(person, Mapping):
            names.append(text(person.get("public_name") or person.get("name")))
        else:
            names.append(text(person))
    return names
