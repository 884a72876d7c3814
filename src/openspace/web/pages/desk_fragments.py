"""
The facilitator desk's HTML for one change: the pieces of its live region that the
change touched, made by the very functions that render the desk page
(L{openspace.web.pages.desk.live_region}),
so an open desk swaps them in place (C{static/screen.js}, by C{data-frag} key) and never
fetches itself again.

Keys, all under C{desk:} so they never meet the public pages' keys:

* C{desk:reports}, C{desk:meetups}: a whole section, when something it shows changed;
* C{desk:session:<id>}: one session's row (L{None} when it is gone; a new row goes in
  by its C{data-slot} and C{data-room}, the table's order) and C{desk:sessions-title},
  the count; C{desk:slot:<id>}: one slot's row of the grid of rooms and slots.  A
  proposal or a "going" costs a row or two, not the two big tables (150 sessions'
  rows, 300 cells: tens of milliseconds to render);
* C{desk:sessions}, C{desk:cells}: those whole sections, when the layout or the
  official schedule changed, or the first session came or the last went;
* C{desk:log:<seq>}: a row of the log of recent changes, as the view shows it (with
  or without attendees' going and reports): the new change's (it goes in at the top),
  L{None} for the one that falls off, and any whose words or undo buttons changed;
  C{desk:undo}: the whole log, when it was empty;
* C{desk:placement}: the placement section, when the slots or the freeze changed;
  C{desk:suggestion}: the suggestion of a view that asked for one, worked out again
  after every change, in a thread, and sent after the change's event (an C{"html"}
  frame for its seq: L{openspace.hub.Hub.tell}).

What holds for every view (L{common}) is rendered once per change however many desks
and views are open; what depends on the view (the log: L{log_pieces}; the placement:
L{placement_markup}, L{suggestion_markup}), once per view.  Nothing
here holds a CSRF token (see L{openspace.web.pages.desk_parts.desk_forms}).  This markup
holds facilitators' data (reports, hidden sessions): it travels only on the desk's own
stream (L{openspace.web.desk_live}), never on the board's public one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from openspace.codec import change_type
from openspace.events import Logged
from openspace.model import Board, RoomKind, Session
from openspace.placement import Placement, scope_slots
from openspace.reports import report_queue
from openspace.undo import ATTENDEE_TRAFFIC, undo_targets
from openspace.web.pages.desk import (
    cells_row,
    cells_section,
    holders_of,
    session_row,
    sessions_section,
    sessions_title,
)
from openspace.web.pages.desk_parts import (
    LOG_SHOWN,
    LogLine,
    log_lines,
    log_row,
    log_section,
    meetup_section,
    placement_section,
    report_section,
    suggestion,
)
from openspace.web.pages.fragments import Fragment, markup


@frozen
class DeskVariant:
    """
    What a desk's view adds to the board: attendees' going and reports in its log
    (C{?going=1}), and the placement suggestion it asked for (C{?placement=}, a slot id
    or a day; empty for none).
    """

    going: bool = False
    scope: str = ""

    def normalized(self, board: Board) -> DeskVariant:
        """
        The same view, without a placement scope that names nothing on C{board}.
        """
        return self if not self.scope or scope_slots(board, self.scope) else DeskVariant(self.going)


def attendee_traffic(entry: Logged) -> bool:
    return change_type(entry.change) in ATTENDEE_TRAFFIC


def shown_log(tail: Sequence[Logged], going: bool) -> tuple[Logged, ...]:
    """
    The last L{LOG_SHOWN} entries of C{tail} that a view shows, oldest first.
    """
    kept = [entry for entry in tail if going or not attendee_traffic(entry)]
    return tuple(kept[-LOG_SHOWN:])


def lines_of(board: Board, log: Sequence[Logged]) -> tuple[LogLine, ...]:
    """
    The rows of a view's log C{log} (L{shown_log}), as the desk page shows them.
    """
    undoable = frozenset(entry.seq for entry in undo_targets(log, len(log)))
    return log_lines(board, log, undoable)


def log_pieces(
    shown: Sequence[LogLine], lines: Sequence[LogLine], going: bool, board: Board
) -> Fragment:
    """
    What turns the log C{shown} into C{lines}: the rows that came or changed (an undo
    takes the buttons off what it undid; a rename renames), L{None} for those gone.
    """
    if bool(shown) != bool(lines):
        return {"desk:undo": markup(log_section(board, lines, going))}
    html: Fragment = {f"desk:log:{line.seq}": None for line in shown}
    before = {line.seq: line for line in shown}
    for line in lines:
        if before.get(line.seq) == line:
            del html[f"desk:log:{line.seq}"]
        else:
            html[f"desk:log:{line.seq}"] = markup(log_row(line))
    return html


def _listing(session: Session) -> tuple[object, ...]:
    """
    What of a session the grid of rooms and slots shows.
    """
    return (session.title, session.cell, session.hidden)


def _layout(board: Board) -> tuple[object, ...]:
    return (board.info, board.rooms, board.slots)


def common(before: Board, after: Board, now: datetime) -> Fragment:
    """
    The pieces that every desk view shows alike.
    """
    html: Fragment = {}
    if report_queue(before) != report_queue(after):
        html["desk:reports"] = markup(report_section(after))
    if (
        _layout(before) != _layout(after)
        or before.official != after.official
        or bool(before.sessions) != bool(after.sessions)
    ):
        # Every row may change (or the table comes or goes): the whole sections.
        html["desk:sessions"] = markup(sessions_section(after, now))
        html["desk:cells"] = markup(cells_section(after, now))
    else:
        _rows(html, before, after, now)
    if before.meetups != after.meetups:
        html["desk:meetups"] = markup(meetup_section(after, now))
    return html


def _rows(html: Fragment, before: Board, after: Board, now: datetime) -> None:
    """
    The rows of the sessions that changed, and of the slots where a cell changed:
    a proposal or a "going" costs a row or two, not the desk's two big tables.
    """
    old, new = before.sessions, after.sessions
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    listed = {
        key
        for key in changed
        if key not in old or key not in new or _listing(old[key]) != _listing(new[key])
    }
    cells = {b.sessions[key].cell for b in (before, after) for key in listed if key in b.sessions}
    cells |= before.blocked ^ after.blocked
    slots = {cell.slot for cell in cells}
    # "Move to a bigger room" depends on the free rooms of a session's slot.
    for key in changed | {s.id for s in new.values() if s.slot in slots}:
        session = new.get(key)
        html[f"desk:session:{key}"] = (
            None if session is None else markup(session_row(after, session, now))
        )
    if len(old) != len(new):
        html["desk:sessions-title"] = markup(sessions_title(after))
    rooms = [room for room in after.rooms if room.kind is RoomKind.room]
    holders = holders_of(after)
    for slot in after.slots:
        if slot.id in slots:
            html[f"desk:slot:{slot.id}"] = markup(cells_row(after, slot, rooms, holders, now))


def placement_changed(before: Board, after: Board) -> bool:
    """
    Whether the placement section itself (its choices, its hint) changed.
    """
    return _layout(before) != _layout(after) or before.moderation != after.moderation


def placement_markup(board: Board, now: datetime, scope: str) -> str:
    """
    The placement section of a view, its suggestion (if it asked for one) still to be
    worked out (L{suggestion_markup}, off the reactor: a day's can take tens of ms).
    """
    return markup(placement_section(board, now, (scope, None) if scope else None))


def suggestion_markup(board: Board, placement: Placement) -> str:
    return markup(suggestion(board, placement))


def log_changed(entry: Logged, variant: DeskVariant) -> bool:
    """
    Whether C{entry} changes the view's log (attendees' traffic only shows with going).
    """
    return variant.going or not attendee_traffic(entry)
