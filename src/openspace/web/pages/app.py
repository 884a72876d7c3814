"""
The pages' routes: the Klein app that serves HTML, forms and assets.

Every change a form asks for becomes the same board command the JSON API sends, run
through the same store (L{openspace.store.interface.BoardStore.execute}); a refusal
comes back as the form again, with what was typed and the reason next to its field.

Order of checks on every POST: the event exists (404), the CSRF token matches (403,
nothing changes), the person may do this (403), then the board decides.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
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
    CancelSession,
    Command,
    EditSession,
    FileReport,
    MoveSession,
    ProposeSession,
    Refused,
    SetGoing,
    StartMeetup,
    SwapSessions,
    host,
)
from openspace.fields import ID_ATTENDEE
from openspace.model import Board, Session
from openspace.official.poller import SourceStatus
from openspace.official.sources import pending_statuses
from openspace.store.interface import BoardStore, Outcome, UndoFrom, UndoLast
from openspace.text import clean
from openspace.tokens import FacilitatorKey, digest, new_edit_key
from openspace.web.assets import Assets, send_compressible, serve_asset
from openspace.web.cancelled import CancelledSessions
from openspace.web.cookies import read_cookie, set_cookie
from openspace.web.csrf import CSRF, CSRFError
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.headers import allow_header, security_headers
from openspace.web.pages import attendee
from openspace.web.pages import host as host_pages
from openspace.web.pages import kiosk as kiosk_pages
from openspace.web.pages.desk_routes import DeskRoutes
from openspace.web.pages.form_checks import (
    MEETUP_LABELS,
    cell_errors,
    meetup_errors,
    refusal_errors,
    session_errors,
    split_tags,
)
from openspace.web.pages.gone import SessionMissing, cancelled_page, unlisted_page
from openspace.web.pages.html import (
    Errors,
    cell_value,
    form_value,
    propose_url,
    render,
    split_cell,
)
from openspace.web.pages.meetup_routes import (
    MeetupRoutes,
)
from openspace.web.pages.page_error import PageError
from openspace.web.pages.report_page import report_page
from openspace.web.pages.timeline import rooms_now
from openspace.web.sessions import (
    DeskSessions,
    edit_key,
    edit_keys,
    forget_just_proposed,
    just_proposed,
    remember_edit_key,
    remember_just_proposed,
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
    # CPU work too big for the reactor thread (a day's placement suggestion) runs here.
    offload: Callable[..., Deferred[Any]] = deferToThread
    assets: Assets = field(factory=Assets.load)
    csrf: CSRF = field(init=False)
    desk: DeskSessions = field(init=False)
    cancelled: CancelledSessions = field(init=False)

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

    @app.route("/e/<slug>/", methods=["GET"])
    async def board_page(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        page = attendee.board_page(
            self.assets,
            board,
            utc_now(self.clock),
            self.csrf.token(request),
            read_cookie(request, ATTENDEE_COOKIE),
            self.source_statuses(board),
        )
        return await self.send(request, page)

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
        return attendee.session_page(
            self.assets,
            board,
            session,
            self.csrf.token(request),
            read_cookie(request, ATTENDEE_COOKIE),
            can_edit=can_edit,
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

    # --- hosts ---

    @app.route("/e/<slug>/propose", methods=["GET"])
    async def propose_form(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        room, slot = form_value(request.args, "room"), form_value(request.args, "slot")
        values = {"cell": cell_value(room, slot)} if room and slot else {}
        return await self.propose_again(request, board, values, {})

    async def propose_again(
        self,
        request: IRequest,
        board: Board,
        values: Mapping[str, str],
        errors: Errors,
        status: int = 200,
    ) -> bytes:
        page = host_pages.propose_page(
            self.assets, board, utc_now(self.clock), self.csrf.token(request), values, errors
        )
        return await self.send(request, page, status)

    @app.route("/e/<slug>/propose", methods=["POST"])
    async def propose(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        self.csrf.check(request)
        values = form_values(request, SESSION_FIELDS)
        errors = session_errors(values)
        room, slot = split_cell(values["cell"])
        if errors:
            if slot:
                check = ProposeSession("t", "", "h", (), room, slot, owner="")
                errors.update(cell_errors(board, check, ATTENDEE, utc_now(self.clock)))
            return await self.propose_again(request, board, values, errors, 422)
        # A host who already has a key (this browser) keeps it: one key, all their sessions.
        key = edit_key(request) or new_edit_key()
        command = ProposeSession(
            title=values["title"],
            description=values["description"],
            host=values["host"],
            tags=split_tags(values["tags"]),
            room=room,
            slot=slot,
            owner=digest(key),
        )
        try:
            outcome = await self.execute(board, command, self.actor(request, key))
        except Refused as refusal:
            board = await self.board(slug)
            mine = self.same_proposal(board, refusal, key, values["title"])
            if mine is not None:
                # The same form sent twice (a double tap, "resend" after going back).
                return self.redirect(request, f"/e/{slug}/s/{mine.id}/proposed")
            # Show the board as it is now: the cell may have been taken meanwhile.
            return await self.propose_again(
                request,
                board,
                values,
                refusal_errors(refusal),
                STATUS_OF_CODE.get(refusal.code, 422),
            )
        remember_edit_key(request, slug, key)
        session_id = outcome.decision.ids[0]
        remember_just_proposed(request, slug, session_id)
        # Post/Redirect/Get: reloading the next page shows it again, never proposes again.
        return self.redirect(request, f"/e/{slug}/s/{session_id}/proposed")

    def same_proposal(self, board: Board, refusal: Refused, key: str, title: str) -> Session | None:
        """
        The session this browser already proposed in the refused cell with this title.
        """
        holder = board.sessions.get(str(refusal.details.get("session", "")))
        if refusal.code != "cell_taken" or holder is None:
            return None
        if not hmac.compare_digest(holder.owner, digest(key)):
            return None
        return holder if holder.title == clean(title) else None

    @app.route("/e/<slug>/s/<session_id>/proposed", methods=["GET"])
    async def proposed(self, request: IRequest, slug: str, session_id: str) -> bytes:
        """
        The page after proposing: the private edit link the first time, then "your
        session is on the board" (the link is in this browser's cookie, not shown again).
        """
        board = await self.board(slug)
        session = self.session(board, session_id, hidden_ok=True)
        key = edit_key(request)
        if key is None or not hmac.compare_digest(session.owner, digest(key)):
            return self.redirect(request, f"/e/{slug}/s/{session_id}")
        if just_proposed(request) == session_id:
            forget_just_proposed(request, slug)
            link = f"{origin(request)}/e/{slug}/s/{session.id}/edit?key={key}"
            notice = host_pages.edit_link_notice(link)
        else:
            notice = host_pages.on_the_board_notice(board, session)
        page = host_pages.proposed_page(self.assets, board, session, notice)
        return await self.send(request, page, private=True)

    async def edit_again(
        self,
        request: IRequest,
        board: Board,
        session: Session,
        actor: Actor,
        values: Mapping[str, str],
        errors: Errors,
        status: int = 200,
    ) -> bytes:
        others = [
            s for s in board.visible_sessions() if s.id != session.id and actor.holds(s.owner)
        ]
        page = host_pages.edit_page(
            self.assets,
            board,
            session,
            utc_now(self.clock),
            self.csrf.token(request),
            values,
            errors,
            others,
        )
        return await self.send(request, page, status)

    @app.route("/e/<slug>/s/<session_id>/edit", methods=["GET"])
    async def edit_form(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board = await self.board(slug)
        session = self.session(board, session_id, hidden_ok=True)
        presented = form_value(request.args, "key") or None
        actor = self.actor(request, presented)
        self.owner_only(board, session, actor)
        if presented is not None:
            # Keep the key in a cookie and out of the address bar (and history, screenshots).
            if hmac.compare_digest(session.owner, digest(presented)):
                remember_edit_key(request, slug, presented)
            return self.redirect(request, f"/e/{slug}/s/{session_id}/edit")
        return await self.edit_again(request, board, session, actor, session_values(session), {})

    async def _owned(
        self, request: IRequest, slug: str, session_id: str
    ) -> tuple[Board, Session, Actor]:
        board = await self.board(slug)
        session = self.session(board, session_id, hidden_ok=True)
        self.csrf.check(request)
        actor = self.actor(request)
        self.owner_only(board, session, actor)
        return board, session, actor

    @app.route("/e/<slug>/s/<session_id>/edit", methods=["POST"])
    async def edit(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board, session, actor = await self._owned(request, slug, session_id)
        values = form_values(request, SESSION_FIELDS)
        errors = session_errors(values, cell_needed=False)
        room, slot = split_cell(values["cell"])
        if errors:
            if slot:
                check = MoveSession(session_id, room, slot)
                errors.update(cell_errors(board, check, actor, utc_now(self.clock)))
            return await self.edit_again(request, board, session, actor, values, errors, 422)
        command = EditSession(
            session_id,
            title=values["title"],
            description=values["description"],
            host=values["host"],
            tags=split_tags(values["tags"]),
            room=room or None,
            slot=slot or None,
        )
        try:
            await self.execute(board, command, actor)
        except Refused as refusal:
            board = await self.board(slug)
            return await self.edit_again(
                request,
                board,
                session,
                actor,
                values,
                refusal_errors(refusal),
                STATUS_OF_CODE.get(refusal.code, 422),
            )
        return self.redirect(request, f"/e/{slug}/s/{session_id}")

    @app.route("/e/<slug>/s/<session_id>/swap", methods=["POST"])
    async def swap(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board, session, actor = await self._owned(request, slug, session_id)
        other = form_value(request.args, "other")
        try:
            await self.execute(board, SwapSessions(session_id, other), actor)
        except Refused as refusal:
            return await self.edit_again(
                request,
                board,
                session,
                actor,
                session_values(session),
                {"other": refusal_errors(refusal)[refusal.field or ""]},
                STATUS_OF_CODE.get(refusal.code, 422),
            )
        return self.redirect(request, f"/e/{slug}/s/{session_id}")

    @app.route("/e/<slug>/s/<session_id>/cancel", methods=["GET"])
    async def cancel_form(self, request: IRequest, slug: str, session_id: str) -> bytes:
        """
        "Are you sure?": the second step of cancelling for browsers without JavaScript.
        """
        board = await self.board(slug)
        session = self.session(board, session_id, hidden_ok=True)
        self.owner_only(board, session, self.actor(request))
        page = host_pages.cancel_page(self.assets, board, session, self.csrf.token(request))
        return await self.send(request, page)

    @app.route("/e/<slug>/s/<session_id>/cancel", methods=["POST"])
    async def cancel(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board, session, actor = await self._owned(request, slug, session_id)
        if form_value(request.args, "confirm") != "yes":
            page = host_pages.cancel_page(self.assets, board, session, self.csrf.token(request))
            return await self.send(request, page)
        await self.execute(board, CancelSession(session_id), actor)
        return self.redirect(request, f"/e/{slug}/")

    # --- hallway meetups ---

    @app.route("/e/<slug>/meetup", methods=["GET"])
    async def meetup_form(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        planned = board.meetups.get(form_value(request.args, "planned"))
        key = edit_key(request)
        now = utc_now(self.clock)
        mine = [
            m
            for m in board.meetups.values()
            if key and m.ends > now and hmac.compare_digest(m.key_digest, digest(key))
        ]
        page = host_pages.meetup_page(
            self.assets, board, self.csrf.token(request), {}, {}, planned=planned, mine=mine
        )
        return await self.send(request, page)

    @app.route("/e/<slug>/meetup", methods=["POST"])
    async def meetup(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        self.csrf.check(request)
        values = form_values(request, ("title", "spot", "place", "when", "at", "minutes"))
        now = utc_now(self.clock)
        errors, starts = meetup_errors(values, board, now, host_pages.meetup_lengths())
        if errors:
            page = host_pages.meetup_page(
                self.assets, board, self.csrf.token(request), values, errors
            )
            return await self.send(request, page, 422)
        # Like a host's: this phone's edit key ends or changes the meetup.
        key = edit_key(request) or new_edit_key()
        command = StartMeetup(
            title=values["title"],
            place=values["place"].strip() or values["spot"],
            starts=starts,
            minutes=int(values["minutes"]),
            owner=digest(person) if (person := read_cookie(request, ATTENDEE_COOKIE)) else "",
            key_digest=digest(key),
        )
        try:
            outcome = await self.execute(board, command, ATTENDEE)
        except Refused as refusal:
            errors = refusal_errors(refusal, MEETUP_LABELS)
            page = host_pages.meetup_page(
                self.assets, board, self.csrf.token(request), values, errors
            )
            return await self.send(request, page, STATUS_OF_CODE.get(refusal.code, 422))
        remember_edit_key(request, slug, key)
        return self.meetup_started(request, outcome)

    def meetup_started(self, request: IRequest, outcome: Outcome) -> bytes:
        """
        Where a started meetup leads (Post/Redirect/Get): the board, where it shows
        while it runs; one planned for later, the form again, saying when it starts.
        Its starter's edit key is in this phone's C{os_edit} cookie: the meetup form lists
        their meetups, and each meetup's own page shows its private link.
        """
        slug = outcome.board.info.slug
        meetup = outcome.board.meetups[outcome.decision.ids[0]]
        if meetup.running_at(utc_now(self.clock)):
            return self.redirect(request, f"/e/{slug}/")
        return self.redirect(request, f"/e/{slug}/meetup?planned={meetup.id}")

    @app.route("/e/<slug>/m", branch=True)
    def meetup_branch(self, request: IRequest, slug: str) -> KleinRenderable:
        """
        A meetup's own page (see L{openspace.web.pages.meetup_routes}).
        """
        return MeetupRoutes(self, slug).app.resource()

    @app.route("/e/<slug>/report", methods=["GET"])
    async def report_form(self, request: IRequest, slug: str) -> bytes:
        board = await self.board(slug)
        item = form_value(request.args, "item")
        found = board.sessions.get(item) or board.meetups.get(item)
        if found is None or found.hidden:
            raise PageError(404, "Not found", "There is no such session or meetup.", board)
        page = report_page(self.assets, board, item, found.title, self.csrf.token(request), {})
        return await self.send(request, page)

    @app.route("/e/<slug>/report", methods=["POST"])
    async def report(self, request: IRequest, slug: str) -> bytes:
        """
        An attendee flags a session or meetup: it goes to the facilitators' desk only.
        """
        board = await self.board(slug)
        self.csrf.check(request)
        person = self.attendee_id(request)
        item = form_value(request.args, "item")
        reason = form_value(request.args, "reason")
        try:
            await self.execute(board, FileReport(item, person, reason), ATTENDEE)
        except Refused as refusal:
            if refusal.code == "not_found":
                raise PageError(404, "Not found", refusal.message, board) from refusal
            found = board.sessions.get(item) or board.meetups[item]
            csrf = self.csrf.token(request)
            errors = refusal_errors(refusal)
            page = report_page(self.assets, board, item, found.title, csrf, errors)
            return await self.send(request, page, 422)
        page = attendee.message_page(
            self.assets,
            board,
            "Thank you",
            "The facilitators will have a look. Nobody else sees your report.",
        )
        return await self.send(request, page)

    # --- facilitators ---

    @app.route("/e/<slug>/desk", branch=True)
    def desk_branch(self, request: IRequest, slug: str) -> KleinRenderable:
        """
        Everything under the desk (see L{openspace.web.pages.desk_routes}).
        """
        return DeskRoutes(self, slug).app.resource()

    # --- kiosks ---

    @app.route("/e/<slug>/kiosk", methods=["GET"])
    async def kiosk(self, request: IRequest, slug: str) -> bytes:
        """
        The kiosk, or with C{?room=id} one room's door screen.  C{?refresh=N} (seconds
        between checks for changes) and C{?rotate=N} (seconds per page of rooms) tune it.
        """
        board = await self.board(slug)
        now = utc_now(self.clock)
        refresh = bounded_int(request, "refresh", 20, 2, 300)
        board_link = f"{origin(request)}/e/{slug}/"
        room_id = form_value(request.args, "room")
        if not room_id:
            rotate = bounded_int(request, "rotate", 12, 3, 120)
            page = kiosk_pages.kiosk_page(
                self.assets, board, now, board_link, refresh=refresh, rotate=rotate
            )
            return await self.send(request, page, frameable=True)
        shown = next((r for r in rooms_now(board, now) if r.room.id == room_id), None)
        if shown is None:
            raise PageError(404, "Not found", "There is no such room.", board)
        free = shown.free_slot
        claim = origin(request) + propose_url(board, room_id, free.id) if free else None
        page = kiosk_pages.door_page(
            self.assets, board, now, shown, board_link, claim, refresh=refresh
        )
        return await self.send(request, page, frameable=True)
