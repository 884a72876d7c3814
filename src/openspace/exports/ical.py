"""
iCalendar (RFC 5545) feeds of a board, built with the C{icalendar} library.

One C{VEVENT} per visible session and meetup, times in the event's zone with its
C{VTIMEZONE}.  The C{UID} is the item's id within this incarnation of the event, so it
survives moves and edits; C{SEQUENCE} counts the item's changes (L{ItemHistory});
C{DTSTAMP} and C{LAST-MODIFIED} are the time of its last change, which keeps a feed's
bytes the same until the board changes.

Cancelled sessions and meetups stay in the feed as C{STATUS:CANCELLED} for
L{CANCELLED_KEPT} after they left the board, long enough for calendar apps that poll
once a day to drop them; then they leave the feed.  Hidden sessions never appear.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from openspace.exports.document import Document, Links, incarnation
from openspace.exports.history import History, ItemHistory
from openspace.model import Board, Meetup, Session

#: How long a cancelled session or meetup stays in feeds as C{STATUS:CANCELLED}.
CANCELLED_KEPT = timedelta(days=7)

#: How often calendar apps are asked to poll (they may poll less often).
REFRESH = timedelta(minutes=15)

MEDIA_TYPE = "text/calendar; charset=utf-8"

SessionFilter = Callable[[Session], bool]


def board_calendar(history: History, links: Links, now: datetime) -> Document:
    """
    C{/e/{slug}/board.ics}: every visible session and meetup.
    """
    return _calendar(history, links, now, history.board.info.name, _every, _every)


def room_calendar(history: History, links: Links, now: datetime, room_id: str) -> Document:
    """
    C{/e/{slug}/rooms/{id}.ics}: the sessions in one room, and the meetups at it.
    """
    board = history.board
    room = board.room(room_id)
    name = f"{board.info.name}: {room.name if room is not None else room_id}"

    def in_room(session: Session) -> bool:
        return session.room == room_id

    return _calendar(history, links, now, name, in_room, lambda meetup: meetup.spot == room_id)


def session_calendar(history: History, links: Links, now: datetime, session_id: str) -> Document:
    """
    One session, for an "Add to calendar" link.
    """
    session = history.board.sessions.get(session_id)
    title = session.title if session is not None else history.board.info.name

    def only(session: Session) -> bool:
        return session.id == session_id

    return _calendar(history, links, now, title, only, _no)


def personal_calendar(
    history: History,
    links: Links,
    now: datetime,
    *,
    starred: Collection[str],
    attendee: str | None,
    owner: str | None,
) -> Document:
    """
    "My open spaces": the sessions someone starred, is going to, or hosts (their edit
    key's digest is C{owner}).
    """

    def mine(session: Session) -> bool:
        return (
            session.id in starred
            or (attendee is not None and attendee in session.going)
            or (owner is not None and session.owner == owner)
        )

    name = f"{history.board.info.name}: my open spaces"
    return _calendar(history, links, now, name, mine, _no, going=True)


def _every(item: object) -> bool:
    return True


def _no(item: object) -> bool:
    return False


def _calendar(
    history: History,
    links: Links,
    now: datetime,
    name: str,
    sessions: SessionFilter,
    meetups: Callable[[Meetup], bool],
    *,
    going: bool = False,
) -> Document:
    board = history.board
    calendar = Calendar()
    calendar.add("prodid", "-//openspace//open-space board//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", board.info.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    # Only a personal calendar changes with "I'm going".
    last_modified = history.last_at if going else history.changed_at
    fresh_until: datetime | None = None

    def kept(item: ItemHistory) -> bool:
        nonlocal last_modified, fresh_until
        assert item.gone is not None
        leaves = item.gone + CANCELLED_KEPT
        if leaves <= now:
            last_modified = max(last_modified, leaves)
            return False
        fresh_until = leaves if fresh_until is None else min(fresh_until, leaves)
        return True

    for session in _ordered(board, board.sessions.values()):
        if not session.hidden and sessions(session):
            calendar.add_component(_session_event(history, links, session, cancelled=False))
    for session in _ordered(board, history.gone_sessions.values()):
        if not session.hidden and sessions(session) and kept(history.sessions[session.id]):
            calendar.add_component(_session_event(history, links, session, cancelled=True))
    for meetup in sorted(board.meetups.values(), key=_meetup_order):
        if meetups(meetup):
            calendar.add_component(_meetup_event(history, links, meetup, cancelled=False))
    for meetup in sorted(history.gone_meetups.values(), key=_meetup_order):
        if meetups(meetup) and kept(history.meetups[meetup.id]):
            calendar.add_component(_meetup_event(history, links, meetup, cancelled=True))
    calendar.add_missing_timezones()
    return Document(calendar.to_ical(), MEDIA_TYPE, last_modified, fresh_until)


def _ordered(board: Board, sessions: Iterable[Session]) -> list[Session]:
    starts = {slot.id: slot.start for slot in board.slots}
    return sorted(
        (s for s in sessions if s.slot in starts), key=lambda s: (starts[s.slot], s.room, s.id)
    )


def _meetup_order(meetup: Meetup) -> tuple[datetime, str]:
    return (meetup.starts, meetup.id)


def _stamped(event: Event, board: Board, kind: str, item_id: str, item: ItemHistory) -> None:
    event.add("uid", f"{kind}-{item_id}.{incarnation(board)}@openspace")
    event.add("sequence", item.sequence)
    event.add("dtstamp", item.modified)
    event.add("created", item.created)
    event.add("last-modified", item.modified)


def _session_event(history: History, links: Links, session: Session, *, cancelled: bool) -> Event:
    board = history.board
    zone = board.info.zone
    slot = board.slot(session.slot)
    assert slot is not None
    room = board.room(session.room)
    event = Event()
    _stamped(event, board, "session", session.id, history.sessions[session.id])
    event.add("summary", session.title)
    event.add("dtstart", slot.start.astimezone(zone))
    event.add("dtend", slot.end.astimezone(zone))
    location = room.name if room is not None else session.room
    if room is not None and room.where:
        location += f" — {room.where}"
    event.add("location", location)
    url = links.session(board, session.id)
    event.add("url", url)
    lines = (
        [session.description, f"Host: {session.host}"]
        if session.description
        else [f"Host: {session.host}"]
    )
    if room is not None and room.access:
        lines.append(f"Access: {room.access}")
    lines.append(url)
    event.add("description", "\n\n".join(lines))
    if session.tags:
        event.add("categories", list(session.tags))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _meetup_event(history: History, links: Links, meetup: Meetup, *, cancelled: bool) -> Event:
    board = history.board
    zone = board.info.zone
    event = Event()
    _stamped(event, board, "meetup", meetup.id, history.meetups[meetup.id])
    event.add("summary", meetup.title)
    event.add("dtstart", meetup.starts.astimezone(zone))
    event.add("dtend", meetup.ends.astimezone(zone))
    spot = board.room(meetup.spot) if meetup.spot is not None else None
    location = meetup.place + (f" — {spot.where}" if spot is not None and spot.where else "")
    event.add("location", location)
    event.add("url", links.board(board))
    event.add("description", f"Hallway meetup at {meetup.place}.")
    event.add("categories", ["Hallway meetup"])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event
