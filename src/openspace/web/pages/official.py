"""
The official schedule on the pages: "Also on the official schedule" under each slot of
the phone board (a closed C{<details>}, so phones scroll past it), "Now in the talk
rooms" on the kiosk, and on a session's page what it clashes with (its host speaking
in an official talk, an official talk in its room, its host in two sessions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.clashes import session_warnings
from openspace.links import web_link
from openspace.model import Board, OfficialTalk, Session, Slot
from openspace.official.poller import SourceStatus
from openspace.web.pages.html import hm, shown_if, span_attrs


def _talk_item(board: Board, talk: OfficialTalk, **attributes: str) -> Tag:
    zone = board.info.zone
    return tags.li(**{"data-talk-id": talk.id}, **attributes)(
        tags.time(datetime=talk.start.astimezone(zone).isoformat())(
            f"{hm(talk.start, zone)}–{hm(talk.end, zone)}"
        ),
        " ",
        tags.a(href=link)(talk.title) if (link := web_link(talk.url)) else tags.strong(talk.title),
        f" — {talk.room}" if talk.room else "",
        tags.span(class_="meta")(" · ", ", ".join(talk.speakers)) if talk.speakers else "",
    )


def _talks(board: Board, talks: Sequence[OfficialTalk]) -> Tag:
    return tags.ul([_talk_item(board, talk) for talk in talks])


def official_in_slot(board: Board, slot: Slot) -> Tag | str:
    """
    The official talks that overlap C{slot}, folded away under a count.
    """
    talks = [t for t in board.official if t.start < slot.end and slot.start < t.end]
    if not talks:
        return ""
    return tags.details(class_="official")(
        tags.summary(f"Also on the official schedule ({len(talks)})"), _talks(board, talks)
    )


def talk_rooms_now(board: Board, now: datetime) -> Tag:
    """
    The kiosk's list of the official talks running at C{now}, with those still to come
    hidden: C{static/screen.js} shows each while it runs.
    """
    talks = [t for t in board.official if t.end > now]
    items = [
        shown_if(_talk_item(board, t, **span_attrs(t.start, t.end)), t.start <= now) for t in talks
    ]
    section = tags.section(
        class_="hallway official",
        **{"aria-labelledby": "official-title", "data-frag": "talks"},
    )(tags.h2(id="official-title")("Now in the talk rooms"), tags.ul(items))
    return shown_if(section, any(t.start <= now for t in talks))


def session_clashes(board: Board, session: Session) -> Tag | str:
    """
    The board's warnings about C{session}, for its page.
    """
    # Only this session's clashes: the whole board's would cost O(sessions²) per render.
    found = [w.message for w in session_warnings(board, session)]
    if not found:
        return ""
    return tags.ul(class_="clashes")([tags.li(class_="error")(message) for message in found])


def sources_notice(board: Board, sources: Sequence[SourceStatus]) -> Tag | str:
    """
    A note on the board when an official schedule source cannot be read: the talks
    shown are the last good ones, as of their last successful read.
    """
    failing = [source for source in sources if source.status == "stale"]
    if not failing:
        return ""
    zone = board.info.zone
    lines = [
        tags.li(
            f"Official schedule as of {hm(source.last_success, zone)}"
            if source.last_success is not None
            else "Official schedule from an earlier read",
            ": the source is unreachable right now.",
        )
        for source in failing
    ]
    return tags.section(class_="notice stale", role="status")(tags.ul(lines))
