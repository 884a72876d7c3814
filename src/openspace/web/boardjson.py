"""
The API's board JSON, with the official talks encoded once per official schedule.

A board may carry thousands of official talks (a 19,000-talk schedule is 4.6 MB of
JSON): encoding them again for every proposal or "going" would hold the reactor thread
for a tenth of a second on each change.  L{BoardEncoder} keeps each board's official
talks encoded for as long as the board holds the same schedule (the same tuple: the
engine keeps it when other things change), encodes the members before and after them
as before, and joins the three.  The bytes are exactly C{json.dumps} of the whole
L{openspace.views.board_json} document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import define, field

from openspace.model import Board, OfficialTalk
from openspace.views import board_json, official_json


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@define
class BoardEncoder:
    """
    Encodes boards for C{GET /api/events/{slug}/board}.
    """

    _official: dict[str, tuple[tuple[OfficialTalk, ...], str, str]] = field(
        factory=dict, init=False
    )

    def encode(self, board: Board, extra: Mapping[str, Any]) -> bytes:
        """
        C{json.dumps(board_json(board, extra=extra), ensure_ascii=False)}, in UTF-8.
        """
        document = board_json(board, extra=extra, official=())
        names = list(document)
        at = names.index("official")
        # json.dumps separates members with ", " and names from values with ": ".
        members = [
            _dumps({name: document[name] for name in part})[1:-1]
            for part in (names[:at], names[at + 1 :])
        ]
        members.insert(1, '"official": ' + self._talks(board))
        return ("{" + ", ".join(m for m in members if m) + "}").encode("utf-8")

    def _talks(self, board: Board) -> str:
        slug, zone = board.info.slug, board.info.timezone
        kept = self._official.get(slug)
        if kept is not None and kept[0] is board.official and kept[1] == zone:
            return kept[2]
        encoded = _dumps([official_json(talk, board.info.zone) for talk in board.official])
        self._official[slug] = (board.official, zone, encoded)
        return encoded
