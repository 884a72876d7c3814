"""
The routes of hosts: propose a session, edit, move, swap or cancel one's own, and start
a hallway meetup.

Every change a form asks for becomes the same board command the JSON API sends; a
refusal comes back as the form again, with what was typed and the reason next to its
field.  Only the host (the edit key, from the private link or this browser's cookie)
or a signed-in facilitator may change a session.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from twisted.web.iweb import IRequest

from openspace.clock import utc_now
from openspace.commands import (
    ATTENDEE,
    Actor,
    CancelSession,
    EditSession,
    ProposeSession,
    Refused,
    StartMeetup,
    SwapSessions,
)
from openspace.model import Board, Session
from openspace.tokens import digest, new_edit_key
from openspace.web.cookies import read_cookie
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.pages import host as host_pages
from openspace.web.pages.app import (
    ATTENDEE_COOKIE,
    SESSION_FIELDS,
    Pages,
    errors_of,
    form_values,
    origin,
    session_values,
    split_tags,
)
from openspace.web.pages.html import Errors, cell_value, form_value, split_cell
from openspace.web.sessions import edit_key, remember_edit_key

app = Pages.app


@app.route("/e/<slug>/propose", methods=["GET"])
async def propose_form(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    room, slot = form_value(request.args, "room"), form_value(request.args, "slot")
    values = {"cell": cell_value(room, slot)} if room and slot else {}
    return await propose_again(pages, request, board, values, {})


async def propose_again(
    pages: Pages,
    request: IRequest,
    board: Board,
    values: Mapping[str, str],
    errors: Errors,
    status: int = 200,
) -> bytes:
    page = host_pages.propose_page(
        pages.assets, board, utc_now(pages.clock), pages.csrf.token(request), values, errors
    )
    return await pages.send(request, page, status)


@app.route("/e/<slug>/propose", methods=["POST"])
async def propose(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    pages.csrf.check(request)
    values = form_values(request, SESSION_FIELDS)
    room, slot = split_cell(values["cell"])
    if not slot:
        return await propose_again(
            pages, request, board, values, {"cell": "Pick a room and a time."}, 422
        )
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
        outcome = await pages.execute(board, command, pages.actor(request, key))
    except Refused as refusal:
        # Show the board as it is now: the cell may have been taken meanwhile.
        return await propose_again(
            pages,
            request,
            await pages.board(slug),
            values,
            errors_of(refusal),
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    remember_edit_key(request, slug, key)
    board = outcome.board
    session = board.sessions[outcome.decision.ids[0]]
    link = f"{origin(request)}/e/{slug}/s/{session.id}/edit?key={key}"
    page = pages.session_view(request, board, session, True, host_pages.edit_link_notice(link))
    return await pages.send(request, page, 201, private=True)


async def edit_again(
    pages: Pages,
    request: IRequest,
    board: Board,
    session: Session,
    actor: Actor,
    values: Mapping[str, str],
    errors: Errors,
    status: int = 200,
) -> bytes:
    others = [s for s in board.visible_sessions() if s.id != session.id and actor.holds(s.owner)]
    page = host_pages.edit_page(
        pages.assets,
        board,
        session,
        utc_now(pages.clock),
        pages.csrf.token(request),
        values,
        errors,
        others,
    )
    return await pages.send(request, page, status)


@app.route("/e/<slug>/s/<session_id>/edit", methods=["GET"])
async def edit_form(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    board = await pages.board(slug)
    session = pages.session(board, session_id, hidden_ok=True)
    presented = form_value(request.args, "key") or None
    actor = pages.actor(request, presented)
    pages.owner_only(board, session, actor)
    if presented is not None:
        # Keep the key in a cookie and out of the address bar (and history, screenshots).
        if hmac.compare_digest(session.owner, digest(presented)):
            remember_edit_key(request, slug, presented)
        return pages.redirect(request, f"/e/{slug}/s/{session_id}/edit")
    return await edit_again(pages, request, board, session, actor, session_values(session), {})


async def _owned(
    pages: Pages, request: IRequest, slug: str, session_id: str
) -> tuple[Board, Session, Actor]:
    board = await pages.board(slug)
    session = pages.session(board, session_id, hidden_ok=True)
    pages.csrf.check(request)
    actor = pages.actor(request)
    pages.owner_only(board, session, actor)
    return board, session, actor


@app.route("/e/<slug>/s/<session_id>/edit", methods=["POST"])
async def edit(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    board, session, actor = await _owned(pages, request, slug, session_id)
    values = form_values(request, SESSION_FIELDS)
    room, slot = split_cell(values["cell"])
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
        await pages.execute(board, command, actor)
    except Refused as refusal:
        board = await pages.board(slug)
        return await edit_again(
            pages,
            request,
            board,
            session,
            actor,
            values,
            errors_of(refusal),
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    return pages.redirect(request, f"/e/{slug}/s/{session_id}")


@app.route("/e/<slug>/s/<session_id>/swap", methods=["POST"])
async def swap(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    board, session, actor = await _owned(pages, request, slug, session_id)
    other = form_value(request.args, "other")
    try:
        await pages.execute(board, SwapSessions(session_id, other), actor)
    except Refused as refusal:
        return await edit_again(
            pages,
            request,
            board,
            session,
            actor,
            session_values(session),
            {"other": refusal.message},
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    return pages.redirect(request, f"/e/{slug}/s/{session_id}")


@app.route("/e/<slug>/s/<session_id>/cancel", methods=["POST"])
async def cancel(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    board, _, actor = await _owned(pages, request, slug, session_id)
    await pages.execute(board, CancelSession(session_id), actor)
    return pages.redirect(request, f"/e/{slug}/")


# --- hallway meetups ---


@app.route("/e/<slug>/meetup", methods=["GET"])
async def meetup_form(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    page = host_pages.meetup_page(pages.assets, board, pages.csrf.token(request), {}, {})
    return await pages.send(request, page)


@app.route("/e/<slug>/meetup", methods=["POST"])
async def meetup(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    pages.csrf.check(request)
    values = form_values(request, ("title", "spot", "place", "minutes"))
    minutes = values["minutes"]
    command = StartMeetup(
        title=values["title"],
        place=values["place"].strip() or values["spot"],
        minutes=int(minutes) if minutes.isdigit() else None,
        owner=digest(person) if (person := read_cookie(request, ATTENDEE_COOKIE)) else "",
    )
    try:
        await pages.execute(board, command, ATTENDEE)
    except Refused as refusal:
        page = host_pages.meetup_page(
            pages.assets, board, pages.csrf.token(request), values, errors_of(refusal)
        )
        return await pages.send(request, page, STATUS_OF_CODE.get(refusal.code, 422))
    return pages.redirect(request, f"/e/{slug}/")
