"""
Attendees' reports on sessions and meetups, and what facilitators do about them.

An attendee flags an item once (again is a no-op), with an optional reason.  Reports
queue on the facilitator's desk (L{report_queue}); a facilitator hides the item or
dismisses its reports.  An event may hide an item by itself once a number of distinct
attendees reported it (L{Moderation.auto_hide}, off by default).

Reports are private: they live on the board but no public view, delta or export shows
them (see L{openspace.views.PRIVATE_CHANGES}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from openspace.commands import Actor, Decision, DismissReports, FileReport, Refused, SetModeration
from openspace.events import (
    Batch,
    Change,
    MeetupHidden,
    ModerationSet,
    ReportFiled,
    ReportsSet,
    SessionHidden,
)
from openspace.fields import ID_ATTENDEE, invalid, text_field
from openspace.guards import require_privilege
from openspace.model import Board, Moderation, Report

REASON_MAX = 500
AUTO_HIDE_RANGE = (1, 1000)
FREEZE_RANGE = (0, 24 * 60)


@frozen
class Reported:
    """
    One item in the facilitator's report queue.

    @ivar kind: C{"session"} or C{"meetup"}.
    @ivar reasons: the reasons given, newest first (empty ones left out).
    """

    item: str
    kind: str
    title: str
    count: int
    reasons: tuple[str, ...]
    hidden: bool
    latest: datetime


def _item(board: Board, item: str) -> tuple[str, str, bool]:
    """
    The kind, title and hidden state of the session or meetup C{item}.
    """
    session = board.sessions.get(item)
    if session is not None:
        return "session", session.title, session.hidden
    meetup = board.meetups.get(item)
    if meetup is not None:
        return "meetup", meetup.title, meetup.hidden
    raise Refused("not_found", f"there is no session or meetup {item!r}", field="item")


def decide_report(board: Board, command: FileReport, actor: Actor, now: datetime) -> Decision:
    _, _, hidden = _item(board, command.item)
    if hidden:
        # Attendees cannot see hidden items, so they cannot report them.
        raise Refused("not_found", f"there is no session or meetup {command.item!r}", "item")
    attendee = command.attendee.strip()
    if not ID_ATTENDEE.match(attendee):
        invalid("attendee", "attendee must be 8–64 letters, digits, '-' or '_'")
    reason = text_field(command.reason, "reason", 0, REASON_MAX, multiline=True)
    earlier = board.reports.get(command.item, ())
    if any(report.attendee == attendee for report in earlier):
        return Decision((), ids=(command.item,))
    threshold = board.moderation.auto_hide
    hides = threshold is not None and len(earlier) + 1 >= threshold
    change = ReportFiled(command.item, Report(attendee, reason, now), hides)
    return Decision((change,), ids=(command.item,))


def decide_dismiss(board: Board, command: DismissReports, actor: Actor, now: datetime) -> Decision:
    """
    Clear the reports on an item; with C{hide}, hide it too, in one event.
    """
    require_privilege(actor)
    kind, _, hidden = _item(board, command.item)
    changes: list[Change] = []
    if command.hide and not hidden:
        changes.append(
            SessionHidden(command.item, True)
            if kind == "session"
            else MeetupHidden(command.item, True)
        )
    before = board.reports.get(command.item, ())
    if before:
        changes.append(ReportsSet(command.item, before, ()))
    if not changes:
        return Decision((), ids=(command.item,))
    if len(changes) == 1:
        return Decision((changes[0],), ids=(command.item,))
    return Decision((Batch("hide_reported", tuple(changes)),), ids=(command.item,))


def decide_moderation(
    board: Board, command: SetModeration, actor: Actor, now: datetime
) -> Decision:
    require_privilege(actor)
    low, high = AUTO_HIDE_RANGE
    if command.auto_hide is not None and not low <= command.auto_hide <= high:
        invalid("auto_hide", f"auto_hide must be from {low} to {high}, or null for never")
    low, high = FREEZE_RANGE
    if not low <= command.freeze_minutes <= high:
        invalid("freeze_minutes", f"freeze_minutes must be from {low} to {high}")
    moderation = Moderation(command.auto_hide, command.freeze_minutes)
    if moderation == board.moderation:
        return Decision(())
    return Decision((ModerationSet(moderation, board.moderation),))


def report_queue(board: Board) -> tuple[Reported, ...]:
    """
    Every reported item, most reported first (then most recently reported).
    """
    queue = []
    for item, reports in board.reports.items():
        try:
            kind, title, hidden = _item(board, item)
        except Refused:
            continue
        reasons = tuple(r.reason for r in reversed(reports) if r.reason)
        latest = max(report.at for report in reports)
        queue.append(Reported(item, kind, title, len(reports), reasons, hidden, latest))
    return tuple(sorted(queue, key=lambda r: (-r.count, -r.latest.timestamp(), r.item)))


REPORT_HANDLERS: Mapping[type, Callable[[Board, Any, Actor, datetime], Decision]] = {
    FileReport: decide_report,
    DismissReports: decide_dismiss,
    SetModeration: decide_moderation,
}
