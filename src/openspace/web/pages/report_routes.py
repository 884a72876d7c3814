"""
The routes of reports: an attendee flags a session or meetup, with an optional reason,
for the facilitators' desk only (nothing of it is ever shown publicly).
"""

from __future__ import annotations

from twisted.web.iweb import IRequest

from openspace.commands import ATTENDEE, FileReport, Refused
from openspace.web.pages import attendee
from openspace.web.pages.app import Pages
from openspace.web.pages.form_checks import refusal_errors
from openspace.web.pages.html import form_value
from openspace.web.pages.page_error import PageError
from openspace.web.pages.report_page import report_page

app = Pages.app


@app.route("/e/<slug>/report", methods=["GET"])
async def report_form(pages: Pages, request: IRequest, slug: str) -> bytes:
    board = await pages.board(slug)
    item = form_value(request.args, "item")
    found = board.sessions.get(item) or board.meetups.get(item)
    if found is None or found.hidden:
        raise PageError(404, "Not found", "There is no such session or meetup.", board)
    page = report_page(pages.assets, board, item, found.title, pages.csrf.token(request), {})
    return await pages.send(request, page)


@app.route("/e/<slug>/report", methods=["POST"])
async def report(pages: Pages, request: IRequest, slug: str) -> bytes:
    """
    An attendee flags a session or meetup: it goes to the facilitators' desk only.
    """
    board = await pages.board(slug)
    pages.csrf.check(request)
    person = pages.attendee_id(request)
    item = form_value(request.args, "item")
    reason = form_value(request.args, "reason")
    try:
        await pages.execute(board, FileReport(item, person, reason), ATTENDEE)
    except Refused as refusal:
        if refusal.code == "not_found":
            raise PageError(404, "Not found", refusal.message, board) from refusal
        found = board.sessions.get(item) or board.meetups[item]
        csrf = pages.csrf.token(request)
        errors = refusal_errors(refusal)
        page = report_page(pages.assets, board, item, found.title, csrf, errors)
        return await pages.send(request, page, 422)
    page = attendee.message_page(
        pages.assets,
        board,
        "Thank you",
        "The facilitators will have a look. Nobody else sees your report.",
    )
    return await pages.send(request, page)
