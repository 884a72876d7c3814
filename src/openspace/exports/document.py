"""
A built export and what every builder shares: absolute links, stable numbers and ids.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from urllib.parse import quote

from attrs import frozen

from openspace.model import Board

#: The name and version exports give as their generator.
GENERATOR = "openspace"

_NUMBERED = re.compile(r"^[a-z](\d{1,9})$")
_GUID_NAMESPACE = uuid.UUID("6f0c2b4e-8d6a-4f8e-9a51-0b7d9c1e2f30")


@frozen
class Document:
    """
    The bytes of one export, and what HTTP needs to serve them.

    @ivar last_modified: when its content last changed (for C{Last-Modified}).
    @ivar fresh_until: when the same board would give a different document (a
        cancelled session leaving a calendar); L{None} if only a new event changes it.
    """

    body: bytes
    media_type: str
    last_modified: datetime
    fresh_until: datetime | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:24] + '"'


@frozen
class Links:
    """
    Where the board lives on the web, for the absolute links exports carry.

    @ivar base: the site's origin, e.g. C{https://board.example.org}.
    """

    base: str

    def board(self, board: Board) -> str:
        return f"{self.base}/e/{quote(board.info.slug)}/"

    def session(self, board: Board, session_id: str) -> str:
        return f"{self.board(board)}s/{quote(session_id)}"

    def feed(self, board: Board, name: str) -> str:
        return f"{self.board(board)}{name}"


def item_number(item_id: str) -> int:
    """
    A stable positive integer for a session or meetup id: the sequence number in its
    id (C{s12} → 12, unique on a board because every id is made from one), else a
    number from its digest, above every such sequence number.
    """
    match = _NUMBERED.match(item_id)
    if match is not None and int(match.group(1)) > 0:
        return int(match.group(1))
    return 1_000_000_000 + int(hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:7], 16)


def item_guid(board: Board, kind: str, item_id: str) -> str:
    """
    A UUID that stays the same for an item of one incarnation of an event.
    """
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{incarnation(board)}/{kind}/{item_id}"))


def incarnation(board: Board) -> str:
    """
    The event's slug and creation time: an event deleted and made again under the same
    slug (as the demo is every day) gets new ids everywhere.
    """
    return f"{board.info.slug}-{int(board.created.timestamp())}"
