"""
The host's pages: propose a session, edit/move/swap/cancel it, start a hallway meetup.

Each form is rendered from the values the person typed and the errors the board gave,
so a refused form comes back with every field kept and the reason next to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from twisted.web.template import Tag, tags

from openspace.fields import (
    DESCRIPTION_MAX,
    HOST_MAX,
    MEETUP_MINUTES,
    PLACE_MAX,
    TITLE_MAX,
)
from openspace.model import Board, Room, RoomKind, Session, Slot
from openspace.web.assets import Assets
from openspace.web.offline import offline_head
from openspace.web.pages.html import (
    Errors,
    board_url,
    cell_picker,
    cell_value,
    document,
    error_summary,
    field,
    hidden,
    main_tag,
    select,
    session_url,
    text_area,
    text_input,
    top_bar,
)
from openspace.web.pages.timeline import free_rooms_by_slot

Values = Mapping[str, str]
MEETUP_LENGTHS = (15, 30, 45, 60, 90, 120)


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
    assets: Assets, board: Board, title: str, *content: Tag | str, offline: bool = False
) -> Tag:
    return document(
        assets,
        f"{title} — {board.info.name}",
        top_bar(board),
        main_tag(class_="form-page")(
            tags.h1(title),
            *content,
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
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
    return _form_page(assets, board, "Propose a session", form, offline=True)


def edit_link_notice(link: str) -> Tag:
    """
    The private edit link, shown once, right after proposing.
    """
    return tags.section(class_="notice", role="status", **{"aria-labelledby": "link-title"})(
        tags.h2(id="link-title")("Your session is on the board"),
        tags.p(
            "This is your private edit link. Keep it: it is shown only this once. "
            "This browser remembers it, so you can edit from here without it."
        ),
        tags.p(tags.a(class_="edit-link", href=link)(link)),
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
    parts: list[Tag | str] = [edit]
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
        tags.form(method="post", action=f"{base}/cancel", class_="aside danger")(
            tags.h2("Cancel this session"),
            tags.p("It disappears from the board and its room becomes free."),
            hidden("csrf", csrf),
            tags.button(type="submit", class_="danger")("Cancel the session"),
        )
    )
    parts.append(tags.p(tags.a(href=session_url(board, session.id))("← Back to the session")))
    return _form_page(assets, board, f"Edit “{session.title}”", *parts)


def _slot_text(board: Board, session: Session) -> str:
    slot = board.slot(session.slot)
    room = board.room(session.room)
    where = room.name if room is not None else session.room
    if slot is None:
        return where
    return f"{where}, {slot.start.astimezone(board.info.zone).strftime('%a %H:%M')}"


def meetup_page(assets: Assets, board: Board, csrf: str, values: Values, errors: Errors) -> Tag:
    spots = [(room.id, room.name) for room in board.rooms if room.kind is RoomKind.hallway]
    low, high = MEETUP_MINUTES
    lengths = [(str(m), f"{m} minutes") for m in MEETUP_LENGTHS if low <= m <= high]
    form = tags.form(method="post", action=f"/e/{board.info.slug}/meetup", novalidate="")(
        error_summary(errors),
        hidden("csrf", csrf),
        field(
            "title", "What about?", text_input(values.get("title", ""), maxlength=TITLE_MAX), errors
        ),
        field(
            "spot",
            "Where",
            select([*spots, ("", "Somewhere else (say where below)")], values.get("spot", "")),
            errors,
        ),
        field(
            "place",
            "Somewhere else",
            text_input(values.get("place", ""), maxlength=PLACE_MAX, required=False),
            errors,
            hint="e.g. by the big plant on level 2",
        ),
        field("minutes", "For how long", select(lengths, values.get("minutes", "30")), errors),
        tags.button(type="submit", class_="primary")("Start it now"),
    )
    return _form_page(assets, board, "Start a hallway meetup", form, offline=True)
