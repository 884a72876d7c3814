"""
The host's pages: propose a session, edit/move/swap/cancel it, start a hallway meetup.

Each form is rendered from the values the person typed and the errors the board gave,
so a refused form comes back with every field kept and the reason next to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.capacity import bigger_room
from openspace.fields import (
    DESCRIPTION_MAX,
    HOST_MAX,
    MEETUP_MINUTES,
    PLACE_MAX,
    TITLE_MAX,
)
from openspace.model import Board, Meetup, Room, Session, Slot
from openspace.web.assets import Assets
from openspace.web.offline import offline_head
from openspace.web.pages.form_checks import hallway_spots
from openspace.web.pages.html import (
    Errors,
    back_page,
    board_url,
    cell_picker,
    cell_value,
    document,
    error_summary,
    field,
    hidden,
    hm,
    main_tag,
    select,
    session_url,
    slot_span,
    text_area,
    text_input,
    top_bar,
)
from openspace.web.pages.timeline import free_rooms_by_slot

Values = Mapping[str, str]
MEETUP_LENGTHS = (15, 30, 45, 60, 90, 120)
FORM_SCRIPTS = ("forms.js",)


def session_fields(values: Values, errors: Errors) -> list[Tag]:
    return [
        field("title", "Title", text_input(values.get("title", ""), maxlength=TITLE_MAX), errors),
        field(
            "description",
            "Description (optional)",
            text_area(values.get("description", ""), maxlength=DESCRIPTION_MAX),
            errors,
        ),
        field("host", "Your name", text_input(values.get("host", ""), maxlength=HOST_MAX), errors),
        field(
            "tags",
            "Tags (optional)",
            text_input(values.get("tags", ""), maxlength=300, required=False),
            errors,
            hint="Separate them with commas, e.g. packaging, beginners",
        ),
    ]


def free_cells_by_slot(
    board: Board, now: datetime, also: tuple[str, str] | None = None
) -> list[tuple[Slot, Iterable[Room]]]:
    """
    The free cells grouped by slot; C{also} adds one (room, slot) cell (a session's own).
    """
    free = free_rooms_by_slot(board, now)
    grouped: list[tuple[Slot, Iterable[Room]]] = []
    for slot in board.slots:
        rooms = list(free.get(slot.id, ()))
        if also is not None and also[1] == slot.id:
            own = board.room(also[0])
            if own is not None:
                rooms = sorted([*rooms, own], key=board.rooms.index)
        if rooms:
            grouped.append((slot, rooms))
    return grouped


def _form_page(
    assets: Assets,
    board: Board,
    title: str,
    *content: Tag | str,
    errors: Errors | None = None,
    offline: bool = False,
) -> Tag:
    # "Error:" first in the title: the first thing a screen reader says of a refused form.
    prefix = "Error: " if errors else ""
    return back_page(
        assets,
        board,
        title,
        *content,
        title=prefix + title,
        scripts=FORM_SCRIPTS,
        # Proposing and starting a meetup work offline: queued, sent when back online.
        extra_head=offline_head(assets, board) if offline else (),
    )


def propose_page(
    assets: Assets, board: Board, now: datetime, csrf: str, values: Values, errors: Errors
) -> Tag:
    form = tags.form(method="post", action=f"/e/{board.info.slug}/propose", novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        session_fields(values, errors),
        cell_picker(board, free_cells_by_slot(board, now), values.get("cell", ""), errors),
        tags.button(type="submit", class_="primary")("Propose"),
    )
    return _form_page(assets, board, "Propose a session", form, errors=errors, offline=True)


def link_box(link: str) -> Tag:
    """
    A private link with a "Copy" button (shown by C{static/forms.js}: without
    JavaScript there is nothing to press, and the link is selectable as it is).
    """
    return tags.p(class_="link-box")(
        tags.a(class_="edit-link", id="edit-link", href=link)(link),
        " ",
        tags.button(type="button", class_="copy", hidden="", **{"data-copy": "edit-link"})(
            "Copy the link"
        ),
        tags.span(class_="copy-status", role="status"),
    )


def edit_link_notice(link: str, heading: str = "Your session is on the board") -> Tag:
    """
    The private edit link, shown once, right after proposing (or starting a meetup).
    """
    return tags.section(class_="notice", **{"aria-labelledby": "link-title"})(
        tags.h2(id="link-title")(heading),
        tags.p(
            "This is your private edit link. Keep it: it is shown only this once. "
            "This browser remembers it, so you can edit from here without it."
        ),
        link_box(link),
    )


def on_the_board_notice(board: Board, session: Session) -> Tag:
    """
    What a reload of the page after proposing says: the private link is not shown
    again, and this browser can edit without it.
    """
    return tags.section(class_="notice", **{"aria-labelledby": "link-title"})(
        tags.h2(id="link-title")("Your session is on the board"),
        tags.p(
            "Its private edit link was shown once, when you proposed it. "
            "This browser remembers it: ",
            tags.a(href=f"{session_url(board, session.id)}/edit")("edit your session"),
            ".",
        ),
    )


def proposed_page(assets: Assets, board: Board, session: Session, notice: Tag) -> Tag:
    """
    The page after proposing (a GET, so reloading it proposes nothing).
    """
    slot = board.slot(session.slot)
    room = board.room(session.room)
    when = slot_span(slot, board.info.zone) if slot is not None else session.slot
    return document(
        assets,
        f"Your session is on the board — {board.info.name}",
        top_bar(board),
        main_tag(class_="form-page")(
            tags.h1(f"“{session.title}”"),
            tags.p(f"{room.name if room is not None else session.room}, {when}"),
            notice,
            tags.ul(class_="links")(
                tags.li(tags.a(href=session_url(board, session.id))("See your session")),
                tags.li(tags.a(href=f"{session_url(board, session.id)}/edit")("Edit this session")),
            ),
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
        scripts=FORM_SCRIPTS,
    )


def edit_page(
    assets: Assets,
    board: Board,
    session: Session,
    now: datetime,
    csrf: str,
    values: Values,
    errors: Errors,
    others: Sequence[Session],
) -> Tag:
    """
    Edit text and cell in one form; swap with another owned session; cancel.
    """
    base = f"/e/{board.info.slug}/s/{session.id}"
    cells = free_cells_by_slot(board, now, also=(session.room, session.slot))
    edit = tags.form(method="post", action=f"{base}/edit", novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        session_fields(values, errors),
        cell_picker(
            board,
            cells,
            values.get("cell", cell_value(session.room, session.slot)),
            errors,
            legend="Room and time (pick another free one to move)",
        ),
        tags.button(type="submit", class_="primary")("Save changes"),
    )
    parts: list[Tag | str] = [_bigger_room(board, session, now, csrf), edit]
    if others:
        choices = [(other.id, f"{other.title} ({_slot_text(board, other)})") for other in others]
        parts.append(
            tags.form(method="post", action=f"{base}/swap", class_="aside")(
                tags.h2("Swap with another of your sessions"),
                hidden("csrf", csrf),
                field("other", "Swap places with", select(choices, ""), errors),
                tags.button(type="submit")("Swap"),
            )
        )
    parts.append(
        tags.section(class_="aside danger", **{"aria-labelledby": "cancel-title"})(
            tags.h2(id="cancel-title")("Cancel this session"),
            tags.p("It disappears from the board and its room becomes free."),
            # Without JavaScript: a second page asks "are you sure?". With it
            # (static/forms.js), the question opens here instead.
            tags.form(method="get", action=f"{base}/cancel", **{"data-confirm": "cancel-confirm"})(
                tags.button(type="submit", class_="danger")("Cancel the session…")
            ),
            cancel_confirm_form(board, session, csrf, hidden_first=True),
        )
    )
    parts.append(tags.p(tags.a(href=session_url(board, session.id))("← Back to the session")))
    return _form_page(assets, board, f"Edit “{session.title}”", *parts, errors=errors)


def cancel_confirm_form(
    board: Board, session: Session, csrf: str, *, hidden_first: bool = False
) -> Tag:
    """
    The second step of cancelling: the question and the one button that does it.
    """
    base = session_url(board, session.id)
    form = tags.form(
        method="post",
        action=f"{base}/cancel",
        id="cancel-confirm",
        class_="confirm",
        **{"aria-labelledby": "cancel-question"},
    )(
        tags.p(id="cancel-question", class_="question")(
            f"Cancel “{session.title}” for good? People who planned to go will see that "
            "it was cancelled."
        ),
        hidden("csrf", csrf),
        hidden("confirm", "yes"),
        tags.button(type="submit", class_="danger")("Yes, cancel it"),
        " ",
        tags.a(href=f"{base}/edit", class_="keep", **{"data-dismiss": "cancel-confirm"})(
            "No, keep it"
        ),
    )
    return form(hidden="") if hidden_first else form


def cancel_page(assets: Assets, board: Board, session: Session, csrf: str) -> Tag:
    return _form_page(
        assets,
        board,
        f"Cancel “{session.title}”?",
        tags.p("It disappears from the board and its room becomes free."),
        cancel_confirm_form(board, session, csrf),
    )


def _bigger_room(board: Board, session: Session, now: datetime, csrf: str) -> Tag | str:
    """
    For a full session with a bigger room free at the same time: the move, one click
    (the edit form's own route, so a room taken meanwhile is refused like any move).
    """
    room = bigger_room(board, session, now)
    if room is None:
        return ""
    return tags.form(
        method="post", action=f"/e/{board.info.slug}/s/{session.id}/edit", class_="notice"
    )(
        tags.p(
            f"“{session.title}” is full: {len(session.going)} going for "
            f"{room_seats(board, session)} seats."
        ),
        hidden("csrf", csrf),
        hidden("title", session.title),
        hidden("description", session.description),
        hidden("host", session.host),
        hidden("tags", ", ".join(session.tags)),
        hidden("cell", cell_value(room.id, session.slot)),
        tags.button(type="submit", class_="primary")(
            f"Move to {room.name} ({room.capacity} seats)"
        ),
    )


def room_seats(board: Board, session: Session) -> str:
    room = board.room(session.room)
    return "?" if room is None or room.capacity is None else str(room.capacity)


def _slot_text(board: Board, session: Session) -> str:
    slot = board.slot(session.slot)
    room = board.room(session.room)
    where = room.name if room is not None else session.room
    if slot is None:
        return where
    return f"{where}, {slot.start.astimezone(board.info.zone).strftime('%a %H:%M')}"


def meetup_page(
    assets: Assets,
    board: Board,
    csrf: str,
    values: Values,
    errors: Errors,
    *,
    planned: Meetup | None = None,
    mine: Sequence[Meetup] = (),
) -> Tag:
    """
    Start a meetup now, in half an hour or at a time today; at the first hallway spot
    unless the person picks another (or types where).  C{mine}: this phone's meetups
    that have not ended, each with a link to change or end it.
    """
    spots = hallway_spots(board)
    lengths = [(str(m), f"{m} minutes") for m in meetup_lengths()]
    when = values.get("when", "now")
    form = tags.form(method="post", action=f"/e/{board.info.slug}/meetup", novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        field(
            "title",
            "What is it about?",
            text_input(values.get("title", ""), maxlength=TITLE_MAX),
            errors,
        ),
        field(
            "spot",
            "Where",
            select(
                [*spots, ("", "Somewhere else (say where below)")],
                values.get("spot", spots[0][0] if spots else ""),
            ),
            errors,
        ),
        field(
            "place",
            "Somewhere else",
            text_input(values.get("place", ""), maxlength=PLACE_MAX, required=False),
            errors,
            hint="e.g. by the big plant on level 2 (used instead of the spot above)",
        ),
        radio_group(
            "when",
            "When does it start?",
            [("now", "Now"), ("later", "In 30 minutes"), ("at", "At a time today")],
            when if when in ("now", "later", "at") else "now",
            errors,
        ),
        field(
            "at",
            "Time today",
            tags.input(type="time", value=values.get("at", "")),
            errors,
            hint=f"For “At a time today”, in the event's time ({board.info.timezone}).",
        ),
        field("minutes", "For how long", select(lengths, values.get("minutes", "30")), errors),
        tags.button(type="submit", class_="primary")("Start the meetup"),
    )
    notice = planned_notice(board, planned) if planned is not None else ""
    own = (
        tags.section(class_="aside", **{"aria-labelledby": "mine-title"})(
            tags.h2(id="mine-title")("Your meetups"),
            tags.ul(
                [
                    tags.li(
                        tags.a(href=f"/e/{board.info.slug}/m/{m.id}/edit")(
                            f"Change or end “{m.title}”"
                        )
                    )
                    for m in mine
                ]
            ),
        )
        if mine
        else ""
    )
    return _form_page(
        assets, board, "Start a hallway meetup", notice, form, own, errors=errors, offline=True
    )


def planned_notice(board: Board, meetup: Meetup) -> Tag:
    """
    The meetup just planned for later: the board shows it once it starts.
    """
    zone = board.info.zone
    return tags.section(class_="notice", **{"aria-labelledby": "planned-title"})(
        tags.h2(id="planned-title")(f"“{meetup.title}” is planned"),
        tags.p(
            f"{meetup.place}, {hm(meetup.starts, zone)}–{hm(meetup.ends, zone)}. "
            "It shows on the board and the screens when it starts."
        ),
    )


def meetup_lengths() -> list[int]:
    low, high = MEETUP_MINUTES
    return [m for m in MEETUP_LENGTHS if low <= m <= high]


def radio_group(
    name: str, legend: str, choices: Sequence[tuple[str, str]], checked: str, errors: Errors
) -> Tag:
    error = errors.get(name)
    radios = []
    for value, label in choices:
        radio = tags.input(type="radio", name=name, value=value)
        radios.append(
            tags.label(class_="choice")(
                radio(checked="") if value == checked else radio, f" {label}"
            )
        )
    return tags.fieldset(
        id=name,
        class_="field invalid" if error else "field",
        **({"aria-describedby": f"{name}-error"} if error else {}),
    )(
        tags.legend(legend),
        tags.p(class_="error", id=f"{name}-error")(error) if error else "",
        radios,
    )
