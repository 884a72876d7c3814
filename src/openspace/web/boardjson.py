"""
The API's board JSON, with the official talks encoded once per official schedule, in a
thread.

A board may carry thousands of official talks (a 19,000-talk schedule is 4.6 MB of
JSON, a second of work on a loaded machine): encoding them again for every proposal or
"going", on the reactor thread, would stall every other client each time.
L{BoardEncoder} keeps each board's official talks encoded for as long as the board holds
the same schedule (the same tuple: the engine keeps it when other things change), has a
new schedule encoded in a thread (L{BoardEncoder.prepare}, once however many requests
ask meanwhile), encodes the members before and after the talks as before, and joins the
three.  The bytes are exactly C{json.dumps} of the whole L{openspace.views.board_json}
document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from attrs import define, field
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from openspace.model import Board, OfficialTalk
from openspace.views import board_json, official_json

Talks = tuple[OfficialTalk, ...]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _talks_json(board: Board) -> str:
    zone = board.info.zone
    return _dumps([official_json(talk, zone) for talk in board.official])


@define
class _Encoding:
    talks: Talks
    timezone: str
    waiters: list[Deferred[None]] = field(factory=list)

    def of(self, board: Board) -> bool:
        return self.talks is board.official and self.timezone == board.info.timezone


@define
class BoardEncoder:
    """
    Encodes boards for C{GET /api/events/{slug}/board}.

    @ivar offload: runs the encoding of a new schedule off the reactor thread.
    """

    offload: Callable[[Callable[[], str]], Deferred[str]]
    _encoded: dict[str, tuple[_Encoding, str]] = field(factory=dict, init=False)
    _encoding: dict[str, _Encoding] = field(factory=dict, init=False)

    async def prepare(self, board: Board) -> None:
        """
        Have C{board}'s official talks encoded, in a thread when they are new.
        """
        slug = board.info.slug
        kept = self._encoded.get(slug)
        if kept is not None and kept[0].of(board):
            return
        encoding = self._encoding.get(slug)
        if encoding is None or not encoding.of(board):
            encoding = self._encoding[slug] = _Encoding(board.official, board.info.timezone)
            self.offload(lambda: _talks_json(board)).addBoth(self._done, slug, encoding)
        ready: Deferred[None] = Deferred()
        encoding.waiters.append(ready)
        await ready

    def _done(self, result: str | Failure, slug: str, encoding: _Encoding) -> None:
        if self._encoding.get(slug) is encoding:
            del self._encoding[slug]
        # A failure is met again, and reported, when the request encodes the talks itself.
        if isinstance(result, str):
            self._encoded[slug] = (encoding, result)
        for ready in encoding.waiters:
            ready.callback(None)

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
        kept = self._encoded.get(board.info.slug)
        if kept is not None and kept[0].of(board):
            return kept[1]
        encoded = _talks_json(board)
        self._encoded[board.info.slug] = (_Encoding(board.official, board.info.timezone), encoded)
        return encoded
