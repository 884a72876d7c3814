"""
What every schedule parser returns, and the small pieces of parsing they share.

A parser turns the bytes of one upstream document into a L{ParseResult}: the talks it
understood and, for every item it could not use, a L{Skipped} record saying why.  Only a
document that cannot be read at all raises L{ParseError}; one bad item never loses the
rest of the schedule.

The helpers here exist so that the format modules do not each grow their own copy of
the same fiddly logic: time zones and naive local times, durations written as
C{"01:30"} or C{90}, HTML in titles, pretalx's translated strings, and the
skip-and-report bookkeeping (L{ResultBuilder}).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import frozen

from openspace.links import web_link
from openspace.model import OfficialTalk
from openspace.official import json_pieces

#: How long an item lasts when its source gives neither an end nor a duration.
DEFAULT_DURATION = timedelta(minutes=30)

#: The preferred language when a source gives a title in several.
PREFERRED_LANGUAGE = "en"


class ParseError(ValueError):
    """
    The document as a whole cannot be used: not the format it claims to be, or a
    schedule whose times cannot be placed in time (naive times and no time zone).
    """


class ItemError(ValueError):
    """
    One item of a schedule cannot be used; the parser skips it and says why.
    """


@frozen
class Skipped:
    """
    An item that a parser left out.

    @ivar item: how to find it in the source (its id, title or position).
    @ivar reason: why it was left out, for the person who configured the source.
    """

    item: str
    reason: str


@frozen
class ParseResult:
    """
    The outcome of parsing one document.

    @ivar format: the name of the parser that read it (see L{openspace.official.detect}).
    @ivar talks: the talks, ordered by start time, then room and id.
    @ivar skipped: the items that were left out, in document order.
    """

    format: str
    talks: tuple[OfficialTalk, ...]
    skipped: tuple[Skipped, ...] = ()


class ResultBuilder:
    """
    Collects talks and skipped items while one parser walks one document.

    Each item is handled inside C{with builder.item(label):}; an L{ItemError} or a
    C{ValueError}/C{TypeError}/C{LookupError}/C{AttributeError}/C{OverflowError}
    raised there (the shapes of malformed JSON and XML) skips that item and records
    why.  L{ParseError}
    is never swallowed: it concerns the whole document.

    When two items share an id the later one wins and the earlier is reported, because
    feeds that repeat an id (iCal UIDs especially) list the newer version last.
    """

    def __init__(self, format: str, source: str) -> None:
        self.format = format
        self.source = source
        self._talks: dict[str, OfficialTalk] = {}
        self._skipped: list[Skipped] = []

    @contextmanager
    def item(self, label: str) -> Iterator[None]:
        try:
            yield
        except ParseError:
            raise
        except ItemError as e:
            self.skip(label, str(e))
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError) as e:
            # OverflowError: dates near year 1 or 9999 moved by an offset or duration.
            self.skip(label, f"malformed item ({type(e).__name__}: {e})")

    def skip(self, label: str, reason: str) -> None:
        self._skipped.append(Skipped(item=label, reason=reason))

    def add(
        self,
        *,
        id: object,
        title: object,
        start: datetime,
        end: datetime | None = None,
        duration: timedelta | None = None,
        room: object = "",
        speakers: tuple[str, ...] = (),
        track: object = "",
        kind: object = "",
        url: object = "",
    ) -> None:
        """
        Add one talk; raise L{ItemError} when it cannot be one.

        Text fields accept the raw source values (strings, translation mappings,
        L{None}) and are cleaned with L{text}; the end defaults to C{start + duration},
        then to C{start + DEFAULT_DURATION}.
        """
        talk_id = text(id)
        if not talk_id:
            raise ItemError("no id")
        clean_title = plain(title)
        if not clean_title:
            raise ItemError("no title")
        if end is None:
            end = start + (DEFAULT_DURATION if duration is None else duration)
        if end < start:
            raise ItemError(f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        if talk_id in self._talks:
            self.skip(talk_id, "duplicate id: replaced by a later item with the same id")
        self._talks[talk_id] = OfficialTalk(
            id=talk_id,
            source=self.source,
            title=clean_title,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            room=text(room),
            speakers=tuple(name for name in (plain(s) for s in speakers) if name),
            track=text(track),
            kind=text(kind).lower() or "talk",
            url=web_link(text(url)),
        )

    def result(self) -> ParseResult:
        talks = sorted(self._talks.values(), key=lambda t: (t.start, t.end, t.room, t.id))
        return ParseResult(format=self.format, talks=tuple(talks), skipped=tuple(self._skipped))


def load_json(body: bytes) -> object:
    """
    Decode a JSON document (UTF-8, with or without a byte order mark), a piece at a
    time (L{openspace.official.json_pieces}), so that a large one never holds the
    interpreter for long.

    The value is typed as C{object}: parsers check every shape they rely on.
    """
    try:
        value: object = json_pieces.decode(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ParseError(f"not valid JSON: {e}") from e
    return value


def as_mapping(value: object, what: str) -> Mapping[str, object]:
    """
    C{value} as a JSON object, or L{ItemError} naming C{what} was expected.
    """
    if not isinstance(value, Mapping):
        raise ItemError(f"{what} is not an object")
    return value


def as_list(value: object, what: str) -> list[object]:
    """
    C{value} as a JSON array (a missing one is empty), or L{ItemError}.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemError(f"{what} is not a list")
    return value


