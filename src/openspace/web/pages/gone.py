"""
What a session's address answers once the session has left the board.

People starred it, shared it or printed its QR code, so "not found" would be a lie:
a cancelled session answers C{410 Gone} with "This session was cancelled" and what
took its room at that time, if anything; one a facilitator hid answers C{404} and says
it is no longer listed (it may come back, so it is not "gone").

The cancelled session itself comes from the board's log (L{openspace.web.cancelled}):
the board only keeps sessions that are on it.
"""

from __future__ import annotations

from twisted.web.template import Tag, tags

from openspace.model import Board, Session
from openspace.web.assets import Assets
from openspace.web.pages.html import (
    back_page,
    propose_url,
    room_label,
    session_url,
    time_tag,
)


class SessionMissing(Exception):
    """
    A route asked for a session that is not on the board (or is hidden).
    """

    def __init__(self, board: Board, session_id: str, *, hidden: bool) -> None:
        super().__init__(session_id)
        self.board = board
        self.session_id = session_id
        self.hidden = hidden


def replacement(board: Board, cancelled: Session) -> Session | None:
    """
    The listed session now in the cancelled one's room and time, if any.
    """
    holder = board.session_in(cancelled.cell)
    if holder is None or holder.hidden or holder.id == cancelled.id:
        return None
    return holder


def cancelled_page(assets: Assets, board: Board, session: Session, free: bool) -> Tag:
    """
    C{session} was cancelled; C{free} says whether its cell could be claimed now.
    """
    room = board.room(session.room)
    slot = board.slot(session.slot)
    where = tags.strong(room_label(room, session.room))
    when = time_tag(slot, board.info.zone, with_day=True) if slot is not None else ""
    instead = replacement(board, session)
    if instead is not None:
        now_there = tags.p(
            "In its place: ",
            tags.a(href=session_url(board, instead.id))(instead.title),
            f" ({instead.host}).",
        )
    elif free:
        now_there = tags.p(
            "The room is free at that time: ",
            tags.a(href=propose_url(board, session.room, session.slot))("propose a session there"),
            ".",
        )
    else:
        now_there = tags.p("Nothing else has taken its place.")
    return back_page(
        assets,
        board,
        "This session was cancelled",
        tags.p(
            f"“{session.title}” ({session.host}), in ",
            where,
            ", ",
            when,
            ", was taken off the board by its host or the facilitators.",
        ),
        now_there,
        main_class="gone",
    )


def unlisted_page(assets: Assets, board: Board) -> Tag:
    return back_page(
        assets,
        board,
        "This session is no longer listed",
        tags.p("The facilitators took it off the board for now. The board shows what is on."),
        main_class="gone",
    )
