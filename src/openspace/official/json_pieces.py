"""
Decoding a large JSON document a piece at a time, with the standard library's decoder.

C{json.loads} decodes a 12 MB schedule in one C call of 100-150 ms that holds the GIL
throughout: the reactor thread, sharing the interpreter with the parsing thread, cannot
answer anything meanwhile.  L{decode} gives the same value, but hands the C decoder only
values that end within a window of C{piece} characters (a talk, a slot, a room's name);
containers larger than that (the document, its days, a room's hundreds of events) are
walked here, in Python, so the interpreter can switch threads between two pieces.

Whether a container is small is found out by decoding it within the window: a container
that does not end there fails to decode and is walked instead (each such failure costs
at most one window, and only large containers fail).  A document that is not valid JSON
is decoded again whole by C{json.loads}, so its error is exactly the one C{json.loads}
gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import cast

PIECE = 64 * 1024

_DECODER = json.JSONDecoder()
# The decoder's own string scanner (C), untyped in typeshed.
_scanstring = cast(Callable[[str, int], tuple[str, int]], json.decoder.scanstring)  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")


class _Broken(ValueError):
    """
    The walk found something that is not JSON: let C{json.loads} say what.
    """


def decode(text: str, piece: int = PIECE) -> object:
    """
    C{json.loads(text)}, decoded in pieces of at most about C{2 * piece} characters.

    @raise ValueError: as C{json.loads} does (C{json.JSONDecodeError}), and
        C{RecursionError} for a document nested too deeply.
    """
    try:
        walk = _Walk(text, piece)
        value, end = walk.value(walk.skip(0))
        if walk.skip(end) != len(text):
            raise _Broken("extra data")
    except (ValueError, IndexError, RecursionError):
        return json.loads(text)
    return value


class _Walk:
    def __init__(self, text: str, piece: int) -> None:
        self.text = text
        self.piece = piece
        # A copy of text[base:base + 2 * piece], moved along as the walk advances.
        self.base = 0
        self.window = text[: 2 * piece]

    def skip(self, position: int) -> int:
        return _SPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def value(self, position: int) -> tuple[object, int]:
        """
        The value starting at C{position} and the position after it.
        """
        text = self.text
        first = text[position]
        if first not in "{[":
            # A string, number or literal: decoded at once.
            found: tuple[object, int] = _DECODER.raw_decode(text, position)
            return found
        if position > self.base + self.piece:
            self.base = position
            self.window = text[position : position + 2 * self.piece]
        try:
            value, end = _DECODER.raw_decode(self.window, position - self.base)
            return value, end + self.base
        except json.JSONDecodeError:
            if self.base + len(self.window) >= len(text):
                raise  # the whole rest was in the window: the document is broken
        return self.array(position) if first == "[" else self.object(position)

    def array(self, position: int) -> tuple[list[object], int]:
        text = self.text
        items: list[object] = []
        position = self.skip(position + 1)
        if text[position] == "]":
            return items, position + 1
        while True:
            value, position = self.value(position)
            items.append(value)
            position = self.skip(position)
            if text[position] == "]":
                return items, position + 1
            if text[position] != ",":
                raise _Broken("expected , or ]")
            position = self.skip(position + 1)

    def object(self, position: int) -> tuple[dict[str, object], int]:
        text = self.text
        members: dict[str, object] = {}
        position = self.skip(position + 1)
        if text[position] == "}":
            return members, position + 1
        while True:
            if text[position] != '"':
                raise _Broken("expected a name")
            name, position = _scanstring(text, position + 1)
            position = self.skip(position)
            if text[position] != ":":
                raise _Broken("expected :")
            members[name], position = self.value(self.skip(position + 1))
            position = self.skip(position)
            if text[position] == "}":
                return members, position + 1
            if text[position] != ",":
                raise _Broken("expected , or }")
            position = self.skip(position + 1)
