"""
The pages' HTML for one change, rendered once per event and shipped with it to every
open page, so that no page has to fetch itself again.

The hub calls L{Fragments} with the boards before and after each event (see
L{openspace.hub.Hub.enrich}); the event's frame then carries C{"html": {key: markup or
null}}.  Every piece of a live page that a change can touch carries its key in a
C{data-frag} attribute, and C{static/screen.js} swaps each element with that key for the
new markup (or removes it for C{null}, or puts a new one in its place in the order):

* C{slot:<slot id>}: a slot of the phone board, with its cards and free rooms;
* C{session:<session id>}: the body of a session's own page;
* C{hallway}: the hallway meetups (board and kiosk); C{talks}: the official talks on
  now (kiosk);
* C{grid-head}, C{days}: the grid's row of rooms and its day switcher, when the layout
  changed (L{openspace.web.pages.grid});
* C{line:<room id>/<slot id>}: what a room holds in a slot, on the kiosk and the door
  screen; C{room:<room id>}: a whole room's tile, and C{rooms}: the kiosk's pages of
  rooms, when the layout changed;

The markup is made by the very functions that render the pages, for nobody (no CSRF
token, nobody's "going": the scripts add the visitor's own state), at the moment of the
change; what depends on the clock carries its start and end for the scripts.  "Going"
changes only a count and the capacity badge, which the scripts update from the event
itself (its sessions' C{going} and C{fill}): no markup.

The facilitator's desk is not rendered here: what it shows (reports, hidden sessions)
must never ride on this public stream; see L{openspace.web.pages.desk_fragments} and
L{openspace.web.desk_live}.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen
from twisted.python.failure import Failure
from twisted.web.template import Tag, flatten

from openspace.board import free_cells
from openspace.clock import Clock, utc_now
from openspace.events import Logged
from openspace.model import Board, Cell, Session
from openspace.web.pages.attendee import hallway, session_detail, slot_section
from openspace.web.pages.filters import BoardFilter
from openspace.web.pages.grid import GridPlaces, day_switcher, grid_head, shown_day
from openspace.web.pages.kiosk import kiosk_line, kiosk_rooms, room_pages, room_tile
from openspace.web.pages.official import talk_rooms_now
from openspace.web.pages.timeline import ALL_TIME, free_rooms_by_slot, slot_labels

Fragment = dict[str, str | None]
"""
Markup by C{data-frag} key; L{None} for an element that goes away.
"""

FRESH = timedelta(minutes=2)
"""
How old an event may be and still get its HTML rendered: older ones are being replayed.
"""


def markup(tag: Tag) -> str:
    """
    C{tag} as HTML text.  Page tags hold no Deferreds, so flattening ends at once.
    """
    parts: list[bytes] = []
    failures: list[Failure] = []
    flatten(None, tag, parts.append).addErrback(failures.append)
    if failures:
        failures[0].raiseException()
    return b"".join(parts).decode("utf-8")


def _shown(session: Session) -> tuple[object, ...]:
    """
    What of a session the pages' markup shows (the "going" count aside).
    """
    return (session.title, session.description, session.host, session.tags, session.cell)


def _changed_sessions(before: Board, after: Board) -> set[str]:
    old = {s.id: _shown(s) for s in before.visible_sessions()}
    new = {s.id: _shown(s) for s in after.visible_sessions()}
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def _cells_of(boards: Iterable[Board], ids: set[str]) -> set[Cell]:
    return {board.sessions[i].cell for board in boards for i in ids if i in board.sessions}


@frozen
class Fragments:
    """
    Renders the fragments of one change; an L{openspace.hub.Hub.enrich} function.
    """

    clock: Clock

    def __call__(self, before: Board | None, entry: Logged, after: Board) -> dict[str, Any]:
        now = utc_now(self.clock)
        if before is None or now - entry.at > FRESH:
            # The first event of a board, or the log's tail replayed when a server starts
            # (L{openspace.hub.Hub.warm}): rendering it would delay the start for the few
            # pages that missed those events, which fetch their page once instead.
            return {}
        html: Fragment = {}
        sessions = _changed_sessions(before, after)
        cells = _cells_of((before, after), sessions) | (before.blocked ^ after.blocked)
        whole = (before.info, before.rooms, before.slots, before.official) != (
            after.info,
            after.rooms,
            after.slots,
            after.official,
        )
        if whole or cells:
            # A claim or a block changes which rooms are free in the slot; a layout or
            # the official schedule may change every slot.
            slots = {s.id for b in (before, after) for s in b.slots} if whole else set()
            self._slots(html, after, now, slots | {cell.slot for cell in cells})
        if whole:
            self._rooms(html, before, after, now)
            html["grid-head"] = markup(grid_head(after, GridPlaces.of(after)))
            html["days"] = markup(day_switcher(after, shown_day(after, now, ""), BoardFilter()))
            html["talks"] = markup(talk_rooms_now(after, now))
        else:
            self._lines(html, after, now, cells)
        for session_id in sessions:
            session = after.sessions.get(session_id)
            shown = session is not None and not session.hidden
            html[f"session:{session_id}"] = (
                markup(session_detail(after, session, None)) if shown and session else None
            )
        if before.meetups != after.meetups:
            html["hallway"] = markup(hallway(after, now))
        # Even empty: it tells the pages that nothing of theirs needs fetching.
        return {"html": html}

    def _slots(self, html: Fragment, board: Board, now: datetime, ids: set[str]) -> None:
        labels = slot_labels(board, now)
        free = free_rooms_by_slot(board, ALL_TIME)
        multi_day = len(board.days()) > 1
        places = GridPlaces.of(board)
        for slot_id in ids:
            slot = board.slot(slot_id)
            html[f"slot:{slot_id}"] = (
                None
                if slot is None
                else markup(
                    slot_section(
                        board,
                        slot,
                        labels.get(slot_id, ""),
                        free,
                        multi_day,
                        places,
                        past=slot_id not in labels,
                    )
                )
            )

    def _rooms(self, html: Fragment, before: Board, after: Board, now: datetime) -> None:
        shown = {room.id: room for room in kiosk_rooms(after)}
        for room in kiosk_rooms(before):
            html[f"room:{room.id}"] = None
        for room in shown.values():
            html[f"room:{room.id}"] = markup(room_tile(after, room, now))
        # Last: the kiosk's pages, balanced again for the new rooms.
        html["rooms"] = markup(room_pages(after, now))

    def _lines(self, html: Fragment, board: Board, now: datetime, cells: set[Cell]) -> None:
        free = set(free_cells(board, now))
        holders = {s.cell: s for s in board.visible_sessions() if s.cell in cells}
        for cell in cells:
            slot = board.slot(cell.slot)
            if slot is None or slot.end <= now:
                continue
            session = holders.get(cell)
            line = kiosk_line(board, cell.room, slot, session, cell in free, now)
            html[f"line:{cell.room}/{cell.slot}"] = markup(line)
