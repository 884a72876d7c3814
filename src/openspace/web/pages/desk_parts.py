"""
Sections of the facilitator's desk beside the sessions and the grid: the report queue,
meetups, placement suggestions, the change log with its undo buttons, and the
moderation settings; and the table layout they share.

Every button's visible words start its accessible name (the rest, e.g. which change
it undoes, is visually hidden text), so speech users can say what they see.

The sections of the desk's live region hold no CSRF token and nothing else about who
asks: their buttons and hidden fields submit the forms of L{desk_forms}, which stand
outside the region with the token.  So the region's markup is the same for every
facilitator at a given seq and view, and an event's desk fragments
(L{openspace.web.pages.desk_fragments}) are the very markup of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen
from twisted.web.template import Tag, tags

from openspace.describe import describe_change, person, who
from openspace.events import Logged
from openspace.model import Board, Meetup, Room
from openspace.placement import Placement, seated
from openspace.reports import report_queue
from openspace.web.pages.html import (
    Errors,
    day_label,
    field,
    hidden,
    hm,
    slot_span,
)

LOG_SHOWN = 50


def desk_url(board: Board, action: str = "") -> str:
    return f"/e/{board.info.slug}/desk" + (f"/{action}" if action else "")


def quiet(text: str) -> Tag:
    return tags.span(class_="visually-hidden")(text)


FORMS = ("reports", "sessions", "meetups", "cells", "placement", "undo")
"""
The desk's shared forms, one per section of its live region (C{<action>-form}).
"""


def frag(key: str) -> dict[str, str]:
    """
    The C{data-frag} attribute of a piece of the desk that an event may replace.
    """
    return {"data-frag": f"desk:{key}"}


def desk_forms(board: Board, csrf: str, show_going: bool) -> Tag:
    """
    The forms the live region's buttons submit (through their C{form} attribute), with
    the visitor's CSRF token; the undo form says to come back to the view with going.
    """
    forms = []
    for action in FORMS:
        extra = hidden("going", "1") if action == "undo" and show_going else ""
        forms.append(
            tags.form(id=f"{action}-form", method="post", action=desk_url(board, action))(
                hidden("csrf", csrf), extra
            )
        )
    return tags.div(class_="desk-forms")(forms)


def table_section(
    action: str,
    title: str | Tag,
    headings: Sequence[str],
    rows: list[Tag],
    *,
    before: Tag | str = "",
    empty: str = "Nothing yet.",
) -> Tag:
    """
    A titled table whose buttons all submit the one form C{action}-form (L{desk_forms});
    wide tables scroll sideways on a phone in a focusable region.  C{title} is the
    heading's text, or the heading itself (with the id C{<action>-title}).
    """
    heading = title if isinstance(title, Tag) else tags.h2(id=f"{action}-title")(title)
    return tags.section(**{"aria-labelledby": f"{action}-title"}, **frag(action))(
        heading,
        before,
        tags.div(
            class_="table-scroll", tabindex="0", role="region", **{"aria-label": f"{title}: table"}
        )(
            tags.table(
                tags.thead(tags.tr([tags.th(scope="col")(h) for h in headings])),
                tags.tbody(rows),
            )
        )
        if rows
        else tags.p(empty),
    )


def move_button(room: Room, form: str, value: str) -> Tag:
    """
    "Move to <room> (N seats)": one click, refused cleanly if the room was taken since.
    """
    return tags.button(form=form, name="move", value=value, class_="primary")(
        f"Move to {room.name} ({room.capacity} seats)"
    )


# --- reports ---------------------------------------------------------------------------


def report_section(board: Board) -> Tag:
    rows = []
    for reported in report_queue(board):
        reasons = tags.ul([tags.li(reason) for reason in reported.reasons[:5]])
        named = f"{reported.kind} “{reported.title}”"
        rows.append(
            tags.tr(
                tags.td(
                    reported.kind.capitalize(),
                    ": ",
                    reported.title,
                    " (hidden)" if reported.hidden else "",
                ),
                tags.td(str(reported.count)),
                tags.td(reasons if reported.reasons else "—"),
                tags.td(class_="actions")(
                    ""
                    if reported.hidden
                    else tags.button(form="reports-form", name="hide", value=reported.item)(
                        "Hide", quiet(f" {named} and clear its reports")
                    ),
                    " ",
                    tags.button(form="reports-form", name="dismiss", value=reported.item)(
                        "Dismiss", quiet(f" the reports on {named}")
                    ),
                ),
            )
        )
    return table_section(
        "reports",
        f"Reports ({len(rows)})",
        ("Reported", "Reports", "Reasons", "Actions"),
        rows,
        empty="No reports.",
    )


# --- meetups ---------------------------------------------------------------------------


def meetup_section(board: Board, now: datetime) -> Tag:
    zone = board.info.zone
    rows = []
    shown = sorted(board.meetups.values(), key=lambda m: m.starts)
    for meetup in (m for m in shown if m.ends > now or m.hidden):
        state = "show" if meetup.hidden else "hide"
        named = f" “{meetup.title}”"
        when = f"{day_label(meetup.starts, zone)} {hm(meetup.starts, zone)}–{hm(meetup.ends, zone)}"
        rows.append(
            tags.tr(**{"data-meetup-id": meetup.id})(
                tags.td(meetup.title, " (hidden)" if meetup.hidden else ""),
                tags.td(meetup.place),
                tags.td(when, " (now)" if meetup.running_at(now) else ""),
                tags.td(class_="actions")(
                    tags.a(href=f"/e/{board.info.slug}/m/{meetup.id}/edit")("Edit", quiet(named)),
                    " ",
                    tags.button(form="meetups-form", name=state, value=meetup.id)(
                        state.capitalize(), quiet(named)
                    ),
                    " ",
                    _end_button(meetup, now),
                ),
            )
        )
    return table_section(
        "meetups",
        f"Meetups ({len(rows)})",
        ("Meetup", "Where", "When", "Actions"),
        rows,
        empty="No meetups now or later.",
    )


def _end_button(meetup: Meetup, now: datetime) -> Tag:
    named = quiet(f" “{meetup.title}”")
    if meetup.running_at(now):
        return tags.button(form="meetups-form", name="end", value=meetup.id)("End now", named)
    return tags.button(form="meetups-form", name="remove", value=meetup.id, class_="danger")(
        "Remove", named
    )


# --- placement -------------------------------------------------------------------------


def placement_section(
    board: Board, now: datetime, asked: tuple[str, Placement | None] | None
) -> Tag:
    """
    The placement chooser, and the suggestion C{asked} for (a scope and its placement;
    L{None} while it is still being worked out, for the desk's live stream).
    """
    zone = board.info.zone
    options: list[Tag] = []
    for day in board.days():
        options.append(tags.option(value=day.isoformat())(f"All of {day:%a %d %b}"))
    for slot in board.slots:
        if slot.end > now:
            label = f"{day_label(slot.start, zone)} {slot_span(slot, zone)}"
            options.append(tags.option(value=slot.id)(label))
    scope = asked[0] if asked is not None else ""
    for option in options:
        if option.attributes.get("value") == scope:
            option(selected="")
    chooser = tags.form(method="get", action=desk_url(board), class_="inline-form")(
        tags.label(for_="placement")("Suggest room moves for "),
        tags.select(id="placement", name="placement")(options),
        " ",
        tags.button(type="submit")("Suggest"),
    )
    return tags.section(**{"aria-labelledby": "placement-title"}, **frag("placement"))(
        tags.h2(id="placement-title")("Placement"),
        tags.p(
            class_="hint",
        )(
            "Moves sessions between free rooms of their own slot so that more of the "
            "people going get a seat. Sessions starting within "
            f"{board.moderation.freeze_minutes} minutes stay where they are."
        ),
        chooser,
        suggestion(board, asked[1]) if asked is not None else "",
    )


def suggestion(board: Board, placement: Placement | None) -> Tag:
    """
    The suggestion asked for, which every change may alter (its own fragment).
    """
    if placement is None:
        working = tags.p(class_="notice", role="status")("Working out a suggestion…")
        return tags.div(**frag("suggestion"))(working)
    return tags.div(**frag("suggestion"))(_suggested(board, placement))


def _suggested(board: Board, placement: Placement) -> Tag:
    fit = (
        f"Seated: {placement.fit_before} of {placement.expected} people going now, "
        f"{placement.fit_after} after these moves."
    )
    if not placement.moves:
        return tags.p(class_="notice", role="status")("No move would seat more people. ", fit)
    items: list[Any] = []
    values = []
    for move in placement.moves:
        session = board.sessions[move.session_id]
        origin, target = board.room(move.origin), board.room(move.target)
        going = len(session.going)
        items.append(
            tags.li(
                f"“{session.title}” ({going} going): ",
                _room_seats(origin, move.origin),
                " → ",
                _room_seats(target, move.target),
                f"; seated {seated(going, origin)} → {seated(going, target)}",
            )
        )
        value = f"{move.session_id}/{move.origin}/{move.target}"
        values.append(tags.input(type="hidden", name="move", value=value, form="placement-form"))
    return tags.div(class_="notice", role="status")(
        tags.p(fit),
        tags.ul(items),
        tags.p(
            values,
            tags.button(type="submit", form="placement-form", class_="primary")(
                "Apply this move"
                if len(placement.moves) == 1
                else f"Apply these {len(placement.moves)} moves"
            ),
        ),
    )


def _room_seats(room: Room | None, fallback: str) -> str:
    if room is None:
        return fallback
    return f"{room.name} ({room.capacity} seats)"


# --- the log ---------------------------------------------------------------------------


@frozen
class LogLine:
    """
    What one row of the log shows: a change, named as on the board at the time.
    """

    seq: int
    at: str
    who: str
    what: str
    undoable: bool


def log_lines(board: Board, log: Sequence[Logged], undoable: frozenset[int]) -> tuple[LogLine, ...]:
    """
    The rows of the log C{log} (oldest first), newest first.
    """
    zone = board.info.zone
    lines = []
    for entry in reversed(log):
        name = person(entry, board)
        lines.append(
            LogLine(
                entry.seq,
                entry.at.astimezone(zone).strftime("%a %H:%M:%S"),
                who(entry) + (f" ({name})" if name else ""),
                describe_change(entry.change, board),
                entry.seq in undoable,
            )
        )
    return tuple(lines)


def log_row(line: LogLine) -> Tag:
    """
    One change's row: its own fragment (a new change comes in at the top).
    """
    return tags.tr(**frag(f"log:{line.seq}"))(
        tags.td(f"#{line.seq}"),
        tags.td(line.at),
        tags.td(line.who),
        tags.td(line.what),
        tags.td(class_="actions")(_undo_buttons(line.seq) if line.undoable else ""),
    )


def log_section(board: Board, lines: Sequence[LogLine], show_going: bool) -> Tag:
    toggle = (
        tags.a(href=desk_url(board) + "#undo-title")("Hide attendees’ going and reports")
        if show_going
        else tags.a(href=desk_url(board) + "?going=1#undo-title")(
            "Show attendees’ going and reports too"
        )
    )
    return table_section(
        "undo",
        f"Recent changes (last {LOG_SHOWN})",
        ("#", "When", "Who", "What", "Undo"),
        [log_row(line) for line in lines],
        before=tags.p(toggle),
    )


def _undo_buttons(seq: int) -> list[Tag | str]:
    return [
        tags.button(form="undo-form", name="only", value=str(seq))("Undo", quiet(f" #{seq} only")),
        " ",
        tags.button(form="undo-form", name="upto", value=str(seq))(
            "Undo back to here", quiet(f": #{seq} and every later change")
        ),
    ]


# --- settings --------------------------------------------------------------------------


def moderation_section(board: Board, csrf: str, errors: Errors) -> Tag:
    moderation = board.moderation
    auto = "" if moderation.auto_hide is None else str(moderation.auto_hide)
    return tags.section(**{"aria-labelledby": "moderation-title"})(
        tags.h2(id="moderation-title")("Settings"),
        tags.form(method="post", action=desk_url(board, "moderation"))(
            hidden("csrf", csrf),
            field(
                "auto_hide",
                "Hide a session or meetup after this many reports",
                tags.input(type="number", min="1", max="1000", value=auto, inputmode="numeric"),
                errors,
                hint="Distinct attendees. Leave empty to never hide anything by itself.",
            ),
            field(
                "freeze_minutes",
                "Placement leaves alone sessions starting within (minutes)",
                tags.input(
                    type="number",
                    min="0",
                    max="1440",
                    value=str(moderation.freeze_minutes),
                    required="",
                    inputmode="numeric",
                ),
                errors,
            ),
            tags.button(type="submit", class_="primary")("Save settings"),
        ),
    )
