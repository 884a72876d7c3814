"""
iCalendar (C{.ics}) schedules, read with the C{icalendar} library.

Real feeds are loose, so every C{VEVENT} is read on its own:

  - speakers come from C{ATTENDEE;CN=…}; the C{ORGANIZER}'s name is used only when
    there are no attendees, because many feeds set the organizer to the conference
    itself;
  - a C{TZID} with no matching C{VTIMEZONE} that is not an IANA name either leaves
    C{icalendar} with a naive time, which is read in the calendar's
    C{X-WR-TIMEZONE} or else the source's configured zone (as are floating times);
  - without C{DTEND}, C{DURATION} is used, else the shared default duration;
  - all-day events (a C{DATE} start) are not talks and are skipped with a reason;
  - a repeated C{UID} keeps the last event and reports the earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from openspace.official.ical_chunks import PIECE_BYTES, EventRuns, event_runs
from openspace.official.parsed import (
    ItemError,
    ParseError,
    ParseResult,
    ResultBuilder,
    choose_zone,
    localize,
    text,
)

FORMAT = "ical"


def parse(
    body: bytes, *, source: str, timezone: str | None, piece_bytes: int = PIECE_BYTES
) -> ParseResult:
    """
    Parse an iCalendar document (see L{openspace.official.detect.Parser}); L{ParseError}
    when the bytes are not one.

    A regular document is read a few dozen events at a time (see
    L{openspace.official.ical_chunks}), so that reading a large one never holds the GIL
    for long; the talks and skipped items are the same as when it is read whole.
    """
    _require_calendar(body)
    runs = event_runs(body, piece_bytes)
    if runs is not None:
        try:
            return _read(_piece_calendars(runs), source, timezone)
        except (_Irregular, ParseError):
            # Read whole, a document that fails fails with the error it always had
            # (a later piece may be unreadable before the time zone is wrong).
            pass
    return parse_whole(body, source=source, timezone=timezone)


def parse_whole(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse an iCalendar document all at once, as L{parse} does when it cannot cut it
    into pieces: the reference that reading in pieces must agree with.
    """
    _require_calendar(body)
    return _read([_calendar(body)], source, timezone)


# bytes.lstrip() would copy the whole document (and hold the GIL meanwhile).
_CALENDAR_START = re.compile(rb"\s*BEGIN:VCALENDAR", re.IGNORECASE)


def _require_calendar(body: bytes) -> None:
    if not _CALENDAR_START.match(body):
        raise ParseError("not an iCalendar document: it does not start with BEGIN:VCALENDAR")


class _Irregular(Exception):
    """
    A piece of a document did not parse into the events it was cut around: the
    document is read whole instead, which gives the same result or the same error.
    """


def _piece_calendars(runs: EventRuns) -> Iterator[Component]:
    for piece in runs.pieces():
        try:
            calendars = Calendar.from_ical(piece.document, multiple=True)
        except Exception as e:
            raise _Irregular() from e
        if len(calendars) != 1:
            raise _Irregular()
        (calendar,) = calendars
        direct = sum(1 for c in calendar.subcomponents if c.name == "VEVENT")
        if not direct == len(calendar.walk("VEVENT")) == piece.events:
            raise _Irregular()
        yield calendar


def _read(calendars: Iterable[Component], source: str, timezone: str | None) -> ParseResult:
    builder = ResultBuilder(FORMAT, source)
    zone: ZoneInfo | None = None
    position = 0
    for number, calendar in enumerate(calendars):
        if number == 0:
            # Every piece has the head and tail, so the calendar's own properties.
            zone = choose_zone(calendar.get("X-WR-TIMEZONE"), timezone)
        for event in calendar.walk("VEVENT"):
            position += 1
            _add(builder, position, event, zone)
    return builder.result()


def _add(builder: ResultBuilder, position: int, event: Component, zone: ZoneInfo | None) -> None:
    with builder.item(f"VEVENT #{position} (UID {event.get('UID', '')})"):
        start = _moment(event, "DTSTART", zone)
        if start is None:
            raise ItemError("no DTSTART")
        duration = event.get("DURATION")
        builder.add(
            id=event.get("UID"),
            title=event.get("SUMMARY"),
            start=start,
            end=_moment(event, "DTEND", zone),
            duration=None if duration is None else _duration(duration.dt),
            room=event.get("LOCATION"),
            speakers=_speakers(event),
            track=_first_category(event.get("CATEGORIES")),
            url=event.get("URL"),
        )


def _calendar(body: bytes) -> Component:
    try:
        calendars = Calendar.from_ical(body, multiple=True)
    # icalendar reports malformed input with whatever exception its parsing step hits.
    except Exception as e:
        raise ParseError(f"not a readable iCalendar document: {e}") from e
    if not calendars:
        raise ParseError("not an iCalendar document: no VCALENDAR")
    calendar: Component = calendars[0]
    return calendar


def _moment(event: Component, name: str, zone: ZoneInfo | None) -> datetime | None:
    prop = event.get(name)
    if prop is None:
        return None
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return localize(value, zone)
    if isinstance(value, date):
        raise ItemError(f"all-day event ({name} is a date)")
    raise ItemError(f"unreadable {name}")


def _duration(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ItemError(f"unreadable DURATION {value!r}")
    return value


def _speakers(event: Component) -> tuple[str, ...]:
    names = tuple(_common_names(event.get("ATTENDEE")))
    return names or tuple(_common_names(event.get("ORGANIZER")))


def _common_names(addresses: object) -> Iterable[str]:
    # One property gives a single value, a repeated one a list.
    for address in addresses if isinstance(addresses, list) else [addresses]:
        params = getattr(address, "params", None)
        if params is not None and params.get("CN"):
            yield text(params["CN"])


def _first_category(categories: object) -> str:
    for entry in categories if isinstance(categories, list) else [categories]:
        for category in getattr(entry, "cats", ()):
            if text(category):
                return text(category)
    return ""
