"""
The routes of the facilitator's desk: sign in and out, hide, show or cancel sessions,
block and unblock cells, undo back to a change, and edit the rooms and slots as TOML.

Every action checks the CSRF token (or the browser's word on where the form came from),
then the facilitator's signed session cookie, then lets the board decide.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable

from twisted.web.iweb import IRequest

from openspace.clock import utc_now
from openspace.commands import (
    FACILITATOR,
    BlockCell,
    CancelSession,
    Command,
    HideSession,
    Refused,
    SetLayout,
    UnblockCell,
)
from openspace.eventfile import EventFileError, layout_from_mapping
from openspace.model import Board
from openspace.store.interface import UndoLast
from openspace.undo import undo_targets
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.pages import desk as desk_pages
from openspace.web.pages.app import PageError, Pages
from openspace.web.pages.html import Errors, form_value, split_cell

app = Pages.app


@app.route("/e/<slug>/desk", methods=["GET"])
async def desk_page(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    if not pages.desk.signed_in(request):
        page = desk_pages.signin_page(pages.assets, board, pages.csrf.token(request), {})
        return await pages.send(request, page)
    return await desk_again(pages, request, board, desk_pages.layout_toml(board), {})


async def desk_again(
    pages: Pages, request: IRequest, board: Board, layout: str, errors: Errors, status: int = 200
) -> bytes:
    log = await pages.store.log_tail(board.info.slug, desk_pages.LOG_SHOWN)
    undoable = frozenset(entry.seq for entry in undo_targets(log, desk_pages.LOG_SHOWN))
    page = desk_pages.desk_page(
        pages.assets,
        board,
        utc_now(pages.clock),
        pages.csrf.token(request),
        log,
        undoable,
        layout,
        errors,
    )
    return await pages.send(request, page, status)


@app.route("/e/<slug>/desk/signin", methods=["POST"])
async def sign_in(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    pages.csrf.check(request)
    token = form_value(request.args, "token")
    if pages.desk.sign_in(request, token):
        return pages.redirect(request, f"/e/{slug}/desk")
    wrong = "That is not the facilitator token." if token.strip() else ""
    errors = {"token": wrong or "Enter the facilitator token."}
    page = desk_pages.signin_page(pages.assets, board, pages.csrf.token(request), errors)
    return await pages.send(request, page, 403)


@app.route("/e/<slug>/desk/signout", methods=["POST"])
async def sign_out(pages: Pages, request: IRequest, slug: str) -> bytes:
    await pages.board(slug)
    pages.csrf.check(request)
    pages.desk.sign_out(request)
    return pages.redirect(request, f"/e/{slug}/desk")


async def desk_action(pages: Pages, request: IRequest, slug: str) -> Board:
    """
    The board, once the CSRF token and the facilitator's session are checked.
    """
    board = await pages.board(slug)
    pages.csrf.check(request)
    if not pages.desk.signed_in(request):
        raise PageError(403, "Facilitators only", "Sign in at the desk first.", board)
    return board


async def desk_execute(
    pages: Pages, request: IRequest, board: Board, command: Command | UndoLast
) -> bytes:
    try:
        await pages.execute(board, command, FACILITATOR)
    except Refused as refusal:
        board = await pages.board(board.info.slug)
        return await desk_again(
            pages,
            request,
            board,
            desk_pages.layout_toml(board),
            {"": refusal.message},
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    return pages.redirect(request, f"/e/{board.info.slug}/desk")


@app.route("/e/<slug>/desk/sessions", methods=["POST"])
async def desk_sessions(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await desk_action(pages, request, slug)
    commands: dict[str, Callable[[str], Command]] = {
        "hide": lambda s: HideSession(s, True),
        "show": lambda s: HideSession(s, False),
        "cancel": CancelSession,
    }
    for name, make in commands.items():
        session_id = form_value(request.args, name)
        if session_id:
            return await desk_execute(pages, request, board, make(session_id))
    raise PageError(400, "Nothing to do", "Pick a session and an action.", board)


@app.route("/e/<slug>/desk/cells", methods=["POST"])
async def desk_cells(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await desk_action(pages, request, slug)
    blocking = form_value(request.args, "block")
    room, slot = split_cell(blocking or form_value(request.args, "unblock"))
    command: Command = BlockCell(room, slot) if blocking else UnblockCell(room, slot)
    return await desk_execute(pages, request, board, command)


@app.route("/e/<slug>/desk/undo", methods=["POST"])
async def desk_undo(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await desk_action(pages, request, slug)
    upto = form_value(request.args, "upto")
    log = await pages.store.log_tail(slug, desk_pages.LOG_SHOWN)
    targets = undo_targets(log, desk_pages.LOG_SHOWN)
    if not upto.isdigit() or int(upto) not in {entry.seq for entry in targets}:
        return await desk_again(
            pages,
            request,
            board,
            desk_pages.layout_toml(board),
            {"": "That change cannot be undone any more."},
            409,
        )
    count = sum(1 for entry in targets if entry.seq >= int(upto))
    return await desk_execute(pages, request, board, UndoLast(count))


@app.route("/e/<slug>/desk/layout", methods=["POST"])
async def desk_layout(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await desk_action(pages, request, slug)
    text = form_value(request.args, "layout")
    try:
        layout = layout_from_mapping(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, EventFileError) as e:
        return await desk_again(pages, request, board, text, {"layout": str(e)}, 422)
    if layout.info.slug != slug:
        errors = {"layout": f"slug must stay {slug!r}: events cannot be renamed here"}
        return await desk_again(pages, request, board, text, errors, 422)
    try:
        await pages.execute(board, SetLayout(layout), FACILITATOR)
    except Refused as refusal:
        return await desk_again(
            pages,
            request,
            board,
            text,
            {"layout": refusal.message},
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    return pages.redirect(request, f"/e/{slug}/desk")
