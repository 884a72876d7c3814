"""
The "Subscribe in your calendar" page.

The page offers the whole board's calendar to everyone, and makes a private
"my open spaces" link on request: that answer is the only place the private link is
ever shown, so it is never stored by caches (see L{openspace.web.feeds}).
"""

from __future__ import annotations

from twisted.web.template import Tag, tags

from openspace.model import Board
from openspace.web.assets import Assets
from openspace.web.pages.feedlinks import calendar_page_url
from openspace.web.pages.html import board_url, document, hidden, main_tag, top_bar
from openspace.web.pages.kiosk import qr_image

CALENDAR_SCRIPTS = ("calendar.js",)


def _feed_block(title: str, https_url: str, note: str, field_id: str) -> Tag:
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return tags.section(class_="feed")(
        tags.h2(title),
        tags.p(note),
        tags.p(tags.a(href=webcal, class_="button")("Subscribe in your calendar app")),
        tags.p(
            tags.label(for_=field_id)("Or copy this address into your calendar:"),
            tags.input(id=field_id, type="text", readonly="", value=https_url, size="60"),
        ),
        qr_image(https_url, f"QR code of the address {https_url}"),
    )


def _room_feeds(board: Board, board_feed: str) -> Tag:
    """
    One calendar per room, for a door or a room host.
    """
    base = board_feed.rsplit("/", 1)[0]
    webcal = "webcal://" + base.split("://", 1)[1]
    return tags.details(class_="feed")(
        tags.summary("One room only"),
        tags.ul(
            [
                tags.li(tags.a(href=f"{webcal}/rooms/{room.id}.ics")(room.name))
                for room in board.rooms
            ]
        ),
    )


def calendar_page(assets: Assets, board: Board, board_feed: str, csrf: str) -> Tag:
    """
    Everyone's view: the whole board as a calendar, and the button that makes a
    private "my open spaces" calendar.
    """
    return document(
        assets,
        f"Subscribe in your calendar — {board.info.name}",
        top_bar(board),
        main_tag(id="calendar", class_="calendar-page", **{"data-slug": board.info.slug})(
            tags.h1("Subscribe in your calendar"),
            _feed_block(
                "The whole board",
                board_feed,
                "Every session and hallway meetup; your calendar keeps up as they move.",
                "board-feed",
            ),
            _room_feeds(board, board_feed),
            tags.section(class_="feed")(
                tags.h2("My open spaces"),
                tags.p(
                    "A private calendar of the sessions you starred, said “I'm going” to, "
                    "or host. Anyone with its address can read it; you can stop it at any "
                    "time. Your stars on this phone are sent with it and kept in step."
                ),
                tags.form(method="post", action=calendar_page_url(board), id="make-feed")(
                    hidden("csrf", csrf),
                    hidden("stars", ""),
                    tags.button(type="submit")("Make my private link"),
                ),
            ),
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
        scripts=CALENDAR_SCRIPTS,
    )


def personal_feed_page(assets: Assets, board: Board, feed_url: str, token: str, csrf: str) -> Tag:
    """
    The private link, shown once: to the person who just asked for it.
    """
    return document(
        assets,
        f"My open spaces — {board.info.name}",
        top_bar(board),
        main_tag(
            id="calendar",
            class_="calendar-page",
            **{"data-slug": board.info.slug, "data-feed-token": token},
        )(
            tags.h1("Your private calendar link"),
            _feed_block(
                "My open spaces",
                feed_url,
                "Keep this address to yourself: it shows what you starred, are going to "
                "and host. This page is the only time it is shown.",
                "my-feed",
            ),
            tags.form(method="post", action=calendar_page_url(board) + "/revoke")(
                hidden("csrf", csrf),
                hidden("token", token),
                tags.button(type="submit")("Stop this link"),
            ),
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
        scripts=CALENDAR_SCRIPTS,
    )


def revoked_page(assets: Assets, board: Board, stopped: bool) -> Tag:
    text = (
        "That private calendar link no longer works. Calendars subscribed to it will stop updating."
        if stopped
        else "There was no such private link (it may have been stopped already)."
    )
    return document(
        assets,
        f"Link stopped — {board.info.name}",
        top_bar(board),
        main_tag(id="calendar", **{"data-slug": board.info.slug})(
            tags.h1("Private link stopped" if stopped else "Nothing to stop"),
            tags.p(text),
            tags.p(tags.a(href=calendar_page_url(board))("Make a new one")),
        ),
        scripts=CALENDAR_SCRIPTS,
    )
