"""
iCalendar (RFC 5545) feeds of a board, built with the C{icalendar} library.

One C{VEVENT} per visible session and meetup, times in the event's zone with its
C{VTIMEZONE}.  The C{UID} is the item's id within this incarnation of the event, so it
survives moves and edits; C{SEQUENCE} counts the item's changes (L{ItemHistory});
C{DTSTAMP} and C{LAST-MODIFIED} are the time of its last change, which keeps a feed's
bytes the same until the board changes.

Each C{VEVENT} is rendered by C{icalendar} once for everything it shows and kept in an
L{EventMemo} the caller may pass from one build to the next: after a change, a feed
renders only the events that changed, and a thousand private calendars share the
rendering of the sessions they have in common.

Cancelled sessions and meetups stay in the feed as C{STATUS:CANCELLED} for
L{CANCELLED_KEPT} after they left the board, long enough for calendar apps that poll
once a day to drop them; then they leave the feed.  Hidden sessions never appear.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, MutableMapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from openspace.events import SessionText
from openspace.exports.document import Document, Links, incarnation
from openspace.exports.history import History, ItemHistory
from openspace.model import Board, Meetup, Session

#: How long a cancelled session or meetup stays in feeds as C{STATUS:CANCELLED}.
CANCELLED_KEPT = timedelta(days=7)

#: How often calendar apps are asked to poll (they may poll less often).
REFRESH = timedelta(minutes=15)

MEDIA_TYPE = "text/calendar; charset=utf-8"

SessionFilter = Callable[[Session], bool]

#: Rendered C{VEVENT}s (and C{VTIMEZONE}s) by everything they show.
EventMemo = MutableMapping[Hashable, bytes]

_END = b"END:VCALENDAR\r\n"


def board_calendar(
    history: History, links: Links, now: datetime, memo: EventMemo | None = None
) -> Document:
    """
    C{/e/{slug}/board.ics}: every visible session and meetup.
    """
    return _calendar(history, links, now, history.board.info.name, _every, _every, memo=memo)


def room_calendar(
    history: History, links: Links, now: datetime, room_id: str, memo: EventMemo | None = None
) -> Document:
    """
    C{/e/{slug}/rooms/{id}.ics}: the sessions in one room, and the meetups at it.
    """
    board = history.board
    room = board.room(room_id)
    name = f"{board.info.name}: {room.name if room is not None else room_id}"

    def in_room(session: Session) -> bool:
        return session.room == room_id

    return _calendar(
        history, links, now, name, in_room, lambda meetup: meetup.spot == room_id, memo=memo
    )


def session_calendar(
    history: History,
    links: Links,
    now: datetime,
    session_id: str,
    memo: EventMemo | None = None,
) -> Document:
    """
    One session, for an "Add to calendar" link.
    """
    session = history.board.sessions.get(session_id)
    title = session.title if session is not None else history.board.info.name

    def only(session: Session) -> bool:
        return session.id == session_id

    return _calendar(history, links, now, title, only, _no, memo=memo)


def personal_calendar(
    history: History,
    links: Links,
    now: datetime,
    *,
    starred: Collection[str],
    attendee: str | None,
    owner: str | None,
    memo: EventMemo | None = None,
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
    return _calendar(history, links, now, name, mine, _no, going=True, memo=memo)


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
    memo: EventMemo | None = None,
) -> Document:
    board = history.board
    memo = {} if memo is None else memo
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

    def rendered(key: Hashable, make: Callable[[], bytes]) -> bytes:
        block = memo.get(key)
        if block is None:
            block = memo[key] = make()
        return block

    def session(item: Session, cancelled: bool) -> bytes:
        key = _session_key(history, links, item, cancelled)
        return rendered(
            key, lambda: _session_event(history, links, item, cancelled=cancelled).to_ical()
        )

    def meetup(item: Meetup, cancelled: bool) -> bytes:
        key = _meetup_key(history, links, item, cancelled)
        return rendered(
            key, lambda: _meetup_event(history, links, item, cancelled=cancelled).to_ical()
        )

    events = [
        *(
            session(s, False)
            for s in _ordered(board, board.sessions.values())
            if not s.hidden and sessions(s)
        ),
        *(
            session(s, True)
            for s in _ordered(board, history.gone_sessions.values())
            if not s.hidden and sessions(s) and kept(history.sessions[s.id])
        ),
        *(
            meetup(m, False)
            for m in sorted(board.meetups.values(), key=_meetup_order)
            if meetups(m)
        ),
        *(
            meetup(m, True)
            for m in sorted(history.gone_meetups.values(), key=_meetup_order)
            if meetups(m) and kept(history.meetups[m.id])
        ),
    ]
    zones = rendered(("VTIMEZONE", board.info.timezone), lambda: _timezones(board.info.zone))
    head = calendar.to_ical()
    assert head.endswith(_END)
    body = head[: -len(_END)] + (zones if events else b"") + b"".join(events) + _END
    return Document(body, MEDIA_TYPE, last_modified, fresh_until)


def _timezones(zone: ZoneInfo) -> bytes:
    """
    The C{VTIMEZONE} of C{zone} (none for UTC), as C{icalendar} writes it for an event
    in that zone.
    """
    probe = Calendar()
    event = Event()
    event.add("dtstart", datetime(2000, 1, 1, 12, tzinfo=zone))
    probe.add_component(event)
    probe.add_missing_timezones()
    return b"".join(timezone.to_ical() for timezone in probe.walk("VTIMEZONE"))


def _session_key(history: History, links: Links, session: Session, cancelled: bool) -> Hashable:
    """
    Everything a session's C{VEVENT} shows (not who is going).
    """
    board = history.board
    return (
        "session",
        incarnation(board),
        board.info.timezone,
        links.base,
        session.id,
        history.sessions[session.id],
        cancelled,
        SessionText.of(session),
        board.slot(session.slot),
        board.room(session.room),
    )


def _meetup_key(history: History, links: Links, meetup: Meetup, cancelled: bool) -> Hashable:
    board = history.board
    spot = board.room(meetup.spot) if meetup.spot is not None else None
    return (
        "meetup",
        incarnation(board),
        board.info.timezone,
        links.base,
        meetup,
        history.meetups[meetup.id],
        cancelled,
        spot,
    )


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
