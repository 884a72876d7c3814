"""
The building blocks of every page: the document shell, times, cards and form fields.

Pages are trees of C{twisted.web.template} tags, flattened with auto-escaping: user text
only ever goes in as a string child or an attribute value, never as markup, so there is
no way for a title to become HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from twisted.web.template import Tag, flattenString, tags

from openspace.capacity import FILL_WORDS, fill
from openspace.feed import board_epoch
from openspace.model import Board, Room, Session, Slot
from openspace.web.api import board_etag
from openspace.web.assets import Assets

Errors = Mapping[str, str]
"""
What went wrong in a form, by field name; C{""} for the form as a whole.
"""

CELL_SEPARATOR = "/"  # room and slot ids never contain it


def main_tag(*children: Any, **attributes: str) -> Tag:
    """
    C{<main>}, which C{twisted.web.template.tags} does not know; C{#main} unless it has
    its own id (the skip link's target).
    """
    # tabindex=-1: the skip link moves the focus here, so the next Tab goes on from it.
    return Tag("main")(*children, **{"id": "main", "tabindex": "-1", **attributes})


async def render(root: Tag) -> bytes:
    body: bytes = await flattenString(None, root)
    return b"<!DOCTYPE html>\n" + body


def document(
    assets: Assets,
    title: str,
    *content: Any,
    scripts: Iterable[str] = (),
    body_class: str = "",
    extra_head: Iterable[Tag] = (),
) -> Tag:
    head = tags.head(
        tags.meta(charset="utf-8"),
        tags.meta(name="viewport", content="width=device-width, initial-scale=1"),
        tags.title(title),
        tags.link(rel="stylesheet", href=assets.url("site.css")),
        tags.link(rel="icon", href=assets.url("favicon.ico"), sizes="32x32"),
        tags.link(rel="icon", href=assets.url("favicon.svg"), type="image/svg+xml"),
        [tags.script(src=assets.url(name), defer="") for name in scripts],
        *extra_head,
    )
    target = next(
        (
            str(c.attributes.get("id"))
            for c in content
            if isinstance(c, Tag) and c.tagName == "main" and "id" in c.attributes
        ),
        None,
    )
    skip = tags.a(class_="skip-link", href=f"#{target}")("Skip to the content") if target else ""
    return tags.html(lang="en")(head, tags.body(class_=body_class)(skip, *content))


def back_page(
    assets: Assets,
    board: Board,
    heading: str,
    *content: Any,
    title: str = "",
    main_class: str = "form-page",
    scripts: Iterable[str] = (),
    extra_head: Iterable[Tag] = (),
) -> Tag:
    """
    A page of one event that says or asks one thing, with a way back to the board.
    """
    return document(
        assets,
        f"{title or heading} — {board.info.name}",
        top_bar(board),
        main_tag(class_=main_class)(
            tags.h1(heading),
            *content,
            tags.p(tags.a(href=board_url(board))("← Back to the board")),
        ),
        scripts=scripts,
        extra_head=extra_head,
    )


def top_bar(board: Board, *links: Tag) -> Tag:
    return tags.header(class_="top")(
        tags.a(class_="brand", href=board_url(board))(board.info.name),
        tags.nav(**{"aria-label": "Event"})(links) if links else "",
    )


def live_attrs(board: Board, **extra: int) -> dict[str, str]:
    """
    The data attributes of a page's live region, read by the pages' scripts: the
    board's ETag for conditional polling, its sequence number and epoch (where the live
    connection resumes), and C{extra} settings (C{refresh} becomes C{data-refresh}).
    """
    attrs = {
        "data-live": "",
        "data-slug": board.info.slug,
        "data-seq": str(board.seq),
        "data-etag": board_etag(board).decode("ascii"),
        # With data-seq, lets static/live.js resume from the page's own seq.
        "data-epoch": str(board_epoch(board)),
    }
    attrs.update({f"data-{name.replace('_', '-')}": str(value) for name, value in extra.items()})
    return attrs


# --- URLs ------------------------------------------------------------------------------


def board_url(board: Board) -> str:
    return f"/e/{board.info.slug}/"


def session_url(board: Board, session_id: str) -> str:
    return f"/e/{board.info.slug}/s/{session_id}"


def propose_url(board: Board, room: str | None = None, slot: str | None = None) -> str:
    query = urlencode({"room": room, "slot": slot}) if room and slot else ""
    return f"/e/{board.info.slug}/propose" + (f"?{query}" if query else "")


# --- times and places ------------------------------------------------------------------


def hm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def slot_span(slot: Slot, zone: ZoneInfo) -> str:
    return f"{hm(slot.start, zone)}–{hm(slot.end, zone)}"


def day_label(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b")


def time_tag(slot: Slot, zone: ZoneInfo, *, with_day: bool = False) -> Tag:
    text = slot_span(slot, zone)
    if with_day:
        text = f"{day_label(slot.start, zone)}, {text}"
    return tags.time(datetime=slot.start.astimezone(zone).isoformat())(text)


def epoch_ms(moment: datetime) -> str:
    """
    A moment for scripts: milliseconds since the Unix epoch, as C{Date.now()} counts.
    """
    return str(int(moment.timestamp() * 1000))


def span_attrs(start: datetime, end: datetime) -> dict[str, str]:
    """
    The data attributes by which C{static/screen.js} shows, hides and labels what
    starts and ends (slots, meetups, talks) as the browser's clock moves on.
    """
    return {"data-start": epoch_ms(start), "data-end": epoch_ms(end)}


def shown_if(tag: Tag, shown: bool) -> Tag:
    """
    C{tag}, with the C{hidden} attribute unless C{shown}: the pages' scripts show and
    hide the same elements as the clock moves on.
    """
    return tag if shown else tag(hidden="")


def seats(going: int, room: Room | None) -> str:
    if room is None or room.capacity is None:
        return f"{going} going"
    return f"{going} going · {room.capacity} seats"


def fill_badge(going: int, room: Room | None) -> Tag | str:
    """
    How full a session is, in words (never colour alone): C{<span class="fill"
    data-fill="roomy|filling|full">}; nothing when its room's capacity is unknown.
    """
    state = fill(going, room.capacity if room is not None else None)
    if state is None:
        return ""
    return tags.span(class_="fill", **{"data-fill": state.value})(FILL_WORDS[state])


def room_label(room: Room | None, fallback: str) -> str:
    return fallback if room is None else room.name


def slot_heading_time(slot: Slot, zone: ZoneInfo, *, day_shown: bool) -> Tag:
    """
    A slot's time with its day in a span of its own, which the board's script shows
    or hides as the slot's label ("Now", "Next") comes and goes.
    """
    day = shown_if(tags.span(class_="day")(f"{day_label(slot.start, zone)}, "), day_shown)
    return tags.time(datetime=slot.start.astimezone(zone).isoformat())(day, slot_span(slot, zone))


# --- sessions --------------------------------------------------------------------------


def card(
    board: Board, session: Session, attendee: str | None, *, column: str = "", out: bool = False
) -> Tag:
    """
    One session on the board, with stable data attributes for scripts; C{column} places
    it in the grid (L{openspace.web.pages.grid}), C{out} hides it (a filter).
    """
    room = board.room(session.room)
    where = f" — {room.where}" if room is not None and room.where else ""
    return tags.article(
        class_=" ".join(name for name in ("card", column, "out" if out else "") if name),
        **{"data-session-id": session.id, "data-room": session.room, "data-slot": session.slot},
    )(
        tags.h3(tags.a(href=session_url(board, session.id))(session.title)),
        tags.p(class_="meta")(
            session.host, " · ", tags.strong(room_label(room, session.room)), where
        ),
        tag_list(session.tags, ""),
        going_line(session, room, attendee),
    )


def going_line(session: Session, room: Room | None, attendee: str | None) -> Tag:
    """
    "12 going · 30 seats", the capacity badge and the going button: on a card and on the
    session's page.  C{static/screen.js} updates the count and badge from each event.
    """
    return tags.p(class_="going")(
        tags.span(class_="count")(seats(len(session.going), room)),
        " ",
        fill_badge(len(session.going), room),
        " ",
        going_button(session, attendee),
    )


def tag_list(values: Iterable[str], board_address: str) -> Tag | str:
    """
    A session's tags, each a link to the board filtered by it (C{?tag=}).
    """
    items = [
        tags.li(tags.a(href=f"{board_address}?{urlencode({'tag': value})}")(f"#{value}"))
        for value in values
    ]
    return tags.ul(class_="tags", **{"aria-label": "Tags"})(items) if items else ""


def going_button(session: Session, attendee: str | None) -> Tag:
    """
    A button of the page's one "going" form (C{form="going"}): no form per card.
    """
    if attendee is not None and attendee in session.going:
        return tags.button(form="going", name="leave", value=session.id, class_="on")(
            "✓ Going — undo"
        )
    return tags.button(form="going", name="join", value=session.id)("I’m going")


def going_form(board: Board, csrf: str, back: str) -> Tag:
    """
    The page's one "going" form; shared pages (the board) carry no C{csrf} token: a
    browser's C{Sec-Fetch-Site}/C{Origin} prove where the form came from.
    """
    return tags.form(id="going", method="post", action=f"/e/{board.info.slug}/going")(
        hidden("csrf", csrf) if csrf else "", hidden("back", back)
    )


# --- forms -----------------------------------------------------------------------------


def hidden(name: str, value: str) -> Tag:
    return tags.input(type="hidden", name=name, value=value)


def error_summary(errors: Errors) -> Tag | str:
    """
    Every problem of a refused form, first on the page, each a link to its field.

    It takes the focus as the page loads (C{autofocus}; C{static/forms.js} does it too),
    so a screen reader reads the problems and a keyboard starts from them.
    """
    if not errors:
        return ""
    heading = "There is a problem" if len(errors) == 1 else f"There are {len(errors)} problems"
    items = [
        tags.li(tags.a(href=f"#{name}")(message) if name else message)
        for name, message in errors.items()
    ]
    return tags.div(
        class_="error-summary",
        id="error-summary",
        role="alert",
        tabindex="-1",
        autofocus="",
        **{"aria-labelledby": "error-summary-title"},
    )(
        tags.h2(id="error-summary-title")(heading),
        tags.ul(items),
        tags.p(class_="hint")("What you typed is kept below."),
    )


def field(name: str, label: str, control: Tag, errors: Errors, *, hint: str = "") -> Tag:
    """
    A labelled control with its hint and its error right next to it.
    """
    described = []
    parts: list[Any] = [tags.label(for_=name)(label)]
    if hint:
        parts.append(tags.p(class_="hint", id=f"{name}-hint")(hint))
        described.append(f"{name}-hint")
    error = errors.get(name)
    if error:
        parts.append(tags.p(class_="error", id=f"{name}-error")(error))
        described.append(f"{name}-error")
        control(**{"aria-invalid": "true"})
    if described:
        control(**{"aria-describedby": " ".join(described)})
    control(id=name, name=name)
    parts.append(control)
    return tags.div(class_="field invalid" if error else "field")(parts)


def text_input(value: str, *, maxlength: int, required: bool = True) -> Tag:
    control = tags.input(type="text", value=value, maxlength=str(maxlength))
    return control(required="") if required else control


def text_area(value: str, *, maxlength: int, rows: int = 5) -> Tag:
    return tags.textarea(maxlength=str(maxlength), rows=str(rows))(value)


def select(options: Iterable[tuple[str, str]], selected: str) -> Tag:
    return tags.select(
        [
            tags.option(value=value, selected="")(label)
            if value == selected
            else tags.option(value=value)(label)
            for value, label in options
        ]
    )


def cell_value(room: str, slot: str) -> str:
    return f"{room}{CELL_SEPARATOR}{slot}"


def split_cell(value: str) -> tuple[str, str]:
    room, _, slot = value.partition(CELL_SEPARATOR)
    return room, slot


def cell_picker(
    board: Board,
    cells: Iterable[tuple[Slot, Iterable[Room]]],
    selected: str,
    errors: Errors,
    *,
    legend: str = "Room and time",
) -> Tag:
    """
    Radio buttons for the given cells, grouped by time, each room with its capacity.
    """
    zone = board.info.zone
    error = errors.get("cell")
    groups = []
    for slot, rooms in cells:
        choices = []
        for room in rooms:
            value = cell_value(room.id, slot.id)
            radio = tags.input(type="radio", name="cell", value=value, required="")
            if value == selected:
                radio(checked="")
            capacity = f" · {room.capacity} seats" if room.capacity is not None else ""
            choices.append(tags.label(class_="choice")(radio, f" {room.name}{capacity}"))
        groups.append(
            tags.fieldset(class_="slot-choices")(
                tags.legend(time_tag(slot, zone, with_day=len(board.days()) > 1)), choices
            )
        )
    if not groups:
        groups.append(tags.p("There are no free rooms left. Try a hallway meetup instead."))
    return tags.fieldset(
        id="cell",
        class_="field cells invalid" if error else "field cells",
        **({"aria-describedby": "cell-error"} if error else {}),
    )(
        tags.legend(legend),
        tags.p(class_="error", id="cell-error")(error) if error else "",
        groups,
    )


def form_value(args: Mapping[bytes, list[bytes]] | None, name: str) -> str:
    values = (args or {}).get(name.encode("ascii"))
    return values[0].decode("utf-8", "replace") if values else ""
