"""
The facilitator's desk: sign in, reports to deal with, every session (hidden ones too,
with how full each is, hidden or shown in bulk, moved to a bigger free room in one
click), meetups, the grid of cells to block and unblock (a whole slot or room at once),
placement suggestions, the last changes to undo, settings, and the event's rooms and
slots as TOML.  The sections beside the grid live in L{openspace.web.pages.desk_parts}.

Many buttons share one form each (C{form="…"} attributes), so a big grid costs one
CSRF token, not one per cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlencode

from attrs import frozen
from twisted.web.template import Tag, tags

from openspace.capacity import bigger_room
from openspace.events import Logged
from openspace.model import Board, Cell, Room, RoomKind, Session, Slot
from openspace.placement import Placement
from openspace.web.assets import Assets
from openspace.web.pages.desk_parts import (
    desk_forms,
    desk_url,
    frag,
    log_lines,
    log_section,
    meetup_section,
    moderation_section,
    move_button,
    placement_section,
    report_section,
    table_section,
)
from openspace.web.pages.html import (
    Errors,
    cell_value,
    day_label,
    document,
    error_summary,
    field,
    fill_badge,
    hidden,
    live_attrs,
    main_tag,
    seats,
    session_url,
    slot_span,
    text_area,
    time_tag,
    top_bar,
)

LAYOUT_MAX = 60_000


def signin_page(assets: Assets, board: Board, csrf: str, errors: Errors) -> Tag:
    form = tags.form(method="post", action=desk_url(board, "signin"), novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        field(
            "token",
            "Facilitator token",
            tags.input(type="password", autocomplete="current-password", required=""),
            errors,
            hint="From the server's token file or its environment (see the README).",
        ),
        tags.button(type="submit", class_="primary")("Sign in"),
    )
    return document(
        assets,
        f"{'Error: ' if errors else ''}Facilitator desk — {board.info.name}",
        top_bar(board),
        main_tag(class_="form-page")(tags.h1("Facilitator desk"), form),
        # Focuses the error summary of a refused sign-in.
        scripts=("forms.js",),
    )


@frozen
class DeskView:
    """
    What the desk shows besides the board.

    @ivar log: the last changes, oldest first (attendees' going and reports only when
        C{show_going}).
    @ivar undoable: the seqs of C{log} that can still be undone.
    @ivar placement: the suggestion asked for, with its scope (a slot id or a date).
    @ivar layout: the layout form's text (as typed, when it was refused).
    """

    now: datetime
    csrf: str
    log: tuple[Logged, ...]
    undoable: frozenset[int]
    show_going: bool
    placement: tuple[str, Placement] | None
    layout: str
    errors: Errors
    webhooks: Tag | str = ""


def desk_page(assets: Assets, board: Board, view: DeskView) -> Tag:
    csrf = view.csrf
    return document(
        assets,
        f"Facilitator desk — {board.info.name}",
        top_bar(
            board,
            tags.form(method="post", action=desk_url(board, "signout"), class_="inline")(
                hidden("csrf", csrf), tags.button(type="submit")("Sign out")
            ),
        ),
        main_tag(class_="desk")(
            tags.h1("Facilitator desk"),
            error_summary(view.errors) if "" in view.errors else "",
            _contents(),
            desk_forms(board, csrf, view.show_going),
            # Kept current in place by screen.js from the desk's own live stream; the
            # forms below it are left as typed.
            tags.div(**live_attrs(board), **{"data-live-url": live_url(board, view)})(
                live_region(board, view),
            ),
            moderation_section(board, csrf, view.errors),
            _layout(board, csrf, view.layout, view.errors),
            view.webhooks,
        ),
        scripts=("common.js", "screen.js", "live.js"),
    )


def live_url(board: Board, view: DeskView) -> str:
    """
    Where the desk's script subscribes to the stream of its own view (going shown or
    not, the placement asked for): L{openspace.web.desk_live}.
    """
    asked = {
        "going": "1" if view.show_going else "",
        "placement": view.placement[0] if view.placement is not None else "",
    }
    query = urlencode({name: value for name, value in asked.items() if value})
    return desk_url(board, "live") + (f"?{query}" if query else "")


def live_region(board: Board, view: DeskView) -> list[Tag]:
    """
    The sections of the desk's live region: the same markup for every facilitator,
    and what L{openspace.web.pages.desk_fragments} ships piece by piece.
    """
    return [
        report_section(board),
        sessions_section(board, view.now),
        meetup_section(board, view.now),
        cells_section(board, view.now),
        placement_section(board, view.now, view.placement),
        log_section(board, log_lines(board, view.log, view.undoable), view.show_going),
    ]


def _contents() -> Tag:
    """
    Jump links: on a phone the desk is a long page.
    """
    parts = (
        ("reports-title", "Reports"),
        ("sessions-title", "Sessions"),
        ("meetups-title", "Meetups"),
        ("cells-title", "Rooms and slots"),
        ("placement-title", "Placement"),
        ("undo-title", "Changes"),
        ("moderation-title", "Settings"),
        ("layout-title", "Layout"),
        ("webhooks-title", "Webhooks"),
    )
    return tags.nav(class_="desk-nav", **{"aria-label": "Desk sections"})(
        tags.ul([tags.li(tags.a(href=f"#{target}")(label)) for target, label in parts])
    )


def sessions_section(board: Board, now: datetime) -> Tag:
    rows = [
        session_row(board, session, now)
        for session in sorted(board.sessions.values(), key=lambda s: (s.slot, s.room))
    ]
    bulk = tags.p(class_="bulk")(
        tags.button(form="sessions-form", name="bulk", value="hide")("Hide selected"),
        " ",
        tags.button(form="sessions-form", name="bulk", value="show")("Show selected"),
    )
    return table_section(
        "sessions",
        sessions_title(board),
        ("Select", "Session", "Host", "Where", "Going", "Actions"),
        rows,
        before=bulk if rows else "",
    )


def sessions_title(board: Board) -> Tag:
    """
    The sessions' heading, with their count: its own fragment when rows come and go.
    """
    return tags.h2(id="sessions-title", **frag("sessions-title"))(
        f"Sessions ({len(board.sessions)})"
    )


def session_row(board: Board, session: Session, now: datetime) -> Tag:
    """
    One session's row: its own fragment when only its "going" changed.
    """
    zone = board.info.zone
    slot = board.slot(session.slot)
    room = board.room(session.room)
    state = "hide" if not session.hidden else "show"
    bigger = bigger_room(board, session, now)
    pick = f"pick-{session.id}"
    # Its slot and room: where screen.js puts a new or moved row (the order above).
    keys = {"data-session-id": session.id, "data-slot": session.slot, "data-room": session.room}
    return tags.tr(**keys, **frag(f"session:{session.id}"))(
        tags.td(
            tags.input(
                type="checkbox",
                form="sessions-form",
                name="pick",
                value=session.id,
                id=pick,
            ),
            tags.label(for_=pick, class_="visually-hidden")(f"Select “{session.title}”"),
        ),
        tags.td(
            tags.a(href=session_url(board, session.id))(session.title),
            " (hidden)" if session.hidden else "",
        ),
        tags.td(session.host),
        tags.td(
            room.name if room else session.room,
            ", ",
            time_tag(slot, zone, with_day=True) if slot else session.slot,
        ),
        tags.td(seats(len(session.going), room), " ", fill_badge(len(session.going), room)),
        tags.td(class_="actions")(
            tags.a(href=f"{session_url(board, session.id)}/edit")("Edit or move"),
            " ",
            tags.button(form="sessions-form", name=state, value=session.id)(state.capitalize()),
            " ",
            tags.button(form="sessions-form", name="cancel", value=session.id, class_="danger")(
                "Cancel"
            ),
            " ",
            move_button(bigger, "sessions-form", f"{session.id}/{bigger.id}")
            if bigger is not None
            else "",
        ),
    )


def cells_section(board: Board, now: datetime) -> Tag:
    rooms = [room for room in board.rooms if room.kind is RoomKind.room]
    holders = holders_of(board)
    rows = [cells_row(board, slot, rooms, holders, now) for slot in board.slots]
    if rows:
        rows.append(
            tags.tr(
                tags.th(scope="row")("Whole room"),
                [tags.td(class_="actions")(_whole("room", room.id, room.name)) for room in rooms],
                tags.td("—"),
            )
        )
    headings = ("Slot", *(room.name for room in rooms), "Whole slot")
    return table_section("cells", "Rooms and slots", headings, rows)


def holders_of(board: Board) -> dict[Cell, Session]:
    return {session.cell: session for session in board.sessions.values()}


def cells_row(
    board: Board, slot: Slot, rooms: Sequence[Room], holders: Mapping[Cell, Session], now: datetime
) -> Tag:
    """
    One slot's row of the grid: its own fragment when a cell of it changes.
    """
    zone = board.info.zone
    span = f"{day_label(slot.start, zone)} {slot_span(slot, zone)}"
    where = slot_span(slot, zone)
    return tags.tr(**frag(f"slot:{slot.id}"))(
        tags.th(scope="row")(time_tag(slot, zone, with_day=True)),
        [_cell(board, holders, Cell(room.id, slot.id), room.name, where, now) for room in rooms],
        tags.td(class_="actions")(_whole("slot", slot.id, span)),
    )


def _cell(
    board: Board,
    holders: Mapping[Cell, Session],
    cell: Cell,
    room_name: str,
    span: str,
    now: datetime,
) -> Tag:
    where = f"{room_name} at {span}"
    holder = holders.get(cell)
    value = cell_value(cell.room, cell.slot)
    if holder is not None:
        return tags.td(holder.title)
    slot = board.slot(cell.slot)
    if cell in board.blocked:
        return tags.td(class_="blocked")(
            "Blocked ",
            tags.button(form="cells-form", name="unblock", value=value)(
                "Unblock", tags.span(class_="visually-hidden")(f" {where}")
            ),
        )
    return tags.td(
        "Free " if slot is not None and slot.end > now else "",
        tags.button(form="cells-form", name="block", value=value)(
            "Block", tags.span(class_="visually-hidden")(f" {where}")
        ),
    )


def _whole(kind: str, value: str, what: str) -> list[Tag | str]:
    """
    "Block slot" / "Unblock slot" (or room) buttons: each one event, one undo.
    """
    return [
        tags.button(form="cells-form", name=f"block-{kind}", value=value)(
            f"Block {kind}", tags.span(class_="visually-hidden")(f" {what}")
        ),
        " ",
        tags.button(form="cells-form", name=f"unblock-{kind}", value=value)(
            f"Unblock {kind}", tags.span(class_="visually-hidden")(f" {what}")
        ),
    ]


def _layout(board: Board, csrf: str, layout: str, errors: Errors) -> Tag:
    return tags.section(**{"aria-labelledby": "layout-title"})(
        tags.h2(id="layout-title")("Edit rooms and slots"),
        tags.form(method="post", action=desk_url(board, "layout"))(
            hidden("csrf", csrf),
            field(
                "layout",
                "The event as TOML",
                text_area(layout, maxlength=LAYOUT_MAX, rows=18),
                errors,
                hint="Same format as `openspace event load`. A change that would strand a "
                "session is refused and nothing changes.",
            ),
            tags.button(type="submit", class_="primary")("Save rooms and slots"),
        ),
    )


def layout_toml(board: Board) -> str:
    """
    The board's layout in the event-file format (L{openspace.eventfile}).
    """
    zone = board.info.zone

    def string(text: str) -> str:
        # A JSON string is a valid TOML basic string.
        return json.dumps(text, ensure_ascii=False)

    lines = [
        f"slug = {string(board.info.slug)}",
        f"name = {string(board.info.name)}",
        f"timezone = {string(board.info.timezone)}",
    ]
    for room in board.rooms:
        lines += ["", "[[rooms]]", f"id = {string(room.id)}", f"name = {string(room.name)}"]
        if room.capacity is not None:
            lines.append(f"capacity = {room.capacity}")
        lines += [
            f"where = {string(room.where)}",
            f"access = {string(room.access)}",
            f"kind = {string(room.kind.value)}",
        ]
    for day in board.days():
        spans = [
            string(f"{s.start.astimezone(zone):%H:%M}-{s.end.astimezone(zone):%H:%M}")
            for s in board.slots
            if s.start.astimezone(zone).date() == day
        ]
        lines += ["", "[[days]]", f'date = "{day.isoformat()}"', f"slots = [{', '.join(spans)}]"]
    for cell in sorted(board.blocked):
        lines += ["", "[[blocked]]", f"room = {string(cell.room)}", f"slot = {string(cell.slot)}"]
    return "\n".join(lines) + "\n"
