"""
The pages' Klein app: its plumbing (sending pages with their headers, errors, who is
asking) and the attendees' routes (the list of events, the board, a session, "I'm
going", assets).  The other audiences' routes are in L{host_routes},
L{report_routes} and L{screen_routes}, registered on the same app, and in the
sub-apps L{desk_routes} and L{meetup_routes}, one per event.

Every change a form asks for becomes the same board command the JSON API sends, run
through the same store (L{openspace.store.interface.BoardStore.execute}); a refusal
comes back as the form again, with what was typed and the reason next to its field.

Order of checks on every POST: the event exists (404), the form came from this site
(403, nothing changes: L{openspace.web.csrf}), the person may do this (403), then the
board decides.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from attrs import define, field
from klein import Klein, KleinRenderable
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.template import Tag
from werkzeug.exceptions import MethodNotAllowed, NotFound

from openspace.board import free_cells
from openspace.clock import Clock, utc_now
from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    Actor,
    Command,
    SetGoing,
    host,
)
from openspace.fields import ID_ATTENDEE
from openspace.model import Board, Session
from openspace.official.poller import SourceStatus
from openspace.official.sources import pending_statuses
from openspace.store.interface import BoardStore, Outcome, UndoFrom, UndoLast
from openspace.tokens import FacilitatorKey
from openspace.web.assets import Assets, send_compressible, serve_asset
from openspace.web.cancelled import CancelledSessions
from openspace.web.cookies import read_cookie, set_cookie
from openspace.web.csrf import CSRF, CSRFError
from openspace.web.headers import allow_header, security_headers
from openspace.web.live import Live
from openspace.web.pages import attendee
from openspace.web.pages.desk_routes import DeskRoutes
from openspace.web.pages.gone import SessionMissing, cancelled_page, unlisted_page
from openspace.web.pages.html import (
    form_value,
    render,
    session_url,
)
from openspace.web.pages.meetup_routes import MeetupRoutes
from openspace.web.pages.page_error import PageError
from openspace.web.pages.share import QRCodes, share_box
from openspace.web.pages.shared import SharedPages
from openspace.web.sessions import (
    DeskSessions,
    edit_keys,
)
from openspace.webhooks.registry import Webhooks

ATTENDEE_COOKIE = "os_attendee"
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
SESSION_FIELDS = ("title", "description", "host", "tags", "cell")


def origin(request: IRequest) -> str:
    """
    The site's own scheme and host, for links people copy or scan.
    """
    scheme = "https" if request.isSecure() else "http"
    header: bytes | None = request.getHeader(b"host")
    host_name = header.decode("ascii", "replace") if header else ""
    if not _HOST_HEADER.match(host_name):
        address = request.getHost()
        host_name = f"{getattr(address, 'host', 'localhost')}:{getattr(address, 'port', 80)}"
    return f"{scheme}://{host_name}"


def form_values(request: IRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: form_value(request.args, name) for name in names}


def bounded_int(request: IRequest, name: str, default: int, low: int, high: int) -> int:
    """
    A whole-number query argument, clamped to [low, high]; C{default} if absent or bad.
    """
    text = form_value(request.args, name)
    return min(max(int(text), low), high) if text.isdigit() else default


def session_values(session: Session) -> dict[str, str]:
    return {
        "title": session.title,
        "description": session.description,
        "host": session.host,
        "tags": ", ".join(session.tags),
    }


@define
class Pages:
    """
    The HTML side of openspace, bound to one store.
    """

    store: BoardStore
    clock: Clock
    facilitator: FacilitatorKey
    source_statuses: Callable[[Board], Sequence[SourceStatus]] = pending_statuses
    webhooks: Webhooks | None = None
    # The desk's live streams hang from it (L{openspace.web.desk_live}).
    live: Live | None = None
    # CPU work too big for the reactor thread (a day's placement suggestion) runs here.
    offload: Callable[..., Deferred[Any]] = deferToThread
    assets: Assets = field(factory=Assets.load)
    csrf: CSRF = field(init=False)
    desk: DeskSessions = field(init=False)
    cancelled: CancelledSessions = field(init=False)
    shared: SharedPages = field(factory=SharedPages, init=False)
    """The board, kiosks and door screens, rendered once: see L{screen_routes}."""
    qr_codes: QRCodes = field(factory=QRCodes, init=False)
    """The session pages' QR codes, made once per address."""

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        self.csrf = CSRF(self.facilitator.derive("csrf"))
        self.desk = DeskSessions(self.facilitator, self.clock)
        self.cancelled = CancelledSessions(self.store)

    # --- plumbing ---

    async def send(
        self,
        request: IRequest,
        page: Tag,
        status: int = 200,
        *,
        frameable: bool = False,
        private: bool = False,
    ) -> bytes:
        """
        Render C{page} with the security headers; C{private} pages (edit keys) are never
        stored or compressed (compressing a secret next to reflected input invites BREACH).
        """
        request.setResponseCode(status)
        security_headers(request, frameable=frameable)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        body = await render(page)
        if private:
            request.setHeader(b"cache-control", b"no-store")
            return body
        request.setHeader(b"cache-control", b"no-cache, private")
        return send_compressible(request, body)

    def redirect(self, request: IRequest, location: str) -> bytes:
        request.setResponseCode(303)
        security_headers(request)
        request.setHeader(b"location", location.encode("utf-8"))
        request.setHeader(b"cache-control", b"no-store")
        return b""

    @app.handle_errors(PageError)
    async def _page_error(self, request: IRequest, failure: Failure) -> bytes:
        error = failure.value
        assert isinstance(error, PageError)
        page = attendee.message_page(self.assets, error.board, error.title, error.text)
        return await self.send(request, page, error.status)

    @app.handle_errors(SessionMissing)
    async def _session_missing(self, request: IRequest, failure: Failure) -> bytes:
        """
        A session that left the board: 410 if it was cancelled, "no longer listed" if a
        facilitator hid it (L{openspace.web.pages.gone}).
        """
        missing = failure.value
        assert isinstance(missing, SessionMissing)
        board = missing.board
        if missing.hidden:
            return await self.send(request, unlisted_page(self.assets, board), 404)
        session = await self.cancelled.find(board, missing.session_id)
        if session is None:
            page = attendee.message_page(
                self.assets, board, "Not found", "There is no such session."
            )
            return await self.send(request, page, 404)
        free = session.cell in free_cells(board, utc_now(self.clock))
        return await self.send(request, cancelled_page(self.assets, board, session, free), 410)

    @app.handle_errors(CSRFError)
    async def _csrf_error(self, request: IRequest, failure: Failure) -> bytes:
        page = attendee.message_page(
            self.assets,
            None,
            "Please try again",
            "This form was too old or did not come from this site, so nothing was changed. "
            "Go back, reload the page and send it again.",
        )
        return await self.send(request, page, 403)

    @app.handle_errors(NotFound)
    async def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        page = attendee.message_page(self.assets, None, "Not found", "There is no such page.")
        return await self.send(request, page, 404)

    @app.handle_errors(MethodNotAllowed)
    async def _bad_method(self, request: IRequest, failure: Failure) -> bytes:
        allow_header(request, failure)
        page = attendee.message_page(
            self.assets, None, "Not allowed", "This page cannot be used that way."
        )
        return await self.send(request, page, 405)

    async def board(self, slug: str) -> Board:
        board = await self.store.board(slug)
        if board is None:
            raise PageError(404, "Not found", f"There is no event called “{slug}”.")
        return board

    def session(self, board: Board, session_id: str, *, hidden_ok: bool = False) -> Session:
        session = board.sessions.get(session_id)
        if session is None or (session.hidden and not hidden_ok):
            raise SessionMissing(board, session_id, hidden=session is not None)
        return session

    async def execute(
        self, board: Board, command: Command | UndoLast | UndoFrom, actor: Actor
    ) -> Outcome:
        return await self.store.execute(board.info.slug, command, actor, utc_now(self.clock))

    def actor(self, request: IRequest, presented: str | None = None) -> Actor:
        if self.desk.signed_in(request):
            return FACILITATOR
        return host(edit_keys(request, presented))

    def owner_only(self, board: Board, session: Session, actor: Actor) -> None:
        if not actor.owns(session):
            raise PageError(
                403,
                "Only the host can change this",
                "This session can only be changed with its private edit link, or from the "
                "phone it was proposed on.",
                board,
            )

    # --- reading ---

    @app.route("/", methods=["GET"])
    async def home(self, request: IRequest) -> bytes:
        slugs = await self.store.slugs()
        boards = [board for slug in slugs if (board := await self.store.board(slug)) is not None]
        return await self.send(request, attendee.home_page(self.assets, boards))

    @app.route("/static/<file_name>", methods=["GET"])
    def static(self, request: IRequest, file_name: str) -> bytes:
        security_headers(request)
        return serve_asset(request, self.assets, file_name)

    @app.route("/favicon.ico", methods=["GET"])
    def favicon(self, request: IRequest) -> bytes:
        # Browsers ask for it whatever the page links: answer rather than log a 404.
        security_headers(request)
        return serve_asset(request, self.assets, self.assets.url("favicon.ico").rsplit("/")[-1])

    @app.route("/e/<slug>", methods=["GET"])
    def board_without_slash(self, request: IRequest, slug: str) -> bytes:
        return self.redirect(request, f"/e/{slug}/")

    @app.route("/e/<slug>/s/<session_id>", methods=["GET"])
    async def session_page(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board = await self.board(slug)
        session = self.session(board, session_id)
        page = self.session_view(request, board, session, self.actor(request).owns(session))
        return await self.send(request, page)

    def session_view(
        self,
        request: IRequest,
        board: Board,
        session: Session,
        can_edit: bool,
        notice: Tag | str = "",
    ) -> Tag:
        link = origin(request) + session_url(board, session.id)
        return attendee.session_page(
            self.assets,
            board,
            session,
            self.csrf.token(request),
            read_cookie(request, ATTENDEE_COOKIE),
            can_edit=can_edit,
            share=share_box(link, self.qr_codes(link)),
            notice=notice,
        )

    # --- attendees ---

    @app.route("/e/<slug>/going", methods=["POST"])
    async def going(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        self.csrf.check(request)
        joining = form_value(request.args, "join")
        session_id = joining or form_value(request.args, "leave")
        self.session(board, session_id)
        person = self.attendee_id(request)
        await self.execute(board, SetGoing(session_id, person, bool(joining)), ATTENDEE)
        back = form_value(request.args, "back")
        if not back.startswith(f"/e/{slug}/") or "//" in back:
            back = f"/e/{slug}/"
        return self.redirect(request, back)

    def attendee_id(self, request: IRequest) -> str:
        """
        This browser's anonymous attendee id, made (and kept in a cookie) if need be.
        """
        person = read_cookie(request, ATTENDEE_COOKIE)
        if person is None or not ID_ATTENDEE.match(person):
            person = secrets.token_urlsafe(12)
            # Readable by the board's script, which keeps the same id for its API calls.
            set_cookie(request, ATTENDEE_COOKIE, person, max_age=365 * 24 * 3600, http_only=False)
        return person

    # --- sub-apps ---

    @app.route("/e/<slug>/m", branch=True)
    def meetup_branch(self, request: IRequest, slug: str) -> KleinRenderable:
        """
        A meetup's own page (see L{openspace.web.pages.meetup_routes}).
        """
        return MeetupRoutes(self, slug).app.resource()

    @app.route("/e/<slug>/desk", branch=True)
    def desk_branch(self, request: IRequest, slug: str) -> KleinRenderable:
        """
        Everything under the desk (see L{openspace.web.pages.desk_routes}).
        """
        return DeskRoutes(self, slug).app.resource()


# The routes of hosts, reports and screens live in modules of their own, one per
# audience, registered on the same Klein app when they are imported.
from openspace.web.pages import host_routes, report_routes, screen_routes  # noqa: E402, F401