def text(value: object) -> str:
    """
    A source value as clean single-line text.

    Translated strings (C{{"en": "Room A", "de": "Raum A"}}, as pretalx sends them)
    give the L{PREFERRED_LANGUAGE} text, else the first non-empty one; numbers become
    their decimal form (ids often are numbers); L{None} becomes C{""}.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Mapping):
        candidates = [value.get(PREFERRED_LANGUAGE), *value.values()]
        return next((t for t in (text(c) for c in candidates) if t), "")
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    raise ItemError(f"expected text, got {type(value).__name__}")


def lenient_text(value: object) -> str:
    """
    L{text}, with a value that is not text giving C{""}: for labels and lookup
    tables, where one odd entry must not stop the whole parse.
    """
    try:
        return text(value)
    except ItemError:
        return ""


def names_by_id(
    entries: object, *, id_key: str = "id", name_keys: tuple[str, ...] = ("name",)
) -> dict[str, str]:
    """
    A lookup table from a JSON list of objects: C{entry[id_key]} to the first
    non-empty C{entry[name_key]}.  Entries without an id are left out.
    """
    names = {}
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and lenient_text(entry.get(id_key)):
            candidates = (lenient_text(entry.get(key)) for key in name_keys)
            names[lenient_text(entry[id_key])] = next((n for n in candidates if n), "")
    return names


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(value: object) -> str:
    """
    Like L{text}, with HTML tags removed and entities decoded.

    Some sources (PyCon US, several iCal feeds) put markup in titles and names; the
    board shows them as text, so markup would appear literally or be an injection risk
    further down.
    """
    raw = text(value)
    if "<" not in raw and "&" not in raw:
        return raw
    stripper = _TextOnly()
    stripper.feed(raw)
    stripper.close()
    return " ".join("".join(stripper.parts).split())


def parse_duration(value: object) -> timedelta:
    """
    A duration as sources write it: C{"01:30"} and C{"1:30:00"} (hours first), or a
    number of minutes (C{90}, C{"90"}).
    """
    if isinstance(value, bool):
        raise ItemError(f"bad duration {value!r}")
    if isinstance(value, int | float):
        minutes = float(value)
    elif isinstance(value, str) and value.strip():
        parts = value.strip().split(":")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ItemError(f"bad duration {value!r}") from None
        if len(numbers) == 1:
            minutes = numbers[0]
        elif len(numbers) in (2, 3):
            hours, mins, secs = (*numbers, 0.0)[:3]
            minutes = hours * 60 + mins + secs / 60
        else:
            raise ItemError(f"bad duration {value!r}")
    else:
        raise ItemError(f"bad duration {value!r}")
    if not 0 <= minutes <= 60 * 24 * 31:
        raise ItemError(f"duration out of range: {value!r}")
    return timedelta(minutes=minutes)


def zone_named(name: object) -> ZoneInfo | None:
    """
    The IANA zone called C{name}, or L{None} if there is no such zone.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def choose_zone(declared: object, configured: str | None) -> ZoneInfo | None:
    """
    The zone for a document's naive local times.

    The zone a document declares for itself wins: its generator knows in which zone it
    wrote its own local times, while the configured zone may be shared by several
    sources.  The configured zone is the fallback; a configured name that is not a
    zone is an error of configuration, so it raises L{ParseError} rather than being
    ignored.
    """
    zone = zone_named(declared)
    if zone is not None:
        return zone
    if configured is None:
        return None
    zone = zone_named(configured)
    if zone is None:
        raise ParseError(f"unknown time zone {configured!r}")
    return zone


