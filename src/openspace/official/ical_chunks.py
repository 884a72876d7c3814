"""
Cutting a large iCalendar document into small documents of whole events.

C{icalendar} parses a document with regular-expression calls over all of its text and
builds every component before the first one can be read: for a 13 MB feed that is
one C call holding the GIL for tens of milliseconds, and a tree of millions of
objects that full garbage collections walk again and again, while the reactor waits
for the GIL.  Parsed a few dozen events at a time, each C call is short, the parsing
thread gives the GIL back often, and each piece's tree is freed before the next one
is built.

A piece is the document's head (everything before its first C{BEGIN:VEVENT}: the
calendar's properties and time zones), a run of consecutive events and its tail
(everything after its last C{END:VEVENT}), so every piece is a calendar of its own
with the same properties and time zones, and the pieces' events, in order, are the
document's.  Only a regular document is cut: C{BEGIN:VEVENT} and C{END:VEVENT} lines
alternate, nothing but line breaks lies between two events, and no marker line is
folded; anything else (nested or unclosed events, components between events, several
calendars) is left whole.  L{openspace.official.ical} also checks every parsed piece
and reads the whole document when one is not what the cut promised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from attrs import frozen

#: About how many bytes of events each piece holds (whole events: some hold more).
PIECE_BYTES = 64 * 1024

# A line that is exactly BEGIN:VEVENT or END:VEVENT (icalendar ignores case in both
# words) and is not continued by a folded line (a line break, perhaps blank lines,
# then a space or tab: see icalendar's UFOLD).
_MARKER = re.compile(rb"^(BEGIN|END):VEVENT\r?\n(?!(?:\r?\n)*[ \t])", re.MULTILINE | re.IGNORECASE)


@frozen
class Piece:
    """
    A small calendar document holding C{events} consecutive events of a larger one.
    """

    document: bytes
    events: int


@frozen
class EventRuns:
    """
    Where a regular document's events are, and how they are grouped into pieces.

    @ivar head: the bytes before the first event.
    @ivar tail: the bytes after the last event.
    @ivar runs: C{(start, end, events)} of each run of consecutive events.
    """

    body: bytes
    head: bytes
    tail: bytes
    runs: tuple[tuple[int, int, int], ...]

    def pieces(self) -> Iterator[Piece]:
        """
        Each run as a calendar document of its own, built only when it is reached.
        """
        for start, end, events in self.runs:
            yield Piece(self.head + self.body[start:end] + self.tail, events)


def event_runs(body: bytes, piece_bytes: int = PIECE_BYTES) -> EventRuns | None:
    """
    Group the events of C{body} into runs of about C{piece_bytes}; L{None} when the
    document is not regular enough to be cut (or has no events).
    """
    runs: list[tuple[int, int, int]] = []
    first = run_start = previous_end = -1
    events = 0
    opened = False
    # finditer resumes where the last match ended: each step is a short C call.
    for marker in _MARKER.finditer(body):
        begins = marker.group(1).upper() == b"BEGIN"
        if begins == opened:
            return None
        opened = begins
        if begins:
            if previous_end >= 0 and body[previous_end : marker.start()].strip(b"\r\n"):
                return None
            if first < 0:
                first = run_start = marker.start()
            elif marker.start() - run_start >= piece_bytes:
                runs.append((run_start, marker.start(), events))
                run_start, events = marker.start(), 0
        else:
            previous_end = marker.end()
            events += 1
    if opened or first < 0:
        return None
    runs.append((run_start, previous_end, events))
    return EventRuns(body, body[:first], body[previous_end:], tuple(runs))
