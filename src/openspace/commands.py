"""
The vocabulary of the board engine: who acts, what they ask for, and how it answers.

Commands are plain values; L{openspace.board.decide} turns one into a L{Decision} (the
events to record, and warnings) or raises L{Refused}.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from attrs import frozen

from openspace.events import Change, Layout, Logged
from openspace.model import Meetup, OfficialTalk, ScheduleSource, Session

# --- who is acting ---------------------------------------------------------------------


class Role(StrEnum):
    facilitator = "facilitator"
    host = "host"
    attendee = "attendee"
    system = "system"


@frozen
class Actor:
    """
    Who asks for a change.

    @ivar keys: hashes of the edit keys the person presented; a host may change the
        sessions whose C{owner} is among them.
    """

    role: Role
    keys: frozenset[str] = frozenset()

    @property
    def privileged(self) -> bool:
        """
        Facilitators (and the system acting for them) may override the rules.
        """
        return self.role in (Role.facilitator, Role.system)

    def owns(self, item: Session | Meetup) -> bool:
        """
        Whether this actor may change C{item}: facilitators any, hosts and meetup
        starters their own (an item without an owner belongs to facilitators only).
        """
        digest = item.key_digest if isinstance(item, Meetup) else item.owner
        return self.privileged or (bool(digest) and self.holds(digest))

    def holds(self, owner: str) -> bool:
        """
        Whether C{owner} (a key's hash) is among this actor's keys, compared in constant
        time: a lookup in a set would tell by its timing how close a guess came.
        """
        # Every key is compared, so the time does not say which one matched either.
        return sum(hmac.compare_digest(owner, key) for key in self.keys) > 0


FACILITATOR = Actor(Role.facilitator)
ATTENDEE = Actor(Role.attendee)
SYSTEM = Actor(Role.system)


def host(keys: Iterable[str]) -> Actor:
    return Actor(Role.host, frozenset(keys))


# --- commands --------------------------------------------------------------------------


@frozen
class SetLayout:
    layout: Layout


@frozen
class ProposeSession:
    """
    @ivar owner: hash of the host's edit key, made by the caller.
    """

    title: str
    description: str
    host: str
    tags: Sequence[str]
    room: str
    slot: str
    owner: str


@frozen
class EditSession:
    """
    Change some of a session's text, and maybe its cell, in one step; fields left
    L{None} stay as they are.
    """

    session_id: str
    title: str | None = None
    description: str | None = None
    host: str | None = None
    tags: Sequence[str] | None = None
    room: str | None = None
    slot: str | None = None


@frozen
class MoveSession:
    session_id: str
    room: str
    slot: str


@frozen
class SwapSessions:
    first: str
    second: str


@frozen
class CancelSession:
    session_id: str


@frozen
class SetGoing:
    session_id: str
    attendee: str
    going: bool


@frozen
class BlockCell:
    room: str
    slot: str


@frozen
class UnblockCell:
    room: str
    slot: str


@frozen
class HideSession:
    session_id: str
    hidden: bool = True


@frozen
class StartMeetup:
    """
    @ivar place: a hallway spot's id, or free text ("by the big plant").
    @ivar starts: L{None} for now.
    @ivar minutes: L{None} for the default length.
    @ivar owner: hash of the starter's edit key or attendee id, made by the caller;
        C{""} for nobody in particular (it counts towards their quota).
    @ivar key_digest: hash of the edit key that may end or change it, made by the caller.
    """

    title: str
    place: str
    starts: datetime | None = None
    minutes: int | None = None
    owner: str = ""
    key_digest: str = ""


@frozen
class CancelMeetup:
    meetup_id: str


@frozen
class EditMeetup:
    """
    Change a meetup's text, place or length (its starter or a facilitator); fields left
    L{None} stay as they are.
    """

    meetup_id: str
    title: str | None = None
    place: str | None = None
    minutes: int | None = None


@frozen
class EndMeetup:
    """
    End a running meetup now, or take off one that has not started.
    """

    meetup_id: str


@frozen
class HideMeetup:
    meetup_id: str
    hidden: bool = True


@frozen
class BlockMany:
    """
    Block (or unblock) every cell of a slot, or of a room: give exactly one of them.
    Cells that hold a session are left as they are (and named in a warning).
    """

    blocked: bool
    room: str | None = None
    slot: str | None = None


@frozen
class HideMany:
    session_ids: tuple[str, ...]
    hidden: bool = True


@frozen
class FileReport:
    """
    An attendee flags a session or meetup (C{item} is its id).
    """

    item: str
    attendee: str
    reason: str = ""


@frozen
class DismissReports:
    """
    A facilitator clears the reports on C{item}, hiding it first when C{hide}.
    """

    item: str
    hide: bool = False


@frozen
class SetModeration:
    auto_hide: int | None
    freeze_minutes: int


@frozen
class PlannedMove:
    """
    One move of a placement plan: C{session_id} from room C{origin} to room C{target},
    in its own slot.
    """

    session_id: str
    origin: str
    target: str


@frozen
class ApplyPlacement:
    moves: tuple[PlannedMove, ...]


@frozen
class SetSources:
    """
    Replace the event's official schedule sources; the talks of a source that is no
    longer listed leave the board.
    """

    sources: tuple[ScheduleSource, ...]


@frozen
class SetOfficialSchedule:
    """
    The whole current schedule of one configured source (the poller sends it when the
    source's content changed).
    """

    source: str
    talks: tuple[OfficialTalk, ...]


@frozen
class Undo:
    """
    Undo these logged events (pick them with L{undo_targets}).
    """

    targets: tuple[Logged, ...]


Command = (
    SetLayout
    | ProposeSession
    | EditSession
    | MoveSession
    | SwapSessions
    | CancelSession
    | SetGoing
    | BlockCell
    | UnblockCell
    | HideSession
    | StartMeetup
    | CancelMeetup
    | EditMeetup
    | EndMeetup
    | HideMeetup
    | BlockMany
    | HideMany
    | FileReport
    | DismissReports
    | SetModeration
    | ApplyPlacement
    | SetSources
    | SetOfficialSchedule
    | Undo
)


# --- answers ---------------------------------------------------------------------------


class Refused(Exception):
    """
    The board refuses a command.

    @ivar code: a stable machine-readable reason, e.g. C{"cell_taken"}.
    @ivar field: the input field at fault, if one is.
    @ivar details: extra facts, e.g. C{{"session": "s12"}} for a taken cell.
    """

    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details: Mapping[str, object] = details or {}


@frozen
class Warning:
    """
    Something worth knowing that does not stop the change ("you host two sessions at
    once").
    """

    code: str
    message: str
    sessions: tuple[str, ...] = ()


@frozen
class Decision:
    """
    What a command does: the changes to record and the warnings to show.
    """

    changes: tuple[Change, ...]
    warnings: tuple[Warning, ...] = ()
    ids: tuple[str, ...] = ()
