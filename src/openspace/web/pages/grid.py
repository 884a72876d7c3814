"""
The board as the paper board's grid on wide screens: rooms as columns, slots as rows.

There is one board markup.  On a phone it is the list of slots; at 1,024 px and wider
(and on paper) C{static/site.css} lays the very same elements out as a grid of one day,
from classes the server puts on them here: C{d<n>} (the slot's day, 1-based) on each
slot, a row of the grid (a CSS subgrid), and C{c<n>} (the room's column) on each card
and cell.  The line across the current slot is the browser's (C{static/grid.js}).  So
the live fragments (L{openspace.web.pages.fragments}) update the grid and the list
alike, and no card is rendered twice.

What only the grid shows (the rooms' header row, blocked cells, rooms that an official
talk keeps busy, the day switcher) is hidden in the list by the stylesheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from urllib.parse import urlencode

from attrs import frozen
from twisted.web.template import Tag, tags

from openspace.board import official_cells
from openspace.model import Board, Cell, OfficialTalk, RoomKind, Slot
from openspace.web.pages.filters import BoardFilter
from openspace.web.pages.html import day_label, epoch_ms

MAX_DAYS = 10
"""
Days the stylesheet can switch between (C{.show-d1} … C{.show-d10}).
"""


@frozen
class GridPlaces:
    """
    Where everything of one board sits in the grid, computed once per rendering.

    @ivar columns: the column (1-based, after the time column) of each room that can
        hold sessions, by room id.
    @ivar days: the day (1-based) of each slot, by slot id.
    @ivar official: the cells an official talk keeps busy.
    """

    columns: Mapping[str, int]
    days: Mapping[str, int]
    official: Mapping[Cell, OfficialTalk]

    @classmethod
    def of(cls, board: Board) -> GridPlaces:
        rooms = [room for room in board.rooms if room.kind is RoomKind.room]
        days = {day: index for index, day in enumerate(board.days(), 1)}
        zone = board.info.zone
        return cls(
            {room.id: index for index, room in enumerate(rooms, 1)},
            {slot.id: days[slot.start.astimezone(zone).date()] for slot in board.slots},
            # Worth a look at every cell only when there is an official schedule.
            official_cells(board) if board.official else {},
        )

    def slot_class(self, slot: Slot) -> str:
        return f"d{self.days.get(slot.id, 1)}"

    def column(self, room_id: str) -> str:
        index = self.columns.get(room_id)
        return f"c{index}" if index is not None else ""


def grid_cells(board: Board, slot: Slot, places: GridPlaces) -> list[Tag]:
    """
    The cells of C{slot} that only the grid shows: blocked ones, and rooms that an
    official talk keeps busy.
    """
    cells = []
    for room_id in places.columns:
        cell = Cell(room_id, slot.id)
        if cell in board.blocked:
            cells.append(tags.p(class_=f"cell blocked {places.column(room_id)}")("Blocked"))
        elif (talk := places.official.get(cell)) is not None:
            cells.append(
                tags.p(class_=f"cell talk {places.column(room_id)}")(
                    tags.span(class_="kind")("Official talk: "), talk.title
                )
            )
    return cells


def grid_head(board: Board, places: GridPlaces) -> Tag:
    """
    The rooms' names above their columns (their count sizes the grid, see site.css).
    """
    return tags.div(class_="grid-head", **{"aria-hidden": "true", "data-frag": "grid-head"})(
        [
            tags.span(class_=places.column(room.id))(room.name)
            for room in board.rooms
            if room.id in places.columns
        ]
    )


def shown_day(board: Board, now: datetime, asked: str) -> date | None:
    """
    The day the grid shows: the one C{asked} for (C{?day=2027-05-15}) if the board has
    it, else the day of the first slot not over at C{now} (the last day once all are).
    """
    days = board.days()
    if not days:
        return None
    chosen = next((day for day in days if day.isoformat() == asked), None)
    if chosen is not None:
        return chosen
    zone = board.info.zone
    coming = [slot for slot in board.slots if slot.end > now]
    if not coming:
        return days[-1]
    return min(coming, key=lambda s: s.start).start.astimezone(zone).date()


def board_link(board_filter: BoardFilter, **changes: str) -> str:
    """
    The board's address (relative: C{?…}) with the current filter and C{changes}.
    """
    query = {"day": "", **board_filter.query(), **changes}
    kept = {name: value for name, value in query.items() if value}
    return "?" + urlencode(kept) if kept else "./"


def day_switcher(board: Board, day: date | None, board_filter: BoardFilter) -> Tag:
    """
    Links to each day's grid (plain links: no JavaScript needed; C{static/grid.js}
    switches without a request), and the facilitators' "Print" link.

    Shipped with a layout change for everybody, unfiltered: pages that get it run
    C{grid.js}, which keeps their filter and marks their day itself.
    """
    zone = board.info.zone
    links = []
    for index, each in enumerate(board.days()[:MAX_DAYS], 1):
        slots = [s for s in board.slots if s.start.astimezone(zone).date() == each]
        attributes = {
            "href": board_link(board_filter, day=each.isoformat()),
            "data-day": str(index),
            "data-start": epoch_ms(min(s.start for s in slots)),
            "data-end": epoch_ms(max(s.end for s in slots)),
        }
        if each == day:
            attributes["aria-current"] = "date"
        links.append(tags.a(**attributes)(day_label(slots[0].start, zone)))
    shown = day.isoformat() if day is not None else ""
    return tags.nav(class_="days", **{"aria-label": "Days", "data-frag": "days"})(
        links,
        tags.a(class_="print", href=board_link(board_filter, day=shown))("Print"),
    )


def grid_day_class(board: Board, day: date | None) -> str:
    index = board.days().index(day) + 1 if day is not None else 1
    return f"grid show-d{index}"
