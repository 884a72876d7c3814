"""
C{changes.atom}: what changed on the board, as an Atom feed written with C{feedgen}.

Entries are the public changes the history keeps (L{PublicChange}: proposed, moved,
renamed, cancelled, meetups started), newest first, each a sentence with names and a
link to the session.  Nothing about who did it: no attendee ids, no "going" changes,
nothing about hidden sessions (a session hidden later takes its entries with it).
"""

from __future__ import annotations

import uuid

from feedgen.feed import FeedGenerator

from openspace import __version__
from openspace.exports.document import GENERATOR, Document, Links, incarnation
from openspace.exports.history import History, PublicChange

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_NAMESPACE = uuid.UUID("0d3c7a62-58e4-4c39-8f4f-4a3f3e0c9b11")
_TITLES = {
    "proposed": "New",
    "moved": "Moved",
    "renamed": "Renamed",
    "cancelled": "Cancelled",
    "meetup": "Hallway meetup",
}


def changes_atom(history: History, links: Links) -> Document:
    board = history.board
    feed = FeedGenerator()
    feed.id(_urn(incarnation(board)))
    feed.title(f"{board.info.name}: what changed")
    feed.subtitle("Sessions proposed, moved, renamed and cancelled, and hallway meetups.")
    feed.link(href=links.feed(board, "changes.atom"), rel="self")
    feed.link(href=links.board(board), rel="alternate")
    feed.generator(GENERATOR, version=__version__)
    feed.language("en")
    feed.updated(history.changed_at)
    shown = [c for c in history.changes if not _hidden_now(history, c)]
    # feedgen puts the entry added last first: add the oldest first.
    for change in shown:
        entry = feed.add_entry()
        entry.id(_urn(f"{incarnation(board)}/{change.seq}/{change.kind}/{change.session}"))
        entry.title(f"{_TITLES[change.kind]}: {change.title}")
        entry.summary(change.text)
        entry.link(href=_link(history, links, change), rel="alternate")
        entry.updated(change.at)
        entry.published(change.at)
        entry.author(name=board.info.name)
    return Document(feed.atom_str(pretty=True), MEDIA_TYPE, history.changed_at)


def _hidden_now(history: History, change: PublicChange) -> bool:
    session = history.board.sessions.get(change.session) or history.gone_sessions.get(
        change.session
    )
    return session is not None and session.hidden


def _link(history: History, links: Links, change: PublicChange) -> str:
    board = history.board
    if change.session in board.sessions:
        return links.session(board, change.session)
    return links.board(board)


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"
