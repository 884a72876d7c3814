"""
The page where an attendee reports a session or meetup to the facilitators.
"""

from __future__ import annotations

from twisted.web.template import Tag, tags

from openspace.model import Board
from openspace.reports import REASON_MAX
from openspace.web.assets import Assets
from openspace.web.pages.html import (
    Errors,
    board_url,
    document,
    error_summary,
    field,
    hidden,
    main_tag,
    text_area,
    top_bar,
)


def report_url(board: Board, item: str) -> str:
    return f"/e/{board.info.slug}/report?item={item}"


def report_link(board: Board, item: str, what: str) -> Tag:
    """
    The small "Report" link shown with a session or meetup; its accessible name says
    which (in an attribute, so the title is not on the page twice as text).
    """
    return tags.a(
        class_="report-link", href=report_url(board, item), **{"aria-label": f"Report {what}"}
    )("Report")


def report_page(
    assets: Assets, board: Board, item: str, title: str, csrf: str, errors: Errors
) -> Tag:
    form = tags.form(method="post", action=f"/e/{board.info.slug}/report", novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        hidden("item", item),
        field(
            "reason",
            "What is wrong? (optional)",
            text_area("", maxlength=REASON_MAX, rows=4),
            errors,
            hint="Only the facilitators see reports. One report per person is counted.",
        ),
        tags.button(type="submit", class_="primary")("Send the report"),
    )
    return document(
        assets,
        f"Report “{title}” — {board.info.name}",
        top_bar(board),
        main_tag(class_="form-page")(
            tags.h1(f"Report “{title}”"),
            form,
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
    )
