"""
The events of a board's log: what happened, in a form that can be replayed and undone.

A board's state is exactly the fold of its events (L{openspace.board.replay}).  Every
event carries what its own inverse needs (a move knows where the session came from, a
cancellation keeps the whole session), so a facilitator's undo is just another event.
Their JSON encoding lives in L{openspace.codec}.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from openspace.model import (
    Cell,
    EventInfo,
    Meetup,
    Moderation,
    OfficialTalk,
    Report,
    Room,
    ScheduleSource,
    Session,
    Slot,
)


@frozen
class Layout:
    """
    What a facilitator sets up: the event itself, its rooms, its slots, blocked cells.
    """

    info: EventInfo
    rooms: tuple[Room, ...]
    slots: tuple[Slot, ...]
    blocked: frozenset[Cell] = frozenset()


@frozen
class SessionText:
    """
    The parts of a session its host can edit without moving it.
    """

    title: str
    description: str
    host: str
    tags: tuple[str, ...]

    @classmethod
    def of(cls, session: Session) -> SessionText:
        return cls(session.title, session.description, session.host, session.tags)


@frozen
class LayoutSet:
    """
    The board was created (C{before} is L{None}) or its layout was replaced.
    """

    layout: Layout
    before: Layout | None


@frozen
class SessionProposed:
    session: Session


@frozen
class SessionEdited:
    session_id: str
    before: SessionText
    after: SessionText


@frozen
class SessionMoved:
    session_id: str
    origin: Cell
    target: Cell


@frozen
class SessionsSwapped:
    """
    Two sessions traded cells in one step; applying it again swaps them back.
    """

    first: str
    second: str


@frozen
class SessionCancelled:
    """
    A session left the board; the whole session is kept so that undo can restore it.
    """

    session: Session


@frozen
class GoingSet:
    """
    An attendee said they are going (or no longer going); C{count} is the new total.
    """

    session_id: str
    attendee: str
    going: bool
    count: int


@frozen
class CellBlocked:
    cell: Cell


@frozen
class CellUnblocked:
    cell: Cell


@frozen
class SessionHidden:
    session_id: str
    hidden: bool


@frozen
class MeetupStarted:
    meetup: Meetup


@frozen
class MeetupCancelled:
    meetup: Meetup


@frozen
class MeetupEdited:
    """
    A meetup's title, place or times changed (ending one early is an edit of C{ends}).
    """

    before: Meetup
    after: Meetup


@frozen
class MeetupHidden:
    meetup_id: str
    hidden: bool


@frozen
class ReportFiled:
    """
    An attendee flagged the session or meetup C{item}; C{hides} when this report
    reached the event's auto-hide threshold and hid the item.
    """

    item: str
    report: Report
    hides: bool = False


@frozen
class ReportsSet:
    """
    A facilitator dealt with the reports on C{item} (C{after} is usually empty).
    """

    item: str
    before: tuple[Report, ...]
    after: tuple[Report, ...]


@frozen
class ModerationSet:
    moderation: Moderation
    before: Moderation


@frozen
class Batch:
    """
    Several changes made as one: a bulk action or a placement plan.  It is one event
    with one sequence number, and one undo reverses all of it.

    @ivar kind: what the facilitator did, e.g. C{"block_slot"} or C{"placement"}.
    """

    kind: str
    changes: tuple[Change, ...]


@frozen
class SourcesSet:
    """
    The event's official schedule sources were replaced (C{before} were the old ones).
    """

    sources: tuple[ScheduleSource, ...]
    before: tuple[ScheduleSource, ...]


@frozen
class OfficialScheduleChanged:
    """
    The official schedule from C{source} changed: the C{removed} talks (as they were)
    left the board and the C{added} ones (as they are now) joined it; a talk that
    moved or was retitled is in both.

    Only the difference is logged: one retitled talk of a 1,000-talk schedule costs two
    talks in the log, not two whole schedules.  Swapping the two tuples inverts it.
    """

    source: str
    added: tuple[OfficialTalk, ...]
    removed: tuple[OfficialTalk, ...]


@frozen
class Undone:
    """
    A facilitator undid the events C{seqs}; C{changes} are their inverses, applied in order.
    """

    seqs: tuple[int, ...]
    changes: tuple[Change, ...]


Change = (
    LayoutSet
    | SessionProposed
    | SessionEdited
    | SessionMoved
    | SessionsSwapped
    | SessionCancelled
    | GoingSet
    | CellBlocked
    | CellUnblocked
    | SessionHidden
    | MeetupStarted
    | MeetupCancelled
    | SourcesSet
    | OfficialScheduleChanged
    | Undone
    | MeetupEdited
    | MeetupHidden
    | ReportFiled
    | ReportsSet
    | ModerationSet
    | Batch
)


@frozen
class Logged:
    """
    One entry of a board's log.

    @ivar seq: the board's sequence number after this event; 1 for the first.
    @ivar at: when it was recorded (aware UTC).
    @ivar actor: who did it, in words for the facilitator's log: "facilitator",
        "host", "attendee" or "system".
    """

    seq: int
    at: datetime
    actor: str
    change: Change
