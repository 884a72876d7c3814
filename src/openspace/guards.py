"""
The look-ups every rule of the board engine starts with: is the actor a facilitator,
does this session, meetup or cell exist, may this actor change it.

Each refuses with L{Refused} in the engine's usual words, so that every rule module
(L{openspace.board}, L{openspace.meetups}, L{openspace.bulk}, L{openspace.reports},
L{openspace.placement}) answers alike.
"""

from __future__ import annotations

from openspace.commands import Actor, Refused
from openspace.model import Board, Cell, Meetup, Session


def require_privilege(actor: Actor) -> None:
    if not actor.privileged:
        raise Refused("forbidden", "only a facilitator can do this")


def find_session(board: Board, session_id: str) -> Session:
    session = board.sessions.get(session_id)
    if session is None:
        raise Refused("not_found", f"there is no session {session_id!r}", field="session")
    return session


def owned_session(board: Board, session_id: str, actor: Actor) -> Session:
    session = find_session(board, session_id)
    if not actor.owns(session):
        raise Refused("forbidden", "only the host of this session or a facilitator can change it")
    return session


def find_meetup(board: Board, meetup_id: str) -> Meetup:
    meetup = board.meetups.get(meetup_id)
    if meetup is None:
        raise Refused("not_found", f"there is no meetup {meetup_id!r}", field="meetup")
    return meetup


def owned_meetup(board: Board, meetup_id: str, actor: Actor) -> Meetup:
    meetup = find_meetup(board, meetup_id)
    if not actor.owns(meetup):
        raise Refused("forbidden", "only who started this meetup or a facilitator can change it")
    return meetup


def known_cell(board: Board, room: str, slot: str) -> Cell:
    if board.room(room) is None:
        raise Refused("unknown_room", f"there is no room {room!r}", field="room")
    if board.slot(slot) is None:
        raise Refused("unknown_slot", f"there is no slot {slot!r}", field="slot")
    return Cell(room, slot)
