"""
Links to the feeds on the attendees' pages: the board's "Take it with you" section and
a session's "Add to calendar".

They are the same for every visitor, so they may go in the shared HTML of a page.
"""

from __future__ import annotations

from twisted.web.template import Tag, tags

from openspace.model import Board


def calendar_page_url(board: Board) -> str:
    return f"/e/{board.info.slug}/calendar"


def take_it_with_you(board: Board) -> Tag:
    """
    The board's feeds, for the foot of the board page (outside its live region: they
    never change).
    """
    base = f"/e/{board.info.slug}/"
    links = (
        (calendar_page_url(board), "Subscribe in your calendar"),
        (base + "board.ics", "Calendar file (.ics)"),
        (base + "schedule.xml", "schedule.xml (Giggity, ConfClerk, EventFahrplan)"),
        (base + "schedule.json", "schedule.json"),
        (base + "changes.atom", "What changed (Atom feed)"),
    )
    return tags.footer(class_="take-away", **{"aria-labelledby": "take-away-title"})(
        tags.h2(id="take-away-title")("Take it with you"),
        tags.ul([tags.li(tags.a(href=href)(text)) for href, text in links]),
    )


def add_to_calendar(board: Board, session_id: str) -> Tag:
    return tags.a(href=f"/e/{board.info.slug}/s/{session_id}.ics", download="")("Add to calendar")
