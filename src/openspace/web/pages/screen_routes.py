"""
The routes of screens and of the visitor's own state.

Kiosks and door screens are shared pages (L{openspace.web.pages.shared}): rendered once
per board state, address and settings, served from memory with an C{ETag}.  A door
screen's QR code leads to C{/e/{slug}/claim/{room}}, which picks the room's next free
slot when it is scanned, so the code (and the page) need not change when a slot fills.

C{/e/{slug}/me} is the one small per-visitor request of a shared page: which sessions
the visitor is going to and which are theirs to edit.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta

from twisted.web.iweb import IRequest

from openspace.board import free_cells
from openspace.clock import utc_now
from openspace.model import Board
from openspace.web.cookies import read_cookie
from openspace.web.errors import write_json
from openspace.web.headers import security_headers
from openspace.web.pages import kiosk as kiosk_pages
from openspace.web.pages.app import (
    ATTENDEE_COOKIE,
    PageError,
    Pages,
    bounded_int,
    origin,
)
from openspace.web.pages.html import form_value, propose_url, render
from openspace.web.pages.timeline import stale_in

app = Pages.app


def _kiosk_until(board: Board, now: datetime) -> datetime:
    """
    When a kiosk's bytes go stale by the clock alone: its view changes, or (for the
    clock it shows without JavaScript) the minute turns.
    """
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min(now + timedelta(seconds=stale_in(board, now)), minute)


@app.route("/e/<slug>/kiosk", methods=["GET"])
async def kiosk(pages: Pages, request: IRequest, slug: str) -> bytes:
    """
    The kiosk, or with C{?room=id} one room's door screen.  C{?refresh=N} (seconds
    between checks for changes while the live connection is down) and C{?rotate=N}
    (seconds per page of rooms) tune it.
    """
    board = await pages.board(slug)
    now = utc_now(pages.clock)
    refresh = bounded_int(request, "refresh", 20, 2, 300)
    site = origin(request)
    board_link = f"{site}/e/{slug}/"
    room_id = form_value(request.args, "room")
    if room_id:
        room = next((r for r in kiosk_pages.kiosk_rooms(board) if r.id == room_id), None)
        if room is None:
            raise PageError(404, "Not found", "There is no such room.", board)
        claim = f"{site}/e/{slug}/claim/{room.id}"

        async def door() -> bytes:
            return await render(
                kiosk_pages.door_page(
                    pages.assets, board, now, room, board_link, claim, refresh=refresh
                )
            )

        key: Hashable = ("door", slug, site, room.id, refresh)
        return await pages.shared.serve(
            request, key, board, None, now, _kiosk_until(board, now), door, frameable=True
        )
    rotate = bounded_int(request, "rotate", 12, 3, 120)

    async def screen() -> bytes:
        return await render(
            kiosk_pages.kiosk_page(
                pages.assets, board, now, board_link, refresh=refresh, rotate=rotate
            )
        )

    key = ("kiosk", slug, site, refresh, rotate)
    return await pages.shared.serve(
        request, key, board, None, now, _kiosk_until(board, now), screen, frameable=True
    )


@app.route("/e/<slug>/claim/<room_id>", methods=["GET"])
async def claim(pages: Pages, request: IRequest, slug: str, room_id: str) -> bytes:
    """
    The propose form for C{room_id}'s next free slot (a door screen's QR code).
    """
    board = await pages.board(slug)
    now = utc_now(pages.clock)
    cell = next((c for c in free_cells(board, now) if c.room == room_id), None)
    if cell is None:
        return pages.redirect(request, propose_url(board))
    return pages.redirect(request, propose_url(board, cell.room, cell.slot))


@app.route("/e/<slug>/me", methods=["GET"])
async def me(pages: Pages, request: IRequest, slug: str) -> bytes:
    """
    The visitor's own state on this board, for the scripts of its shared pages:
    C{{"going": [session ids], "own": [session ids they may edit]}}.
    """
    board = await pages.board(slug)
    person = read_cookie(request, ATTENDEE_COOKIE)
    actor = pages.actor(request)
    going = [s.id for s in board.sessions.values() if person is not None and person in s.going]
    own = [s.id for s in board.sessions.values() if actor.owns(s)]
    security_headers(request)
    request.setHeader(b"cache-control", b"no-store, private")
    return write_json(request, 200, {"going": going, "own": own})
