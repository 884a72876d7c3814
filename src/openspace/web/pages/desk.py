"""
The facilitator's desk: sign in, every session (hidden ones too), the grid of cells to
block and unblock, the last changes to undo, and the event's rooms and slots as TOML.

Many buttons share one form each (C{form="…"} attributes), so a big grid costs one
CSRF token, not one per cell.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.describe import describe_change
from openspace.events import Logged
from openspace.model import Board, Cell, RoomKind
from openspace.web.assets import Assets
from openspace.web.pages.html import (
    Errors,
    cell_value,
    document,
    error_summary,
    field,
    hidden,
    live_attrs,
    main_tag,
    session_url,
    slot_span,
    text_area,
    time_tag,
    top_bar,
)

LOG_SHOWN = 50
LAYOUT_MAX = 60_000


def _desk_url(board: Board, action: str = "") -> str:
    return f"/e/{board.info.slug}/desk" + (f"/{action}" if action else "")


def signin_page(assets: Assets, board: Board, csrf: str, errors: Errors) -> Tag:
    form = tags.form(method="post", action=_desk_url(board, "signin"), novalidate="")(
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


def desk_page(
    assets: Assets,
    board: Board,
    now: datetime,
    csrf: str,
    log: Sequence[Logged],
    undoable: frozenset[int],
    layout: str,
    errors: Errors,
    webhooks: Tag | str = "",
) -> Tag:
    return document(
        assets,
        f"Facilitator desk — {board.info.name}",
        top_bar(
            board,
            tags.form(method="post", action=_desk_url(board, "signout"), class_="inline")(
                hidden("csrf", csrf), tags.button(type="submit")("Sign out")
            ),
        ),
        main_tag(class_="desk")(
            tags.h1("Facilitator desk"),
            error_summary(errors) if "" in errors else "",
            # Kept current by live.js; the layout form below is left as typed.
            tags.div(**live_attrs(board))(
                _sessions(board, csrf),
                _cells(board, now, csrf),
                _log(board, csrf, log, undoable),
            ),
            _layout(board, csrf, layout, errors),
            webhooks,
        ),
        scripts=("common.js", "live.js"),
    )


def _sessions(board: Board, csrf: str) -> Tag:
    rows = []
    zone = board.info.zone
    for session in sorted(board.sessions.values(), key=lambda s: (s.slot, s.room)):
        slot = board.slot(session.slot)
        room = board.room(session.room)
        state = "hide" if not session.hidden else "show"
        rows.append(
            tags.tr(**{"data-session-id": session.id})(
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
                tags.td(str(len(session.going))),
                tags.td(
                    tags.a(href=f"{session_url(board, session.id)}/edit")("Edit or move"),
                    " ",
                    tags.button(form="sessions-form", name=state, value=session.id)(
                        state.capitalize()
                    ),
                    " ",
                    tags.button(
                        form="sessions-form", name="cancel", value=session.id, class_="danger"
                    )("Cancel"),
                ),
            )
        )
    return _table_section(
        board,
        csrf,
        "sessions",
        f"Sessions ({len(rows)})",
        ("Session", "Host", "Where", "Going", ""),
        rows,
    )


def _cells(board: Board, now: datetime, csrf: str) -> Tag:
    zone = board.info.zone
    rooms = [room for room in board.rooms if room.kind is RoomKind.room]
    rows = []
    for slot in board.slots:
        cells: list[Tag] = [tags.th(scope="row")(time_tag(slot, zone, with_day=True))]
        for room in rooms:
            cell = Cell(room.id, slot.id)
            where = f"{room.name} at {slot_span(slot, zone)}"
            holder = board.session_in(cell)
            value = cell_value(room.id, slot.id)
            if holder is not None:
                content = tags.td(holder.title)
            elif cell in board.blocked:
                content = tags.td(class_="blocked")(
                    "Blocked ",
                    tags.button(
                        form="cells-form",
                        name="unblock",
                        value=value,
                        **{"aria-label": f"Unblock {where}"},
                    )("Unblock"),
                )
            else:
                content = tags.td(
                    "Free " if slot.end > now else "",
                    tags.button(
                        form="cells-form",
                        name="block",
                        value=value,
                        **{"aria-label": f"Block {where}"},
                    )("Block"),
                )
            cells.append(content)
        rows.append(tags.tr(cells))
    headings = ("Slot", *(room.name for room in rooms))
    return _table_section(board, csrf, "cells", "Rooms and slots", headings, rows)


def _log(board: Board, csrf: str, log: Sequence[Logged], undoable: frozenset[int]) -> Tag:
    zone = board.info.zone
    rows = []
    for entry in reversed(log):
        rows.append(
            tags.tr(
                tags.td(f"#{entry.seq}"),
                tags.td(entry.at.astimezone(zone).strftime("%a %H:%M:%S")),
                tags.td(entry.actor),
                tags.td(describe_change(entry.change)),
                tags.td(
                    tags.button(
                        form="undo-form",
                        name="upto",
                        value=str(entry.seq),
                        **{"aria-label": f"Undo #{entry.seq} and every later change"},
                    )("Undo back to here")
                    if entry.seq in undoable
                    else ""
                ),
            )
        )
    headings = ("#", "When", "Who", "What", "")
    return _table_section(board, csrf, "undo", f"Recent changes (last {LOG_SHOWN})", headings, rows)


def _table_section(
    board: Board,
    csrf: str,
    action: str,
    title: str,
    headings: Sequence[str],
    rows: list[Tag],
) -> Tag:
    """
    A titled table whose buttons all submit the one form C{action}-form.
    """
    return tags.section(**{"aria-labelledby": f"{action}-title"})(
        tags.h2(id=f"{action}-title")(title),
        tags.form(id=f"{action}-form", method="post", action=_desk_url(board, action))(
            hidden("csrf", csrf)
        ),
        tags.table(
            tags.thead(tags.tr([tags.th(scope="col")(h) for h in headings])),
            tags.tbody(rows),
        )
        if rows
        else tags.p("Nothing yet."),
    )


def _layout(board: Board, csrf: str, layout: str, errors: Errors) -> Tag:
    return tags.section(**{"aria-labelledby": "layout-title"})(
        tags.h2(id="layout-title")("Edit rooms and slots"),
        tags.form(method="post", action=_desk_url(board, "layout"))(
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
