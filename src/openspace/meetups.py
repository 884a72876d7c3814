"""
The rules for hallway meetups: starting one, and its starter (who holds its edit key,
like a session's host) or a facilitator editing, ending or hiding it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attrs import evolve

from openspace.commands import (
    Actor,
    CancelMeetup,
    Decision,
    EditMeetup,
    EndMeetup,
    HideMeetup,
    Refused,
    StartMeetup,
)
from openspace.events import MeetupCancelled, MeetupEdited, MeetupHidden, MeetupStarted
from openspace.fields import (
    MEETUP_GRACE,
    MEETUP_HORIZON,
    MEETUP_MINUTES,
    MEETUPS_PER_OWNER,
    MEETUPS_PER_PLACE,
    PLACE_MAX,
    TITLE_MAX,
    invalid,
    text_field,
)
from openspace.guards import find_meetup, owned_meetup, require_privilege
from openspace.model import DEFAULT_MEETUP_LENGTH, Board, Meetup, RoomKind


def _place(board: Board, text: str) -> tuple[str, str | None]:
    """
    The place in words and the hallway spot's id, when C{text} names (the id of) one.
    """
    place = text_field(text, "place", 1, PLACE_MAX)
    spot = board.room(place)
    if spot is not None and spot.kind is RoomKind.hallway:
        return spot.name, spot.id
    return place, None


def _length(minutes: int | None) -> timedelta:
    if minutes is None:
        return DEFAULT_MEETUP_LENGTH
    low, high = MEETUP_MINUTES
    if not low <= minutes <= high:
        invalid("minutes", f"a meetup lasts from {low} to {high} minutes")
    return timedelta(minutes=minutes)


def check_quotas(board: Board, meetup: Meetup, now: datetime) -> None:
    """
    Refuse a meetup whose starter already has L{MEETUPS_PER_OWNER} that have not ended,
    or whose place already has L{MEETUPS_PER_PLACE} at overlapping times.
    """
    live = [m for m in board.meetups.values() if m.ends > now]
    if meetup.owner and sum(m.owner == meetup.owner for m in live) >= MEETUPS_PER_OWNER:
        raise Refused(
            "quota",
            f"one person can have at most {MEETUPS_PER_OWNER} meetups that have not ended",
            details={"limit": MEETUPS_PER_OWNER},
        )
    place = _place_key(meetup)
    crowd = sum(
        1
        for m in live
        if _place_key(m) == place and m.starts < meetup.ends and meetup.starts < m.ends
    )
    if crowd >= MEETUPS_PER_PLACE:
        raise Refused(
            "quota",
            f"{meetup.place} already has {crowd} meetups at that time: pick another place or time",
            field="place",
            details={"limit": MEETUPS_PER_PLACE},
        )


def _place_key(meetup: Meetup) -> str:
    return meetup.spot if meetup.spot is not None else " ".join(meetup.place.casefold().split())


def decide_start(board: Board, command: StartMeetup, actor: Actor, now: datetime) -> Decision:
    title = text_field(command.title, "title", 1, TITLE_MAX)
    place, spot_id = _place(board, command.place)
    starts = now if command.starts is None else command.starts
    if starts.tzinfo is None:
        invalid("starts", "starts needs a time zone offset")
    if starts < now - MEETUP_GRACE:
        invalid("starts", "that start time is already past")
    if starts > now + MEETUP_HORIZON:
        invalid("starts", "meetups can be planned at most 14 days ahead")
    length = _length(command.minutes)
    starts = starts.astimezone(ZoneInfo("UTC"))
    meetup = Meetup(
        f"m{board.seq + 1}",
        title,
        place,
        spot_id,
        starts,
        starts + length,
        owner=command.owner,
        key_digest=command.key_digest,
    )
    if not actor.privileged:
        check_quotas(board, meetup, now)
    return Decision((MeetupStarted(meetup),), ids=(meetup.id,))


def decide_cancel(board: Board, command: CancelMeetup, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    meetup = find_meetup(board, command.meetup_id)
    return Decision((MeetupCancelled(meetup),), ids=(meetup.id,))


def decide_edit(board: Board, command: EditMeetup, actor: Actor, now: datetime) -> Decision:
    """
    New text or place, or a new length counted from its start.
    """
    meetup = owned_meetup(board, command.meetup_id, actor)
    after = meetup
    if command.title is not None:
        after = evolve(after, title=text_field(command.title, "title", 1, TITLE_MAX))
    if command.place is not None:
        place, spot = _place(board, command.place)
        after = evolve(after, place=place, spot=spot)
    if command.minutes is not None:
        ends = after.starts + _length(command.minutes)
        if ends <= now and not actor.privileged:
            invalid("minutes", "that would end the meetup in the past: end it instead")
        after = evolve(after, ends=ends)
    if after == meetup:
        return Decision((), ids=(meetup.id,))
    return Decision((MeetupEdited(meetup, after),), ids=(meetup.id,))


def decide_end(board: Board, command: EndMeetup, actor: Actor, now: datetime) -> Decision:
    """
    A running meetup ends now (it stays in the log as it was); one that has not
    started yet is taken off; one already over stays as it is.
    """
    meetup = owned_meetup(board, command.meetup_id, actor)
    if meetup.ends <= now:
        return Decision((), ids=(meetup.id,))
    if meetup.starts >= now:
        return Decision((MeetupCancelled(meetup),), ids=(meetup.id,))
    return Decision((MeetupEdited(meetup, evolve(meetup, ends=now)),), ids=(meetup.id,))


def decide_hide(board: Board, command: HideMeetup, actor: Actor, now: datetime) -> Decision:
    require_privilege(actor)
    meetup = find_meetup(board, command.meetup_id)
    if meetup.hidden == command.hidden:
        return Decision((), ids=(meetup.id,))
    return Decision((MeetupHidden(meetup.id, command.hidden),), ids=(meetup.id,))


MEETUP_HANDLERS: Mapping[type, Callable[[Board, Any, Actor, datetime], Decision]] = {
    StartMeetup: decide_start,
    CancelMeetup: decide_cancel,
    EditMeetup: decide_edit,
    EndMeetup: decide_end,
    HideMeetup: decide_hide,
}
