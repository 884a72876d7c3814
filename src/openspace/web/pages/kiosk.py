"""
The kiosk: a 1920×1080 screen seen from three metres, and the door screen of one room.

Huge type, no interaction: the clock, "Now" and "Next" per room, hallway meetups and a
QR code (made here with segno, as SVG) that takes phones to the board.  Rooms that do
not fit on one screen are split into balanced pages (5 rooms: 3 and 2, never 4 and 1),
each saying "Page 2 of 3", that C{static/kiosk.js} rotates.  Nothing scrolls and nothing
is cut off at 16:9 or 9:16: the kiosk section of C{static/site.css} scales the type to
each tile and clamps long titles to a few lines (their full text is in the line's
C{title} and on the session page).  The door screen (C{?room=…}) shows one room and,
when it has a free slot, a QR code to the propose form preset to that cell.
"""

from __future__ import annotations

from datetime import datetime

import segno
from twisted.web.template import Tag, tags

from openspace.board import free_cells
from openspace.model import Board, Room, RoomKind, Session, Slot
from openspace.web.assets import Assets
from openspace.web.pages.attendee import hallway
from openspace.web.pages.html import (
    document,
    fill_badge,
    hm,
    live_attrs,
    main_tag,
    shown_if,
    span_attrs,
)
from openspace.web.pages.official import talk_rooms_now

ROOMS_PER_PAGE = 4
KIOSK_SCRIPTS = ("common.js", "screen.js", "kiosk.js", "live.js")


def qr_image(url: str, alt: str) -> Tag:
    """
    A QR code for C{url} as an SVG data URI: no file, no script, allowed by the CSP.
    """
    uri = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return tags.img(class_="qr", src=uri, alt=alt)


def _line(
    board: Board, room_id: str, slot: Slot, session: Session | None, free: bool, role: str
) -> Tag:
    """
    What one room holds in one slot, as its tile shows it when that slot is on now
    (C{role} C{"now"}), next (C{"next"}) or not yet (C{""}: hidden).
    """
    at = hm(slot.start, board.info.zone)
    tag = tags.span(class_="tag" if role == "now" else "tag next-tag")(
        "Now" if role == "now" else f"Next {at}"
    )
    attributes = {
        "class": role or "next",
        # For the scripts: the capacity badge follows "going" (C{static/screen.js}).
        **({"data-session-id": session.id} if session else {}),
        "data-slot": slot.id,
        "data-frag": f"line:{room_id}/{slot.id}",
        "data-hm": at,
        "data-free": "1" if free else "0",
        **span_attrs(slot.start, slot.end),
    }
    shown: list[Tag | str] = ["Free"]
    if session is not None:
        attributes["title"] = f"{session.title} — {session.host}"
        badge = fill_badge(len(session.going), board.room(session.room))
        # Before the title, which may be clamped: how full it is must always show.
        shown = [badge, " " if badge else "", tags.strong(session.title), f" — {session.host}"]
    return shown_if(tags.p(**attributes)(tag, *shown), bool(role))


def kiosk_line(
    board: Board, room_id: str, slot: Slot, session: Session | None, free: bool, now: datetime
) -> Tag:
    """
    One line of a room's tile, as L{room_tile} renders it at C{now}.
    """
    role = ""
    if slot.start <= now:
        role = "now"
    elif slot is next((s for s in board.slots if s.start > now), None):
        role = "next"
    return _line(board, room_id, slot, session, free, role)


def room_tile(board: Board, room: Room, now: datetime) -> Tag:
    """
    One room's tile: its name and, for every slot not over at C{now}, what it holds.
    Rendered for the page and once per change for every open kiosk
    (L{openspace.web.pages.fragments}); C{static/screen.js} shows the slot on now and
    the next one as the clock moves on.
    """
    visible = {s.slot: s for s in board.visible_sessions() if s.room == room.id}
    free = {cell.slot for cell in free_cells(board, now) if cell.room == room.id}
    lines = []
    current: Slot | None = None
    upcoming: Slot | None = None
    for slot in board.slots:
        if slot.end <= now:
            continue
        if slot.start <= now:
            current, role = slot, "now"
        elif upcoming is None:
            upcoming, role = slot, "next"
        else:
            role = ""
        lines.append(_line(board, room.id, slot, visible.get(slot.id), slot.id in free, role))
    idle = tags.p(class_="now", **{"data-idle": ""})(tags.span(class_="tag")("Now"), "Free")
    return tags.section(class_="room", **{"data-room": room.id, "data-frag": f"room:{room.id}"})(
        tags.h2(title=room.name)(room.name),
        tags.p(class_="where", title=room.where)(room.where) if room.where else "",
        shown_if(idle, current is None),
        lines,
    )


