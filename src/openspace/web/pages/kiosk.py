"""
The kiosk: a 1920×1080 screen seen from three metres, and the door screen of one room.

Huge type, no interaction: the clock, "Now" and "Next" per room, hallway meetups and a
QR code (made here with segno, as SVG) that takes phones to the board.  Rooms that do
not fit on one screen are split into pages that C{static/kiosk.js} rotates; nothing
scrolls.  The door screen (C{?room=…}) shows one room and, when it has a free slot, a QR
code to the propose form preset to that cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import segno
from twisted.web.template import Tag, tags

from openspace.model import Board, Session, Slot
from openspace.web.assets import Assets
from openspace.web.pages.attendee import hallway
from openspace.web.pages.html import document, fill_badge, hm, live_attrs, main_tag
from openspace.web.pages.official import talk_rooms_now
from openspace.web.pages.timeline import RoomNow, rooms_now, stale_in

ROOMS_PER_PAGE = 4
KIOSK_SCRIPTS = ("common.js", "kiosk.js", "live.js")


def qr_image(url: str, alt: str) -> Tag:
    """
    A QR code for C{url} as an SVG data URI: no file, no script, allowed by the CSP.
    """
    uri = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return tags.img(class_="qr", src=uri, alt=alt)


def _session_line(session: Session | None, slot: Slot | None, board: Board, label: str) -> Tag:
    css = "now" if label == "Now" else "next"
    tag = tags.span(class_="tag" if label == "Now" else "tag next-tag")(
        label if slot is None else f"{label} {hm(slot.start, board.info.zone)}"
    )
    if session is None:
        return tags.p(class_=css)(tag, "Free")
    room = board.room(session.room)
    return tags.p(class_=css, **{"data-session-id": session.id})(
        tag,
        tags.strong(session.title),
        f" — {session.host} ",
        fill_badge(len(session.going), room),
    )


def _room_tile(board: Board, shown: RoomNow) -> Tag:
    return tags.section(class_="room", **{"data-room": shown.room.id})(
        tags.h2(shown.room.name),
        tags.p(class_="where")(shown.room.where) if shown.room.where else "",
        _session_line(shown.now, None, board, "Now"),
        _session_line(shown.next, shown.next_slot, board, "Next")
        if shown.next_slot is not None
        else "",
    )


def _pages(board: Board, rooms: Sequence[RoomNow]) -> list[Tag]:
    pages = []
    for start in range(0, max(len(rooms), 1), ROOMS_PER_PAGE):
        tiles = [_room_tile(board, r) for r in rooms[start : start + ROOMS_PER_PAGE]]
        pages.append(tags.div(class_="page", **{"data-page": str(start // ROOMS_PER_PAGE)})(tiles))
    return pages


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
        **live_attrs(board, stale_in=stale_in(board, now), refresh=refresh, rotate=rotate),
        **{"data-timezone": board.info.timezone, "data-now": str(int(now.timestamp() * 1000))},
    )(
        tags.header(
            tags.h1(title),
            tags.p(class_="clock")(
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
    rooms = rooms_now(board, now)
    return _frame(
        assets,
        board,
        now,
        board.info.name,
        qr_image(board_link, f"QR code: the board at {board_link}"),
        "Scan for the board, to star sessions or propose one",
        [
            tags.div(class_="rooms")(_pages(board, rooms)),
            # One footer row of the kiosk's grid for both lists.
            tags.div(hallway(board, now), talk_rooms_now(board, now)),
        ],
        refresh=refresh,
        rotate=rotate,
    )


def door_page(
    assets: Assets,
    board: Board,
    now: datetime,
    shown: RoomNow,
    board_link: str,
    claim_link: str | None,
    *,
    refresh: int,
) -> Tag:
    free = shown.free_slot
    claim: Tag | str = ""
    if free is not None and claim_link is not None:
        when = "now" if free.start <= now else f"from {hm(free.start, board.info.zone)}"
        claim = tags.div(class_="claim")(
            qr_image(claim_link, f"QR code: propose a session here, {when}"),
            tags.p(tags.strong(f"Free {when}"), " — scan to claim"),
        )
    body: list[Tag | str] = [
        tags.div(class_="rooms")(tags.div(class_="page")(_room_tile(board, shown))),
        claim,
    ]
    return _frame(
        assets,
        board,
        now,
        f"{shown.room.name} — {board.info.name}",
        qr_image(board_link, f"QR code: the board at {board_link}"),
        "Scan for the whole board",
        body,
        refresh=refresh,
        rotate=0,
        door=True,
    )
