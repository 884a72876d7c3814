"""
What attendees read: the list of events, the phone board, and one session's page.

The board is a list grouped by time ("Now", "Next", later slots; past slots folded),
complete without JavaScript, and the same bytes for every visitor; on wide screens the
stylesheet lays the same markup out as the grid of one day (L{grid}), and C{?tag=}/C{?q=}
filter it (L{filters}).  Its C{<main>} is the
live region: it carries the board's C{data-seq}, each slot section its C{data-frag} key
and its start and end, each card its C{data-session-id}, C{data-room} and C{data-slot}.
When the board changes, C{static/screen.js} swaps in the sections rendered once for the
change (L{openspace.web.pages.fragments}); as the clock moves on it relabels them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.board import meetups_running
from openspace.model import Board, Meetup, Room, Session, Slot
from openspace.official.poller import SourceStatus
from openspace.web.assets import Assets
from openspace.web.offline import offline_head
from openspace.web.pages.feedlinks import add_to_calendar, take_it_with_you
from openspace.web.pages.filters import BoardFilter, search_form
from openspace.web.pages.grid import (
    GridPlaces,
    day_switcher,
    grid_cells,
    grid_day_class,
    grid_head,
    shown_day,
)
from openspace.web.pages.html import (
    board_url,
    card,
    document,
    going_form,
    going_line,
    hm,
    live_attrs,
    main_tag,
    propose_url,
    room_label,
    shown_if,
    slot_heading_time,
    span_attrs,
    tag_list,
    time_tag,
    top_bar,
)
from openspace.web.pages.official import official_in_slot, session_clashes, sources_notice
from openspace.web.pages.report_page import report_link
from openspace.web.pages.timeline import (
    ALL_TIME,
    free_rooms_by_slot,
    timeline,
    visible_in_slot,
)

BOARD_SCRIPTS = ("common.js", "screen.js", "board.js", "live.js", "calendar.js")
# forms.js: the share box's button (L{openspace.web.pages.share}).
SESSION_SCRIPTS = (*BOARD_SCRIPTS, "forms.js")
BOARD_PAGE_SCRIPTS = ("common.js", "screen.js", "board.js", "grid.js", "live.js", "calendar.js")
NO_FILTER = BoardFilter()


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
    sources: Sequence[SourceStatus] = (),
    board_filter: BoardFilter = NO_FILTER,
    asked_day: str = "",
) -> Tag:
    """
    The board, the same bytes for every visitor (no CSRF token, nobody's "going"):
    C{static/screen.js} marks the visitor's own state from C{/e/{slug}/me}.  A list on
    phones, the grid of one day (C{asked_day}, else the current one) on wide screens
    (L{openspace.web.pages.grid}); C{board_filter} marks the sessions it leaves out.
    """
    view = timeline(board, now)
    multi_day = len(board.days()) > 1
    free = free_rooms_by_slot(board, ALL_TIME)
    places = GridPlaces.of(board)
    day = shown_day(board, now, asked_day)

    def section(slot: Slot, label: str, past: bool) -> Tag:
        return slot_section(
            board, slot, label, free, multi_day, places, past=past, board_filter=board_filter
        )

    sections = [section(s.slot, s.label, False) for s in view.coming]
    past = [section(s.slot, "", True) for s in view.past]
    count = sum(len(s.sessions) for s in view.past)
    main = main_tag(
        id="board",
        class_="board filtering" if board_filter.active else "board",
        **live_attrs(board),
        **({"data-multi-day": ""} if multi_day else {}),
    )(
        tags.h1(class_="visually-hidden")(f"{board.info.name}: the board"),
        sources_notice(board, sources),
        tags.div(class_="tools")(
            search_form(board_filter, asked_day if day and asked_day == day.isoformat() else ""),
            day_switcher(board, day, board_filter),
        ),
        hallway(board, now),
        tags.div(id="filters", class_="filters"),
        tags.div(class_=grid_day_class(board, day))(
            grid_head(board, places),
            sections,
            shown_if(tags.p(class_="nothing")("Nothing more is planned."), not sections),
            shown_if(
                tags.details(class_="past")(tags.summary(f"Earlier ({count} sessions)"), past),
                bool(past),
            ),
        ),
    )
    return document(
        assets,
        board.info.name,
        top_bar(board, *board_nav(board)),
        main,
        take_it_with_you(board),
        going_form(board, "", board_url(board)),
        scripts=BOARD_PAGE_SCRIPTS,
        extra_head=offline_head(assets, board),
    )


def hallway(board: Board, now: datetime) -> Tag:
    """
    The meetups running at C{now}, and those still to come (hidden until they start):
    C{static/screen.js} shows and hides them as the clock moves on.
    """
    running = meetups_running(board, now)
    coming = sorted(
        (m for m in board.meetups.values() if m.ends > now and not m.hidden),
        key=lambda m: m.starts,
    )
    return shown_if(
        tags.section(
            class_="hallway", **{"aria-labelledby": "hallway-title", "data-frag": "hallway"}
        )(
            tags.h2(id="hallway-title")("Happening in the hallway now"),
            tags.ul([_meetup_item(meetup, board, meetup in running) for meetup in coming]),
        ),
        bool(running),
    )


def _meetup_item(meetup: Meetup, board: Board, running: bool) -> Tag:
    item = tags.li(**{"data-meetup-id": meetup.id, **span_attrs(meetup.starts, meetup.ends)})(
        tags.strong(meetup.title),
        f" — {meetup.place}, until {hm(meetup.ends, board.info.zone)} ",
        report_link(board, meetup.id, f"the meetup “{meetup.title}”"),
    )
    return shown_if(item, running)


def slot_section(
    board: Board,
    slot: Slot,
    label: str,
    free_by_slot: Mapping[str, tuple[Room, ...]],
    multi_day: bool,
    places: GridPlaces,
    *,
    past: bool = False,
    board_filter: BoardFilter = NO_FILTER,
) -> Tag:
    """
    One slot of the board with its cards, free rooms and official talks: rendered for
    the page and, once per change, for every open page (L{fragments}).  What depends
    on the clock (the label, the day, the free rooms once it is past) is set here for
    C{label} and kept right by C{static/screen.js}; C{places} puts it in the grid.
    """
    heading_id = f"slot-{slot.id}"
    heading = tags.h2(id=heading_id)(
        tags.span(class_="label")(f"{label} " if label else ""),
        slot_heading_time(slot, board.info.zone, day_shown=multi_day or not label),
    )
    free = [
        tags.a(class_=places.column(room.id), href=propose_url(board, room.id, slot.id))(room.name)
        for room in free_by_slot.get(slot.id, ())
    ]
    cards = [
        card(
            board,
            session,
            None,
            column=places.column(session.room),
            out=not board_filter.matches(session),
        )
        for session in visible_in_slot(board, slot)
    ]
    attributes = {
        "data-slot": slot.id,
        "data-frag": f"slot:{slot.id}",
        "aria-labelledby": heading_id,
        **span_attrs(slot.start, slot.end),
        # offline.js marks slots that are over by the phone's clock while offline.
        "data-ends": slot.end.isoformat(),
    }
    return tags.section(class_=f"slot {places.slot_class(slot)}", **attributes)(
        heading,
        cards,
        shown_if(tags.p(class_="free")(tags.span(class_="sep")("Free: "), _joined(free)), not past)
        if free
        else "",
        grid_cells(board, slot, places),
        official_in_slot(board, slot),
    )


def _joined(items: list[Tag]) -> list[Tag | str]:
    joined: list[Tag | str] = []
    for index, item in enumerate(items):
        if index:
            joined.append(tags.span(class_="sep")(" · "))
        joined.append(item)
    return joined


def session_detail(board: Board, session: Session, attendee: str | None) -> Tag:
    """
    Everything about one session, on its page; rendered for C{attendee} (their "going"
    button) on the page, and for nobody once per change (L{fragments}).
    """
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
    return tags.article(
        class_="card detail",
        **{
            "data-session-id": session.id,
            "data-room": session.room,
            "data-slot": session.slot,
            "data-frag": f"session:{session.id}",
        },
        # offline.js marks a session that is over by the phone's clock while offline.
        **({"data-ends": slot.end.isoformat()} if slot else {}),
    )(
        # The share button shares the title this heading has when it is pressed.
        tags.h1(id="session-title")(session.title),
        tags.dl(facts),
        tag_list(session.tags, board_url(board)),
        tags.div(class_="description")(session.description) if session.description else "",
        going_line(session, room, attendee),
        session_clashes(board, session),
        tags.p(class_="add-to-calendar")(add_to_calendar(board, session.id)),
        # Inside the article, so that its label follows a new title (L{fragments}).
        tags.p(report_link(board, session.id, f"the session “{session.title}”")),
    )


def session_page(
    assets: Assets,
    board: Board,
    session: Session,
    csrf: str,
    attendee: str | None,
    *,
    can_edit: bool,
    share: Tag | str = "",
    notice: Tag | str = "",
) -> Tag:
    """
    A session's own page for C{attendee}; C{share} is its share box
    (L{openspace.web.pages.share}), kept out of the live-updated article.
    """
    main = main_tag(
        id="session",
        class_="session-page",
        **live_attrs(board),
    )(
        notice,
        session_detail(board, session, attendee),
        tags.p(tags.a(href=f"/e/{board.info.slug}/s/{session.id}/edit")("Edit this session"))
        if can_edit
        else "",
        share,
        tags.p(tags.a(href=board_url(board))("← Back to the board")),
    )
    return document(
        assets,
        f"{session.title} — {board.info.name}",
        top_bar(board, *board_nav(board)),
        main,
        going_form(board, csrf, f"/e/{board.info.slug}/s/{session.id}"),
        scripts=SESSION_SCRIPTS,
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