def localize(moment: datetime, zone: ZoneInfo | None) -> datetime:
    """
    C{moment} in UTC; naive (local) times are read in C{zone}.

    A naive time without a zone cannot be placed on the timeline at all, and every
    other item of the document is naive too, so this raises L{ParseError}.
    """
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        if zone is None:
            raise ParseError(
                "the source gives local times without a time zone: configure its timezone"
            )
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_datetime(value: object, zone: ZoneInfo | None) -> datetime:
    """
    An ISO 8601 date-time (C{Z}, an offset, or naive local time in C{zone}) in UTC.
    """
    if not isinstance(value, str) or not value.strip():
        raise ItemError(f"bad date-time {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ItemError(f"bad date-time {value!r}") from None
    return localize(moment, zone)


def optional_datetime(value: object, zone: ZoneInfo | None) -> datetime | None:
    """
    L{parse_datetime}, with a missing or empty value giving L{None}.
    """
    return None if value in (None, "") else parse_datetime(value, zone)


def optional_duration(value: object) -> timedelta | None:
    """
    L{parse_duration}, with a missing or empty value giving L{None}.
    """
    return None if value in (None, "") else parse_duration(value)


def parse_clock(value: object) -> time:
    """
    A wall-clock time as frab writes it: C{"09:30"} or C{"09:30:00"}.
    """
    if not isinstance(value, str):
        raise ItemError(f"bad time of day {value!r}")
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ItemError(f"bad time of day {value!r}") from None


def frab_start(
    *,
    date_value: object,
    day: object,
    clock: object,
    day_start: object,
    zone: ZoneInfo | None,
) -> datetime:
    """
    The start of a frab event (JSON or XML), in UTC.

    The event's own C{date} (a full date-time with offset) is authoritative: wafer
    writes the day's C{date} in UTC but C{start} in local time, so combining those two
    would be off by the zone's offset.  Without it, the day's date plus the local
    C{start} is used, and events after midnight that belong to the previous
    conference day (frab days run until early morning) are moved to the next date
    when they fall before the day's own start.
    """
    if date_value not in (None, ""):
        return parse_datetime(date_value, zone)
    if not isinstance(day, str):
        raise ItemError("no date: neither the event nor its day has one")
    try:
        day_date = date.fromisoformat(day.strip())
    except ValueError:
        raise ItemError(f"bad day date {day!r}") from None
    wall_clock = parse_clock(clock)
    start = localize(datetime.combine(day_date, wall_clock), zone)
    if day_start not in (None, "") and start < parse_datetime(day_start, zone):
        # The next local date, not start + 24 h: a DST change may lie in between.
        start = localize(datetime.combine(day_date + timedelta(days=1), wall_clock), zone)
    return start
