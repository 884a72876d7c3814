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

from collections.abc import Callable
from datetime import datetime, timedelta

from twisted.web.iweb import IRequest

from openspace.board import free_cells
from openspace.clock import utc_now
from openspace.model import Board
from openspace.web.cookies import read_cookie
from openspace.web.errors import write_json
from openspace.web.pages import attendee
from openspace.web.pages import kiosk as kiosk_pages
from openspace.web.pages.app import (
    ATTENDEE_COOKIE,
    Pages,
    bounded_int,
    origin,
)
from openspace.web.pages.filters import BoardFilter
from openspace.web.pages.html import form_value, propose_url
from openspace.web.pages.page_error import PageError
from openspace.web.pages.shared import View
from openspace.web.pages.timeline import stale_in

app = Pages.app


def _kiosk_until(board: Board, now: datetime) -> datetime:
    """
    When a kiosk's bytes go stale by the clock alone: its view changes, or (for the
    clock it shows without JavaScript) the minute turns.
    """
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min(now + timedelta(seconds=stale_in(board, now)), minute)


def board_view(pages: Pages, request: IRequest, board: Board) -> View:
    """
    The board; its bytes also depend on the schedule sources that fail, and on the
    grid's day (C{?day=}) and the filter (C{?tag=}, C{?q=}) asked for: each is one more
    shared rendering, filters on the cache's shelf for searches.
    """
    sources = pages.source_statuses(board)
    failing = tuple((s.url, s.status, s.last_success) for s in sources if s.status == "stale")
    board_filter = BoardFilter.from_args(request.args)
    day = form_value(request.args, "day")
    if day and not any(d.isoformat() == day for d in board.days()):
        day = ""
    return View(
        ("board", board.info.slug, day, board_filter),
        failing,
        lambda now: attendee.board_page(pages.assets, board, now, sources, board_filter, day),
        lambda now: now + timedelta(seconds=stale_in(board, now)),
        search=board_filter.active,
    )


def kiosk_view(pages: Pages, request: IRequest, board: Board) -> View:
    """
    The kiosk, or with C{?room=id} one room's door screen.  C{?refresh=N} (seconds
    between checks for changes while the live connection is down) and C{?rotate=N}
    (seconds per page of rooms) tune it.  Their QR codes hold the address asked at.

    @raise PageError: 404 for a room that is not on the board.
    """
    slug = board.info.slug
    refresh = bounded_int(request, "refresh", 20, 2, 300)
    site = origin(request)
    board_link = f"{site}/e/{slug}/"
    room_id = form_value(request.args, "room")
    if room_id:
        room = next((r for r in kiosk_pages.kiosk_rooms(board) if r.id == room_id), None)
        if room is None:
            raise PageError(404, "Not found", "There is no such room.", board)
        claim = f"{site}/e/{slug}/claim/{room.id}"
        return View(
            ("door", slug, site, room.id, refresh),
            None,
            lambda now: kiosk_pages.door_page(
                pages.assets, board, now, room, board_link, claim, refresh=refresh
            ),
            lambda now: _kiosk_until(board, now),
            frameable=True,
        )
    rotate = bounded_int(request, "rotate", 12, 3, 120)
    return View(
        ("kiosk", slug, site, refresh, rotate),
        None,
        lambda now: kiosk_pages.kiosk_page(
            pages.assets, board, now, board_link, refresh=refresh, rotate=rotate
        ),
        lambda now: _kiosk_until(board, now),
        frameable=True,
    )


SHARED_VIEWS: dict[bytes, Callable[[Pages, IRequest, Board], View]] = {
    b"": board_view,
    b"kiosk": kiosk_view,
}
"""
The shared pages by the last part of their path, C{/e/<slug>/<part>}.
"""


@app.route("/e/<slug>/", methods=["GET"])
async def board_page(pages: Pages, request: IRequest, slug: str) -> bytes:
    """
    The board: the same bytes for everyone, from L{SharedPages} (ETag, 304).
    """
    board = await pages.board(slug)
    view = board_view(pages, request, board)
    return await pages.shared.serve(request, view, board, utc_now(pages.clock))


@app.route("/e/<slug>/kiosk", methods=["GET"])
async def kiosk(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    view = kiosk_view(pages, request, board)
    return await pages.shared.serve(request, view, board, utc_now(pages.clock))


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
    return visitor_state(pages, request, await pages.board(slug))


def visitor_state(pages: Pages, request: IRequest, board: Board) -> bytes:
    """
    The visitor's own state on this board, for the scripts of its shared pages:
    C{{"going": [session ids], "own": [session ids they may edit]}}.
    """
    person = read_cookie(request, ATTENDEE_COOKIE)
    actor = pages.actor(request)
    sessions = board.sessions.values()
    going = [s.id for s in sessions if person in s.going] if person is not None else []
    own = [s.id for s in sessions if actor.owns(s)] if actor.privileged or actor.keys else []
    # The security headers are the site's request's (openspace.web.hardened).
    request.setHeader(b"cache-control", b"no-store, private")
    return write_json(request, 200, {"going": going, "own": own})
