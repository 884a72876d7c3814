"""
A hallway meetup's own page for whoever started it (and facilitators), under
C{/e/{slug}/m/{id}/edit}: change what, where or how long, or end it now.

Starting a meetup gives its starter an edit key, kept like a host's in the C{os_edit}
cookie (one key per phone owns that phone's sessions and meetups) and shown once as a
private link; C{?key=…} on the link stores it and leaves the address bar.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, ClassVar

from attrs import frozen
from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.template import Tag, tags
from werkzeug.exceptions import MethodNotAllowed, NotFound

from openspace.commands import Actor, EditMeetup, EndMeetup, Refused
from openspace.fields import MEETUP_MINUTES, PLACE_MAX, TITLE_MAX
from openspace.model import Board, Meetup
from openspace.tokens import digest
from openspace.web.csrf import CSRFError
from openspace.web.errors import STATUS_OF_CODE
from openspace.web.pages.host import edit_link_notice
from openspace.web.pages.html import (
    Errors,
    board_url,
    document,
    error_summary,
    field,
    form_value,
    hidden,
    hm,
    main_tag,
    text_input,
    top_bar,
)
from openspace.web.pages.page_error import PageError
from openspace.web.sessions import edit_key, remember_edit_key

if TYPE_CHECKING:
    from openspace.web.assets import Assets
    from openspace.web.pages.app import Pages


def meetup_edit_url(board: Board, meetup_id: str) -> str:
    return f"/e/{board.info.slug}/m/{meetup_id}/edit"


def key_notice(link: str) -> Tag:
    """
    The private link to a meetup, for its starter to change or end it from elsewhere.
    """
    return edit_link_notice(link, "Your meetup")


def meetup_edit_page(
    assets: Assets,
    board: Board,
    meetup: Meetup,
    csrf: str,
    errors: Errors,
    notice: Tag | str = "",
) -> Tag:
    zone = board.info.zone
    base = meetup_edit_url(board, meetup.id)
    minutes = int((meetup.ends - meetup.starts).total_seconds() // 60)
    low, high = MEETUP_MINUTES
    edit = tags.form(method="post", action=base, novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        field("title", "What about?", text_input(meetup.title, maxlength=TITLE_MAX), errors),
        field("place", "Where", text_input(meetup.place, maxlength=PLACE_MAX), errors),
        field(
            "minutes",
            "How long, from its start (minutes)",
            tags.input(type="number", min=str(low), max=str(high), value=str(minutes), required=""),
            errors,
            hint=f"It started at {hm(meetup.starts, zone)}.",
        ),
        tags.button(type="submit", class_="primary")("Save changes"),
    )
    end = tags.form(method="post", action=base.removesuffix("/edit") + "/end", class_="aside")(
        tags.h2("End it"),
        tags.p("A running meetup ends now; one that has not started leaves the board."),
        hidden("csrf", csrf),
        tags.button(type="submit", class_="danger")("End the meetup"),
    )
    return document(
        assets,
        f"Your meetup “{meetup.title}” — {board.info.name}",
        top_bar(board),
        main_tag(class_="form-page")(
            notice,
            tags.h1(f"Your meetup “{meetup.title}”"),
            tags.p(f"{meetup.place}, {hm(meetup.starts, zone)}–{hm(meetup.ends, zone)}"),
            edit,
            end,
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
    )


@frozen
class MeetupRoutes:
    """
    The meetup pages of one event.
    """

    pages: Pages
    slug: str

    app: ClassVar[Klein] = Klein()

    @app.handle_errors(PageError, CSRFError, NotFound, MethodNotAllowed)
    async def _page_error(self, request: IRequest, failure: Failure) -> bytes:
        # The desk's routes answer errors exactly like the pages: borrow them.
        from openspace.web.pages.desk_routes import DeskRoutes

        answer: bytes = await DeskRoutes(self.pages, self.slug)._page_error(request, failure)
        return answer

    async def _owned(
        self, request: IRequest, meetup_id: str, presented: str | None = None
    ) -> tuple[Board, Meetup, Actor]:
        board = await self.pages.board(self.slug)
        meetup = board.meetups.get(meetup_id)
        if meetup is None:
            raise PageError(404, "Not found", "There is no such meetup.", board)
        actor = self.pages.actor(request, presented)
        if not actor.owns(meetup):
            raise PageError(
                403,
                "Only who started it can change this",
                "This meetup can only be changed with its private link, or from the phone "
                "it was started on.",
                board,
            )
        return board, meetup, actor

    async def show(
        self, request: IRequest, board: Board, meetup: Meetup, errors: Errors, status: int = 200
    ) -> bytes:
        """
        The page; to its starter, with the private link for another phone.
        """
        # app.py mounts this module, so its helper is looked up when called.
        from openspace.web.pages.app import origin

        csrf = self.pages.csrf.token(request)
        key = edit_key(request)
        notice: Tag | str = ""
        if key and meetup.key_digest and hmac.compare_digest(meetup.key_digest, digest(key)):
            link = f"{origin(request)}{meetup_edit_url(board, meetup.id)}?key={key}"
            notice = key_notice(link)
        page = meetup_edit_page(self.pages.assets, board, meetup, csrf, errors, notice)
        return await self.pages.send(request, page, status, private=True)

    @app.route("/<meetup_id>/edit", methods=["GET"])
    async def edit_form(self, request: IRequest, meetup_id: str) -> bytes:
        presented = form_value(request.args, "key") or None
        board, meetup, _ = await self._owned(request, meetup_id, presented)
        if presented is not None:
            # Keep the key in a cookie and out of the address bar.
            if hmac.compare_digest(meetup.key_digest, digest(presented)):
                remember_edit_key(request, self.slug, presented)
            return self.pages.redirect(request, meetup_edit_url(board, meetup_id))
        return await self.show(request, board, meetup, {})

    @app.route("/<meetup_id>/edit", methods=["POST"])
    async def edit(self, request: IRequest, meetup_id: str) -> bytes:
        board, meetup, actor = await self._owned(request, meetup_id)
        self.pages.csrf.check(request)
        minutes = form_value(request.args, "minutes").strip()
        command = EditMeetup(
            meetup_id,
            title=form_value(request.args, "title"),
            place=form_value(request.args, "place"),
            minutes=int(minutes) if minutes.isdigit() else None,
        )
        try:
            outcome = await self.pages.execute(board, command, actor)
        except Refused as refusal:
            errors = {refusal.field or "": refusal.message}
            return await self.show(
                request, board, meetup, errors, STATUS_OF_CODE.get(refusal.code, 422)
            )
        return await self.show(request, outcome.board, outcome.board.meetups[meetup_id], {})

    @app.route("/<meetup_id>/end", methods=["POST"])
    async def end(self, request: IRequest, meetup_id: str) -> bytes:
        board, _, actor = await self._owned(request, meetup_id)
        self.pages.csrf.check(request)
        await self.pages.execute(board, EndMeetup(meetup_id), actor)
        return self.pages.redirect(request, board_url(board))
