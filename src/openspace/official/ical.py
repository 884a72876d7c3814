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

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

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


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse an iCalendar document (see L{openspace.official.detect.Parser}); L{ParseError}
    when the bytes are not one.
    """
    calendar = _calendar(body)
    zone = choose_zone(calendar.get("X-WR-TIMEZONE"), timezone)
    builder = ResultBuilder(FORMAT, source)
    for position, event in enumerate(calendar.walk("VEVENT"), 1):
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
    return builder.result()


def _calendar(body: bytes) -> Component:
    if not body.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise ParseError("not an iCalendar document: it does not start with BEGIN:VCALENDAR")
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
