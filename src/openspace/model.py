"""
The values of an open-space board: rooms, slots, sessions, meetups and the board itself.

Everything here is a frozen ``attrs`` class with no behaviour beyond small derived
properties; the rules that change a board live in L{openspace.board}.  Times are
timezone-aware ``datetime`` objects in UTC; they are shown in the event's zone only at
the edges (JSON, pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import field, frozen


class RoomKind(StrEnum):
    """
    A bookable room, or a hallway spot where meetups gather.
    """

    room = "room"
    hallway = "hallway"


@frozen
class EventInfo:
    """
    A conference (or one track of it) that owns one board.

    @ivar slug: URL-safe name, e.g. C{"pycon-2027"}.
    @ivar timezone: IANA zone name in which times are shown.
    """

    slug: str
    name: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@frozen
class Room:
    """
    A place on the board: a room that holds sessions, or a hallway spot for meetups.

    @ivar where: how to find it ("Level 2, past the escalators").
    @ivar access: accessibility note ("step-free via lift B").
    """

    id: str
    name: str
    capacity: int | None = None
    where: str = ""
    access: str = ""
    kind: RoomKind = RoomKind.room


@frozen
class Slot:
    """
    One time slot of the grid; C{start} and C{end} are aware UTC datetimes.
    """

    id: str
    start: datetime
    end: datetime

    def overlaps(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end


@frozen(order=True)
class Cell:
    """
    One (room, slot) square of the board.
    """

    room: str
    slot: str


@frozen
class Session:
    """
    An open-space session somebody put on the board.

    @ivar owner: hash of the host's edit key; never shown to anyone.
    @ivar going: anonymous attendee ids of the people who said "I'm going".
    @ivar hidden: hidden by a facilitator; it keeps its cell but is not shown.
    """

    id: str
    title: str
    description: str
    host: str
    tags: tuple[str, ...]
    room: str
    slot: str
    owner: str
    going: frozenset[str] = frozenset()
    hidden: bool = False

    @property
    def cell(self) -> Cell:
        return Cell(self.room, self.slot)


@frozen
class Meetup:
    """
    An informal hallway meetup: "come talk about packaging, by the coffee, now".

    @ivar spot: the id of the hallway spot it is at, or L{None} for free-text places.
    @ivar place: where it is, in words (the spot's name when C{spot} is set).
    @ivar owner: hash of who started it (their edit key or attendee id), or C{""} when
        they did not say, for quotas; never shown to anyone.
    @ivar key_digest: hash of the edit key its starter was given, which may end or
        change it (C{""}: facilitators only); never shown to anyone.
    @ivar hidden: hidden by a facilitator (or by attendees' reports).
    """

    id: str
    title: str
    place: str
    spot: str | None
    starts: datetime
    ends: datetime
    owner: str = ""
    key_digest: str = ""
    hidden: bool = False

    def running_at(self, now: datetime) -> bool:
        return self.starts <= now < self.ends


@frozen
class OfficialTalk:
    """
    One item of the conference's official schedule, pulled from upstream.

    @ivar source: the URL of the source it came from.
    @ivar kind: "talk", "keynote", "tutorial", "break", … as the source calls it.
    """

    id: str
    source: str
    title: str
    start: datetime
    end: datetime
    room: str = ""
    speakers: tuple[str, ...] = ()
    track: str = ""
    kind: str = "talk"
    url: str = ""


#: Seconds between two polls of an official schedule source, unless configured.
DEFAULT_SOURCE_INTERVAL = 120.0


@frozen
class ScheduleSource:
    """
    Where an event's official schedule is pulled from.

    @ivar format: the parser to use (see L{openspace.official.detect.PARSERS}), or
        L{None} to detect it from each response.
    @ivar interval: seconds between polls.
    @ivar timezone: IANA zone for sources that give local times without one; L{None}
        means the event's own zone.
    """

    url: str
    format: str | None = None
    interval: float = DEFAULT_SOURCE_INTERVAL
    timezone: str | None = None


@frozen
class Report:
    """
    One attendee's flag on a session or meetup; private to facilitators.

    @ivar attendee: the anonymous id of the attendee who reported it.
    """

    attendee: str
    reason: str
    at: datetime


@frozen
class Moderation:
    """
    An event's moderation settings.

    @ivar auto_hide: hide a session or meetup once this many distinct attendees have
        reported it; L{None} (the default) never hides anything by itself.
    @ivar freeze_minutes: placement suggestions leave alone sessions that start within
        this many minutes.
    """

    auto_hide: int | None = None
    freeze_minutes: int = 15


@frozen
class Board:
    """
    The whole state of one event's board after C{seq} events.

    Sessions and meetups are kept in plain mappings that are never mutated: every change
    builds a new L{Board} (see L{openspace.board.apply}).

    @ivar official: the talks of every source, ordered by start, end, room, source, id.
    @ivar sources: where the official schedule comes from; part of the board so that
        it is stored, logged and shared between nodes like every other setting.
    @ivar reports: attendees' reports, by the id of the session or meetup they flag;
        never part of anything public (see L{openspace.reports}).
    """

    info: EventInfo
    seq: int
    created: datetime
    rooms: tuple[Room, ...] = ()
    slots: tuple[Slot, ...] = ()
    blocked: frozenset[Cell] = frozenset()
    sessions: Mapping[str, Session] = field(factory=dict)
    meetups: Mapping[str, Meetup] = field(factory=dict)
    official: tuple[OfficialTalk, ...] = ()
    sources: tuple[ScheduleSource, ...] = ()
    reports: Mapping[str, tuple[Report, ...]] = field(factory=dict)
    moderation: Moderation = Moderation()

    def room(self, room_id: str) -> Room | None:
        for room in self.rooms:
            if room.id == room_id:
                return room
        return None

    def slot(self, slot_id: str) -> Slot | None:
        for slot in self.slots:
            if slot.id == slot_id:
                return slot
        return None

    def session_in(self, cell: Cell) -> Session | None:
        for session in self.sessions.values():
            if session.cell == cell:
                return session
        return None

    def days(self) -> tuple[date, ...]:
        """
        The local dates (in the event's zone) that have at least one slot.
        """
        zone = self.info.zone
        return tuple(sorted({slot.start.astimezone(zone).date() for slot in self.slots}))

    def visible_sessions(self) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions.values() if not s.hidden)


DEFAULT_MEETUP_LENGTH = timedelta(minutes=30)
