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
    MoveSession,
    ProposeSession,
    Refused,
    StartMeetup,
    SwapSessions,
)
from openspace.model import Board, Session
from openspace.store.interface import Outcome
from openspace.text import clean
from openspace.tokens import digest, new_edit_key
from openspace.web.cookies import read_cookie
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.pages import host as host_pages
from openspace.web.pages.app import (
    ATTENDEE_COOKIE,
    SESSION_FIELDS,
    Pages,
    form_values,
    origin,
    session_values,
)
from openspace.web.pages.form_checks import (
    MEETUP_LABELS,
    cell_errors,
    meetup_errors,
    refusal_errors,
    session_errors,
    split_tags,
)
from openspace.web.pages.html import Errors, cell_value, form_value, split_cell
from openspace.web.sessions import (
    edit_key,
    forget_just_proposed,
    just_proposed,
    remember_edit_key,
    remember_just_proposed,
)

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
    errors = session_errors(values)
    room, slot = split_cell(values["cell"])
    if errors:
        if slot:
            check = ProposeSession("t", "", "h", (), room, slot, owner="")
            errors.update(cell_errors(board, check, ATTENDEE, utc_now(pages.clock)))
        return await propose_again(pages, request, board, values, errors, 422)
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
        board = await pages.board(slug)
        mine = same_proposal(pages, board, refusal, key, values["title"])
        if mine is not None:
            # The same form sent twice (a double tap, "resend" after going back).
            return pages.redirect(request, f"/e/{slug}/s/{mine.id}/proposed")
        # Show the board as it is now: the cell may have been taken meanwhile.
        return await propose_again(
            pages,
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
    return pages.redirect(request, f"/e/{slug}/s/{session_id}/proposed")


def same_proposal(
    pages: Pages, board: Board, refusal: Refused, key: str, title: str
) -> Session | None:
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
async def proposed(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    """
    The page after proposing: the private edit link the first time, then "your
    session is on the board" (the link is in this browser's cookie, not shown again).
    """
    board = await pages.board(slug)
    session = pages.session(board, session_id, hidden_ok=True)
    key = edit_key(request)
    if key is None or not hmac.compare_digest(session.owner, digest(key)):
        return pages.redirect(request, f"/e/{slug}/s/{session_id}")
    if just_proposed(request) == session_id:
        forget_just_proposed(request, slug)
        link = f"{origin(request)}/e/{slug}/s/{session.id}/edit?key={key}"
        notice = host_pages.edit_link_notice(link)
    else:
        notice = host_pages.on_the_board_notice(board, session)
    page = host_pages.proposed_page(pages.assets, board, session, notice)
    return await pages.send(request, page, private=True)


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
    errors = session_errors(values, cell_needed=False)
    room, slot = split_cell(values["cell"])
    if errors:
        if slot:
            check = MoveSession(session_id, room, slot)
            errors.update(cell_errors(board, check, actor, utc_now(pages.clock)))
        return await edit_again(pages, request, board, session, actor, values, errors, 422)
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
            refusal_errors(refusal),
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
            {"other": refusal_errors(refusal)[refusal.field or ""]},
            STATUS_OF_CODE.get(refusal.code, 422),
        )
    return pages.redirect(request, f"/e/{slug}/s/{session_id}")


@app.route("/e/<slug>/s/<session_id>/cancel", methods=["GET"])
async def cancel_form(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    """
    "Are you sure?": the second step of cancelling for browsers without JavaScript.
    """
    board = await pages.board(slug)
    session = pages.session(board, session_id, hidden_ok=True)
    pages.owner_only(board, session, pages.actor(request))
    page = host_pages.cancel_page(pages.assets, board, session, pages.csrf.token(request))
    return await pages.send(request, page)


@app.route("/e/<slug>/s/<session_id>/cancel", methods=["POST"])
async def cancel(pages: Pages, request: IRequest, slug: str, session_id: str) -> bytes:
    board, session, actor = await _owned(pages, request, slug, session_id)
    if form_value(request.args, "confirm") != "yes":
        page = host_pages.cancel_page(pages.assets, board, session, pages.csrf.token(request))
        return await pages.send(request, page)
    await pages.execute(board, CancelSession(session_id), actor)
    return pages.redirect(request, f"/e/{slug}/")


# --- hallway meetups ---


@app.route("/e/<slug>/meetup", methods=["GET"])
async def meetup_form(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    planned = board.meetups.get(form_value(request.args, "planned"))
    key = edit_key(request)
    now = utc_now(pages.clock)
    mine = [
        m
        for m in board.meetups.values()
        if key and m.ends > now and hmac.compare_digest(m.key_digest, digest(key))
    ]
    page = host_pages.meetup_page(
        pages.assets, board, pages.csrf.token(request), {}, {}, planned=planned, mine=mine
    )
    return await pages.send(request, page)


@app.route("/e/<slug>/meetup", methods=["POST"])
async def meetup(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    pages.csrf.check(request)
    values = form_values(request, ("title", "spot", "place", "when", "at", "minutes"))
    now = utc_now(pages.clock)
    errors, starts = meetup_errors(values, board, now, host_pages.meetup_lengths())
    if errors:
        page = host_pages.meetup_page(
            pages.assets, board, pages.csrf.token(request), values, errors
        )
        return await pages.send(request, page, 422)
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
        outcome = await pages.execute(board, command, ATTENDEE)
    except Refused as refusal:
        errors = refusal_errors(refusal, MEETUP_LABELS)
        page = host_pages.meetup_page(
            pages.assets, board, pages.csrf.token(request), values, errors
        )
        return await pages.send(request, page, STATUS_OF_CODE.get(refusal.code, 422))
    remember_edit_key(request, slug, key)
    return meetup_started(pages, request, outcome)


def meetup_started(pages: Pages, request: IRequest, outcome: Outcome) -> bytes:
    """
    Where a started meetup leads (Post/Redirect/Get): the board, where it shows
    while it runs; one planned for later, the form again, saying when it starts.
    Its starter's edit key is in this phone's C{os_edit} cookie: the meetup form lists
    their meetups, and each meetup's own page shows its private link.
    """
    slug = outcome.board.info.slug
    meetup = outcome.board.meetups[outcome.decision.ids[0]]
    if meetup.running_at(utc_now(pages.clock)):
        return pages.redirect(request, f"/e/{slug}/")
    return pages.redirect(request, f"/e/{slug}/meetup?planned={meetup.id}")
