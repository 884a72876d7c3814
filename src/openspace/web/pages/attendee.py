"""
What attendees read: the list of events, the phone board, and one session's page.

The board is a list grouped by time ("Now", "Next", later slots; past slots folded),
complete without JavaScript.  Its C{<main>} is the live region: it carries the board's
C{data-seq}, each card its C{data-session-id}, C{data-room} and C{data-slot}, and the
scripts swap it for a freshly rendered one when the board changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.board import meetups_running
from openspace.model import Board, Meetup, Session
from openspace.official.poller import SourceStatus
from openspace.web.assets import Assets
from openspace.web.offline import offline_head
from openspace.web.pages.html import (
    board_url,
    card,
    document,
    fill_badge,
    going_button,
    going_form,
    hm,
    live_attrs,
    main_tag,
    propose_url,
    room_label,
    seats,
    tag_list,
    time_tag,
    top_bar,
)
from openspace.web.pages.official import official_in_slot, session_clashes, sources_notice
from openspace.web.pages.report_page import report_link
from openspace.web.pages.timeline import SlotView, timeline

BOARD_SCRIPTS = ("common.js", "board.js", "live.js")


def home_page(assets: Assets, boards: Iterable[Board]) -> Tag:
    items = [tags.li(tags.a(href=board_url(board))(board.info.name)) for board in boards]
    return document(
        assets,
        "openspace",
        tags.header(class_="top")(tags.span(class_="brand")("openspace")),
        main_tag(
            tags.h1("Open spaces"),
            tags.ul(class_="events")(items) if items else tags.p("There are no events yet."),
        ),
    )


def board_nav(board: Board) -> tuple[Tag, ...]:
    return (
        tags.a(href=propose_url(board))("Propose a session"),
        tags.a(href=f"/e/{board.info.slug}/meetup")("Start a hallway meetup"),
    )


def board_page(
    assets: Assets,
    board: Board,
    now: datetime,
    csrf: str,
    attendee: str | None,
    sources: Sequence[SourceStatus] = (),
) -> Tag:
    view = timeline(board, now)
    multi_day = len(board.days()) > 1
    sections = [_slot_section(board, s, attendee, multi_day) for s in view.coming]
    past = [_slot_section(board, s, attendee, multi_day) for s in view.past]
    count = sum(len(s.sessions) for s in view.past)
    main = main_tag(
        id="board",
        class_="board",
        **live_attrs(board, stale_in=view.stale_in),
    )(
        tags.h1(class_="visually-hidden")(f"{board.info.name}: the board"),
        sources_notice(board, sources),
        hallway(board, now),
        tags.div(id="filters", class_="filters"),
        sections or tags.p("Nothing more is planned."),
        tags.details(class_="past")(tags.summary(f"Earlier ({count} sessions)"), past)
        if past
        else "",
    )
    return document(
        assets,
        board.info.name,
        top_bar(board, *board_nav(board)),
        main,
        going_form(board, csrf, board_url(board)),
        scripts=BOARD_SCRIPTS,
        extra_head=offline_head(assets, board),
    )


def hallway(board: Board, now: datetime) -> Tag | str:
    running = meetups_running(board, now)
    if not running:
        return ""
    return tags.section(class_="hallway", **{"aria-labelledby": "hallway-title"})(
        tags.h2(id="hallway-title")("Happening in the hallway now"),
        tags.ul([_meetup_item(meetup, board) for meetup in running]),
    )


def _meetup_item(meetup: Meetup, board: Board) -> Tag:
    return tags.li(**{"data-meetup-id": meetup.id})(
        tags.strong(meetup.title),
        f" — {meetup.place}, until {hm(meetup.ends, board.info.zone)} ",
        report_link(board, meetup.id, f"the meetup “{meetup.title}”"),
    )


def _slot_section(board: Board, view: SlotView, attendee: str | None, multi_day: bool) -> Tag:
    slot = view.slot
    heading_id = f"slot-{slot.id}"
    heading = tags.h2(id=heading_id)(
        tags.span(class_="label")(view.label, " ") if view.label else "",
        time_tag(slot, board.info.zone, with_day=multi_day or not view.label),
    )
    free = [tags.a(href=propose_url(board, room.id, slot.id))(room.name) for room in view.free]
    attributes = {"data-slot": slot.id, "aria-labelledby": heading_id}
    # offline.js marks slots that are over by the phone's clock while offline.
    attributes["data-ends"] = slot.end.isoformat()
    return tags.section(class_="slot", **attributes)(
        heading,
        [card(board, session, attendee) for session in view.sessions],
        tags.p(class_="free")("Free: ", _joined(free)) if free else "",
        official_in_slot(board, slot),
    )


def _joined(items: list[Tag]) -> list[Tag | str]:
    joined: list[Tag | str] = []
    for index, item in enumerate(items):
        if index:
            joined.append(" · ")
        joined.append(item)
    return joined


def session_page(
    assets: Assets,
    board: Board,
    session: Session,
    csrf: str,
    attendee: str | None,
    *,
    can_edit: bool,
    notice: Tag | str = "",
) -> Tag:
    room = board.room(session.room)
    slot = board.slot(session.slot)
    zone = board.info.zone
    facts = [
        tags.dt("When"),
        tags.dd(time_tag(slot, zone, with_day=True) if slot else session.slot),
        tags.dt("Where"),
        tags.dd(
            tags.strong(room_label(room, session.room)),
            f" — {room.where}" if room is not None and room.where else "",
        ),
    ]
    if room is not None and room.access:
        facts += [tags.dt("Access"), tags.dd(room.access)]
    facts += [tags.dt("Host"), tags.dd(session.host)]
    main = main_tag(
        id="session",
        class_="session-page",
        **live_attrs(board),
    )(
        notice,
        tags.article(
            class_="card detail",
            **{"data-session-id": session.id, "data-room": session.room, "data-slot": session.slot},
            **({"data-ends": slot.end.isoformat()} if slot else {}),
        )(
            tags.h1(session.title),
            tags.dl(facts),
            tag_list(session.tags),
            tags.div(class_="description")(session.description) if session.description else "",
            tags.p(class_="going")(
                tags.span(class_="count")(seats(len(session.going), room)),
                " ",
                fill_badge(len(session.going), room),
                " ",
                going_button(session, attendee),
            ),
            session_clashes(board, session),
        ),
        tags.p(report_link(board, session.id, f"the session “{session.title}”")),
        tags.p(tags.a(href=f"/e/{board.info.slug}/s/{session.id}/edit")("Edit this session"))
        if can_edit
        else "",
        tags.p(tags.a(href=board_url(board))("← Back to the board")),
    )
    return document(
        assets,
        f"{session.title} — {board.info.name}",
        top_bar(board, *board_nav(board)),
        main,
        going_form(board, csrf, f"/e/{board.info.slug}/s/{session.id}"),
        scripts=BOARD_SCRIPTS,
        extra_head=offline_head(assets, board),
    )


def message_page(assets: Assets, board: Board | None, title: str, text: str) -> Tag:
    """
    A page that only says something: not found, forbidden, try again.
    """
    return document(
        assets,
        title,
        top_bar(board) if board is not None else "",
        main_tag(
            tags.h1(title),
            tags.p(text),
            tags.p(tags.a(href=board_url(board) if board else "/")("← Back to the board")),
        ),
    )
