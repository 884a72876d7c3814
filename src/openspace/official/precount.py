"""
Refusing a schedule with too many items before parsing it.

Parsing builds every item (and, for JSON, the whole document) in memory: a 13 MB feed
of 100,000 events cost hundreds of megabytes before the item limit refused the result.
Counting the marks each item leaves in the raw bytes costs one pass over them and no
memory, so a feed over the limit is refused before anything is built.  The count is an
upper bound: an item without a start is skipped by its parser, never counted short.
"""

from __future__ import annotations

import re

from openspace.official.parsed import ParseError

# A large conference has about 1,000 items; this only stops runaway feeds.  The board
# refuses more talks than this too (L{openspace.fields.OFFICIAL_TALKS_MAX}).
ITEMS_MAX = 20_000

# Room for the few marks that are not items (a conference's or a day's "start").
SLACK = 100

_XML_ITEM = re.compile(rb"<event[\s>/]")


def item_marks(body: bytes) -> int:
    """
    How many items C{body} can hold at most, judged from its kind of syntax.
    """
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        # Every JSON format's items have a start: "start", "startsAt", "start_time".
        return body.count(b'"start')
    if head == b"<":
        return sum(1 for _ in _XML_ITEM.finditer(body))
    return body.count(b"BEGIN:VEVENT") + body.count(b"begin:vevent")


def refuse_oversized(body: bytes, limit: int) -> None:
    """
    @raise ParseError: C{body} holds more than C{limit} items.
    """
    marks = item_marks(body)
    if marks > limit + SLACK:
        raise ParseError(
            f"the schedule has about {marks} items; at most {limit} are read, so it was not parsed"
        )