def page_sizes(count: int, most: int = ROOMS_PER_PAGE) -> list[int]:
    """
    How many of C{count} rooms each page holds: as few pages as C{most} rooms a page
    allow, as even as can be (5 rooms: 3 and 2; 9: 3, 3 and 3), fuller pages first.
    """
    pages = max(1, -(-count // most))
    even, extra = divmod(count, pages)
    return [even + (index < extra) for index in range(pages)]


def room_pages(board: Board, now: datetime) -> Tag:
    """
    The kiosk's rooms as balanced pages; rendered for the page and, when the layout
    changes, for every open kiosk (L{openspace.web.pages.fragments}).
    """
    rooms = kiosk_rooms(board)
    sizes = page_sizes(len(rooms))
    pages = []
    start = 0
    for index, size in enumerate(sizes):
        tiles = [room_tile(board, r, now) for r in rooms[start : start + size]]
        start += size
        pages.append(
            tags.div(class_="page", **{"data-page": str(index)})(
                tags.div(class_="tiles", **{"data-rooms": str(size)})(tiles),
                tags.p(class_="page-no")(f"Page {index + 1} of {len(sizes)}")
                if len(sizes) > 1
                else "",
            )
        )
    return tags.div(class_="rooms", **{"data-frag": "rooms"})(pages)


def _frame(
    assets: Assets,
    board: Board,
    now: datetime,
    title: str,
    qr: Tag,
    scan: str,
    body: list[Tag | str],
    *,
    refresh: int,
    rotate: int,
    door: bool = False,
) -> Tag:
    zone = board.info.zone
    main = main_tag(
        id="kiosk",
        **live_attrs(board, refresh=refresh, rotate=rotate),
        **{"data-timezone": board.info.timezone},
    )(
        tags.header(
            tags.h1(title=title)(title),
            # Not a <p>: big bold type that is no heading (axe's p-as-heading).
            tags.div(class_="clock")(
                tags.time(datetime=now.astimezone(zone).isoformat())(hm(now, zone))
            ),
            qr,
            tags.p(class_="scan")(scan),
        ),
        body,
    )
    return document(
        assets,
        title,
        main,
        scripts=KIOSK_SCRIPTS,
        body_class="kiosk door" if door else "kiosk",
    )


def kiosk_page(
    assets: Assets, board: Board, now: datetime, board_link: str, *, refresh: int, rotate: int
) -> Tag:
    return _frame(
        assets,
        board,
        now,
        board.info.name,
        qr_image(board_link, f"QR code: the board at {board_link}"),
        "Scan for the board, to star sessions or propose one",
        [
            room_pages(board, now),
            # One footer row of the kiosk's grid for both lists.
            tags.div(class_="lists")(hallway(board, now), talk_rooms_now(board, now)),
        ],
        refresh=refresh,
        rotate=rotate,
    )


def door_page(
    assets: Assets,
    board: Board,
    now: datetime,
    room: Room,
    board_link: str,
    claim_link: str,
    *,
    refresh: int,
) -> Tag:
    """
    One room's door screen.  C{claim_link} takes a phone to the propose form for the
    room's next free slot at the moment it is scanned, so the QR code never changes.
    """
    free = next((board.slot(c.slot) for c in free_cells(board, now) if c.room == room.id), None)
    when = ""
    if free is not None:
        when = "now" if free.start <= now else f"from {hm(free.start, board.info.zone)}"
    claim = shown_if(
        tags.div(class_="claim", **{"data-claim": ""})(
            qr_image(claim_link, "QR code: propose a session in this room"),
            tags.p(tags.strong(f"Free {when}"), " — scan to claim"),
        ),
        free is not None,
    )
    body: list[Tag | str] = [
        tags.div(class_="rooms")(
            tags.div(class_="page")(
                tags.div(class_="tiles", **{"data-rooms": "1"})(room_tile(board, room, now))
            )
        ),
        claim,
    ]
    return _frame(
        assets,
        board,
        now,
        f"{room.name} — {board.info.name}",
        qr_image(board_link, f"QR code: the board at {board_link}"),
        "Scan for the whole board",
        body,
        refresh=refresh,
        rotate=0,
        door=True,
    )


def kiosk_rooms(board: Board) -> tuple[Room, ...]:
    """
    The rooms a kiosk shows (hallway spots have no slots to show).
    """
    return tuple(room for room in board.rooms if room.kind is RoomKind.room)
