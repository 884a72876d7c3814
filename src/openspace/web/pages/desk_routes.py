"""
The facilitator desk's routes, under C{/e/{slug}/desk}: sign in and out, and every
desk action (sessions one by one or in bulk, cells, whole slots and rooms, meetups,
reports, moderation settings, placement plans, undo, the layout).

L{openspace.web.pages.app.Pages} hands every path under the desk to a L{DeskRoutes}
bound to that event, which borrows the pages' store, CSRF check and rendering.

Order of checks on every POST: the event exists (404), the CSRF token matches (403,
nothing changes), a facilitator is signed in (403), then the board decides.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from attrs import frozen
from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from werkzeug.exceptions import MethodNotAllowed, NotFound

from openspace.clock import utc_now
from openspace.commands import (
    FACILITATOR,
    ApplyPlacement,
    BlockCell,
    BlockMany,
    CancelMeetup,
    CancelSession,
    Command,
    DismissReports,
    EndMeetup,
    HideMany,
    HideMeetup,
    HideSession,
    MoveSession,
    PlannedMove,
    Refused,
    SetLayout,
    SetModeration,
    UnblockCell,
)
from openspace.eventfile import EventFileError, layout_from_mapping
from openspace.model import Board
from openspace.placement import Placement, scope_slots, suggest
from openspace.store.interface import UndoFrom
from openspace.undo import ATTENDEE_TRAFFIC, undo_targets
from openspace.web.csrf import CSRFError
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.pages import desk as desk_pages
from openspace.web.pages import webhooks as webhook_pages
from openspace.web.pages.desk_fragments import DeskVariant
from openspace.web.pages.desk_parts import LOG_SHOWN
from openspace.web.pages.html import Errors, form_value, split_cell
from openspace.web.pages.page_error import PageError

if TYPE_CHECKING:
    from openspace.web.pages.app import Pages


def _all(request: IRequest, name: str) -> list[str]:
    values = (request.args or {}).get(name.encode("ascii"), [])
    return [value.decode("utf-8", "replace") for value in values]


@frozen
class DeskRoutes:
    """
    The desk of one event.
    """

    pages: Pages
    slug: str

    app: ClassVar[Klein] = Klein()

    @app.handle_errors(PageError, CSRFError, NotFound, MethodNotAllowed)
    async def _page_error(self, request: IRequest, failure: Failure) -> bytes:
        """
        The pages' own handlers answer: a readable page with the right status.
        """
        pages = self.pages
        handlers = (
            (PageError, pages._page_error),
            (CSRFError, pages._csrf_error),
            (NotFound, pages._not_found),
            (MethodNotAllowed, pages._bad_method),
        )
        handler = next(h for kind, h in handlers if isinstance(failure.value, kind))
        answer: bytes = await handler(request, failure)
        return answer

    @app.handle_errors(Refused)
    async def _refused(self, request: IRequest, failure: Failure) -> bytes:
        """
        The desk again, saying why the board refused.
        """
        refusal = failure.value
        assert isinstance(refusal, Refused)
        board = await self.pages.board(self.slug)
        return await self.again(request, board, {"": refusal.message}, status(refusal))

    # --- reading ---

    # "/e/{slug}/desk" arrives here as "", and must not be redirected to ".../desk/".
    @app.route("/", methods=["GET"], strict_slashes=False)
    async def desk_page(self, request: IRequest) -> bytes:
        board = await self.pages.board(self.slug)
        if not self.pages.desk.signed_in(request):
            csrf = self.pages.csrf.token(request)
            return await self.pages.send(
                request, desk_pages.signin_page(self.pages.assets, board, csrf, {})
            )
        return await self.again(request, board, {})

    async def again(
        self,
        request: IRequest,
        board: Board,
        errors: Errors,
        status: int = 200,
        layout: str | None = None,
        revealed: webhook_pages.Revealed | None = None,
    ) -> bytes:
        """
        The desk, with C{errors} shown (and the layout as typed, when it was refused);
        a webhook's C{revealed} secret makes the page private (never stored).
        """
        show_going = form_value(request.args, "going") == "1"
        log = await self.pages.store.log_tail(
            board.info.slug, LOG_SHOWN, skip=() if show_going else ATTENDEE_TRAFFIC
        )
        undoable = frozenset(entry.seq for entry in undo_targets(log, len(log)))
        csrf = self.pages.csrf.token(request)
        hooks = self.pages.webhooks
        webhooks = (
            ""
            if hooks is None
            else webhook_pages.section(
                hooks, board, csrf, await hooks.of_board(board.info.slug), errors, revealed
            )
        )
        page = desk_pages.desk_page(
            self.pages.assets,
            board,
            desk_pages.DeskView(
                now=utc_now(self.pages.clock),
                csrf=csrf,
                log=tuple(log),
                undoable=undoable,
                show_going=show_going,
                placement=await self._placement(request, board),
                layout=desk_pages.layout_toml(board) if layout is None else layout,
                errors=errors,
                webhooks=webhooks,
            ),
        )
        return await self.pages.send(request, page, status, private=revealed is not None)

    async def _placement(self, request: IRequest, board: Board) -> tuple[str, Placement] | None:
        """
        The suggestion asked for with C{?placement=<slot id or YYYY-MM-DD>}.
        """
        scope = form_value(request.args, "placement")
        slots = scope_slots(board, scope) if scope else ()
        if not slots:
            return None
        now = utc_now(self.pages.clock)
        suggestion: Placement = await self.pages.offload(suggest, board, now, slots)
        return scope, suggestion

    @app.route("/live", methods=["GET"])
    async def live(self, request: IRequest) -> IResource:
        """
        The desk's own live stream (L{openspace.web.desk_live}): a WebSocket like the
        board's, for a signed-in facilitator only (the session cookie, checked in
        constant time; the live factory checks the origin, so another site's page cannot
        open it with the facilitator's cookie).
        """
        pages = self.pages
        board = await pages.board(self.slug)
        live = pages.live
        if live is None or live.desk is None:
            raise PageError(404, "Not found", "Live updates are not served here.", board)
        if not pages.desk.signed_in(request):
            raise PageError(403, "Facilitators only", "Sign in at the desk first.", board)
        if b"websocket" not in (request.getHeader(b"upgrade") or b"").lower():
            request.setHeader(b"upgrade", b"websocket")
            raise PageError(426, "Upgrade required", "Connect with a WebSocket.", board)
        variant = DeskVariant(
            form_value(request.args, "going") == "1", form_value(request.args, "placement")
        )
        hub, board = await live.desk.open(board, variant)
        return live.connect(request, board, hub)

    # --- signing in ---

    @app.route("/signin", methods=["POST"])
    async def sign_in(self, request: IRequest) -> bytes:
        pages = self.pages
        board = await pages.board(self.slug)
        pages.csrf.check(request)
        token = form_value(request.args, "token")
        if pages.desk.sign_in(request, token):
            return pages.redirect(request, self.url())
        wrong = "That is not the facilitator token." if token.strip() else ""
        errors = {"token": wrong or "Enter the facilitator token."}
        page = desk_pages.signin_page(pages.assets, board, pages.csrf.token(request), errors)
        return await pages.send(request, page, 403)

    @app.route("/signout", methods=["POST"])
    async def sign_out(self, request: IRequest) -> bytes:
        await self.pages.board(self.slug)
        self.pages.csrf.check(request)
        self.pages.desk.sign_out(request)
        return self.pages.redirect(request, self.url())

    # --- acting ---

    @app.route("/webhooks", methods=["POST"])
    async def webhooks(self, request: IRequest) -> bytes:
        board = await self.action(request)
        if self.pages.webhooks is None:
            raise PageError(404, "Not found", "Webhooks are not served here.", board)
        try:
            revealed = await webhook_pages.act(self.pages.webhooks, self.slug, request.args)
        except Refused as refusal:
            where = webhook_pages.FIELD if refusal.field == "url" else ""
            status = STATUS_OF_CODE.get(refusal.code, 422)
            return await self.again(request, board, {where: refusal.message}, status)
        if revealed is None:
            return self.pages.redirect(request, self.url() + "#webhooks-title")
        return await self.again(request, board, {}, revealed=revealed)

    def url(self, query: str = "") -> str:
        return f"/e/{self.slug}/desk" + (f"?{query}" if query else "")

    async def action(self, request: IRequest) -> Board:
        """
        The board, once the CSRF token and the facilitator's session are checked.
        """
        board = await self.pages.board(self.slug)
        self.pages.csrf.check(request)
        if not self.pages.desk.signed_in(request):
            raise PageError(403, "Facilitators only", "Sign in at the desk first.", board)
        return board

    async def execute(self, request: IRequest, board: Board, command: Command | UndoFrom) -> bytes:
        """
        Carry out C{command} and go back to the desk (a refusal shows it again, with
        the reason; see L{_error}).
        """
        await self.pages.execute(board, command, FACILITATOR)
        back = "going=1" if form_value(request.args, "going") == "1" else ""
        return self.pages.redirect(request, self.url(back))

    async def pick(
        self, request: IRequest, board: Board, commands: dict[str, Callable[[str], Command]]
    ) -> bytes:
        """
        Run the command of the first of C{commands}' buttons that was pressed.
        """
        for name, make in commands.items():
            value = form_value(request.args, name)
            if value:
                return await self.execute(request, board, make(value))
        raise PageError(400, "Nothing to do", "Pick an item and an action.", board)

    @app.route("/sessions", methods=["POST"])
    async def sessions(self, request: IRequest) -> bytes:
        board = await self.action(request)
        picked = tuple(_all(request, "pick"))
        bulk = form_value(request.args, "bulk")
        if bulk in ("hide", "show"):
            return await self.execute(request, board, HideMany(picked, bulk == "hide"))
        return await self.pick(
            request,
            board,
            {
                "hide": lambda s: HideSession(s, True),
                "show": lambda s: HideSession(s, False),
                "cancel": CancelSession,
                "move": lambda value: _move(board, value),
            },
        )

    @app.route("/cells", methods=["POST"])
    async def cells(self, request: IRequest) -> bytes:
        board = await self.action(request)
        return await self.pick(
            request,
            board,
            {
                "block": lambda value: BlockCell(*split_cell(value)),
                "unblock": lambda value: UnblockCell(*split_cell(value)),
                "block-slot": lambda slot: BlockMany(True, slot=slot),
                "unblock-slot": lambda slot: BlockMany(False, slot=slot),
                "block-room": lambda room: BlockMany(True, room=room),
                "unblock-room": lambda room: BlockMany(False, room=room),
            },
        )

    @app.route("/meetups", methods=["POST"])
    async def meetups(self, request: IRequest) -> bytes:
        board = await self.action(request)
        return await self.pick(
            request,
            board,
            {
                "hide": lambda m: HideMeetup(m, True),
                "show": lambda m: HideMeetup(m, False),
                "end": EndMeetup,
                "remove": CancelMeetup,
            },
        )

    @app.route("/reports", methods=["POST"])
    async def reports(self, request: IRequest) -> bytes:
        board = await self.action(request)
        return await self.pick(
            request,
            board,
            {
                "hide": lambda item: DismissReports(item, hide=True),
                "dismiss": lambda item: DismissReports(item, hide=False),
            },
        )

    @app.route("/moderation", methods=["POST"])
    async def moderation(self, request: IRequest) -> bytes:
        board = await self.action(request)
        auto_hide = form_value(request.args, "auto_hide").strip()
        freeze = form_value(request.args, "freeze_minutes").strip()
        if (auto_hide and not auto_hide.isdigit()) or not freeze.isdigit():
            errors = {"auto_hide": "Give whole numbers (leave auto-hide empty to turn it off)."}
            return await self.again(request, board, errors, 422)
        command = SetModeration(int(auto_hide) if auto_hide else None, int(freeze))
        return await self.execute(request, board, command)

    @app.route("/placement", methods=["POST"])
    async def placement(self, request: IRequest) -> bytes:
        board = await self.action(request)
        moves = []
        for value in _all(request, "move"):
            session_id, origin, target = [*value.split("/"), "", ""][:3]
            moves.append(PlannedMove(session_id, origin, target))
        return await self.execute(request, board, ApplyPlacement(tuple(moves)))

    @app.route("/undo", methods=["POST"])
    async def undo(self, request: IRequest) -> bytes:
        board = await self.action(request)
        only = form_value(request.args, "only")
        upto = only or form_value(request.args, "upto")
        if not upto.isdigit():
            return await self.again(request, board, {"": "Pick a change to undo."}, 422)
        return await self.execute(request, board, UndoFrom(int(upto), only=bool(only)))

    @app.route("/layout", methods=["POST"])
    async def layout(self, request: IRequest) -> bytes:
        board = await self.action(request)
        text = form_value(request.args, "layout")
        try:
            layout = layout_from_mapping(tomllib.loads(text))
        except (tomllib.TOMLDecodeError, EventFileError) as e:
            return await self.again(request, board, {"layout": str(e)}, 422, text)
        if layout.info.slug != self.slug:
            errors = {"layout": f"slug must stay {self.slug!r}: events cannot be renamed here"}
            return await self.again(request, board, errors, 422, text)
        try:
            await self.pages.execute(board, SetLayout(layout), FACILITATOR)
        except Refused as refusal:
            board = await self.pages.board(self.slug)
            return await self.again(request, board, {"layout": refusal.message}, 409, text)
        return self.pages.redirect(request, self.url())


def status(refusal: Refused) -> int:
    return STATUS_OF_CODE.get(refusal.code, 422)


def _move(board: Board, value: str) -> MoveSession:
    """
    "Move to <room>": C{session/room}, into the same slot.
    """
    session_id, _, room = value.partition("/")
    session = board.sessions.get(session_id)
    slot = session.slot if session is not None else ""
    return MoveSession(session_id, room, slot)
