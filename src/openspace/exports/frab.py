"""
The board as a frab/Pentabarf schedule: days, rooms and events, before any syntax.

L{openspace.exports.frab_xml} and L{openspace.exports.c3voc_json} write the same
L{Schedule} in their two syntaxes, so both always agree.  The open spaces are the
visible sessions and meetups, in track L{OPEN_SPACE}; with C{official}, the talks of
the board's schedule sources join them, so one document gives a schedule app the whole
conference.

The c3voc rules are strict about identifiers: an C{acronym} of lower-case letters,
digits and C{_}; per event a UUID C{guid}, a positive integer C{id} and a C{slug}
C{<acronym>-<id>-<title in ASCII>}; times with offsets; durations as C{hh:mm}.
L{acronym} and L{event_slug} turn any slug and title (Unicode, 120 characters, empty)
into values those patterns accept.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from attrs import frozen

from openspace.exports.document import Links, incarnation, item_guid, item_number
from openspace.exports.history import History
from openspace.links import web_link
from openspace.model import Board, OfficialTalk

OPEN_SPACE = "Open Space"
DEFAULT_TIMESLOT = timedelta(minutes=30)
_OFFICIAL_NUMBERS = 2_000_000_000
_SLUG_TEXT_MAX = 48
_NAMED_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


@frozen
class Item:
    """
    One event of the schedule (a session, a meetup or an official talk).
    """

    guid: str
    number: int
    slug: str
    title: str
    room: str
    start: datetime
    end: datetime
    kind: str
    track: str
    abstract: str
    persons: tuple[str, ...]
    url: str


@frozen
class Room:
    name: str
    guid: str
    items: tuple[Item, ...]


@frozen
class Day:
    index: int
    date: date
    start: datetime
    end: datetime
    rooms: tuple[Room, ...]


@frozen
class Schedule:
    """
    @ivar version: changes with every change of the board.
    @ivar time_zone_name: the event's zone, when the c3voc pattern for it accepts the
        name (times always carry their offsets, so nothing is lost without it).
    """

    title: str
    acronym: str
    version: str
    url: str
    board_url: str
    base_url: str
    zone: str
    time_zone_name: str | None
    timeslot: timedelta
    days: tuple[Day, ...]
    rooms: tuple[tuple[str, str], ...]
    start_date: date

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def first_day(self) -> date:
        return self.days[0].date if self.days else self.start_date

    @property
    def last_day(self) -> date:
        return self.days[-1].date if self.days else self.start_date


def schedule(history: History, links: Links, document_url: str, *, official: bool) -> Schedule:
    """
    The open spaces of the board (and its official talks if C{official}) as a schedule.
    """
    board = history.board
    short = acronym(board.info.slug)
    items = list(_open_spaces(board, links, short))
    if official:
        items.extend(_official(board, short))
    zone = board.info.zone
    items.sort(key=lambda item: (item.start.astimezone(zone).date(), item.start, item.number))
    room_order = {room.name: index for index, room in enumerate(board.rooms)}
    days = []
    by_day = groupby(items, key=lambda item: item.start.astimezone(zone).date())
    for index, (day, grouped) in enumerate(by_day, 1):
        on_day = list(grouped)
        by_room: dict[str, list[Item]] = {}
        for item in on_day:
            by_room.setdefault(item.room, []).append(item)
        rooms = tuple(
            Room(name, _room_guid(board, name), tuple(by_room[name]))
            for name in sorted(by_room, key=lambda n: (room_order.get(n, len(room_order)), n))
        )
        days.append(
            Day(
                index,
                day,
                min(item.start for item in on_day).astimezone(zone),
                max(item.end for item in on_day).astimezone(zone),
                rooms,
            )
        )
    slot_lengths = [slot.end - slot.start for slot in board.slots]
    return Schedule(
        title=board.info.name,
        acronym=short,
        version=f"{board.created:%Y%m%d%H%M%S}.{history.changed_seq}",
        url=document_url,
        board_url=links.board(board),
        base_url=links.base + "/",
        zone=board.info.timezone,
        time_zone_name=board.info.timezone if _NAMED_ZONE.search(board.info.timezone) else None,
        timeslot=min(slot_lengths, default=DEFAULT_TIMESLOT),
        days=tuple(days),
        rooms=tuple((room.name, _room_guid(board, room.name)) for room in board.rooms),
        start_date=min(board.days(), default=board.created.astimezone(zone).date()),
    )


def _open_spaces(board: Board, links: Links, short: str) -> Iterable[Item]:
    for session in board.visible_sessions():
        slot = board.slot(session.slot)
        if slot is None:
            continue
        room = board.room(session.room)
        number = item_number(session.id)
        yield Item(
            guid=item_guid(board, "session", session.id),
            number=number,
            slug=event_slug(short, number, session.title),
            title=session.title,
            room=room.name if room is not None else session.room,
            start=slot.start,
            end=slot.end,
            kind="open-space",
            track=OPEN_SPACE,
            abstract=session.description,
            persons=(session.host,),
            url=links.session(board, session.id),
        )
    for meetup in board.meetups.values():
        number = item_number(meetup.id)
        yield Item(
            guid=item_guid(board, "meetup", meetup.id),
            number=number,
            slug=event_slug(short, number, meetup.title),
            title=meetup.title,
            room=meetup.place,
            start=meetup.starts,
            end=meetup.ends,
            kind="meetup",
            track=OPEN_SPACE,
            abstract="",
            persons=(),
            url=links.board(board),
        )


def _official(board: Board, short: str) -> Iterable[Item]:
    for position, talk in enumerate(board.official, 1):
        number = _OFFICIAL_NUMBERS + position
        yield Item(
            guid=_official_guid(board, talk),
            number=number,
            slug=event_slug(short, number, talk.title),
            title=talk.title,
            room=talk.room or "Elsewhere",
            start=talk.start,
            end=talk.end,
            kind=talk.kind or "talk",
            track=talk.track,
            abstract="",
            persons=talk.speakers,
            url=web_link(talk.url),
        )


def _official_guid(board: Board, talk: OfficialTalk) -> str:
    try:
        # A talk that already has a UUID (frab, pretalx) keeps it.
        return str(uuid.UUID(talk.id))
    except ValueError:
        return item_guid(board, "official", f"{talk.source}#{talk.id}")


def _room_guid(board: Board, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"openspace:{incarnation(board)}/room/{name}"))


def acronym(slug: str) -> str:
    """
    The event's slug as a c3voc acronym: lower-case letters, digits and C{_}, at least
    four characters.
    """
    return re.sub(r"[^a-z0-9_]", "_", slug.lower()).ljust(4, "_")


def ascii_words(text: str, fallback: str) -> str:
    """
    C{text} as lower-case ASCII words joined by C{-} (accents dropped, other scripts
    left out), at most 48 characters; C{fallback} when fewer than four remain.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    words = words[:_SLUG_TEXT_MAX].rstrip("-")
    return words if len(words) >= 4 else fallback


def event_slug(short: str, number: int, title: str) -> str:
    return f"{short}-{number}-{ascii_words(title, 'session')}"


def hours_minutes(length: timedelta) -> str:
    minutes = int(length.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
