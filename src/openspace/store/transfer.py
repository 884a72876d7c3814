"""
A whole event as one JSON document, to move it between databases (SQLite, PostgreSQL).

The document is the event's log, nothing else: the board is the fold of its log, so
importing replays the log and writes the events and the board it gives, exactly as they
were.  Each event keeps its own format version (L{openspace.codec}); the document has a
version of its own for its envelope:

    {"format": "openspace-event", "version": 1, "slug": "…", "seq": N, "events": [...]}

The log is complete: it holds the digests of hosts' edit keys and attendees' random ids,
so an export is as confidential as the database.
"""

from __future__ import annotations

from typing import Any

from openspace.codec import JSON, FormatError, decode_logged, encode_logged
from openspace.events import Logged
from openspace.model import Board
from openspace.store.sql import SQLBoardStore

FORMAT = "openspace-event"
VERSION = 1
# Events read per transaction while exporting.
PAGE = 1000


async def export_event(store: SQLBoardStore, slug: str) -> JSON:
    """
    The document of event C{slug}; L{KeyError} if there is none.
    """
    logged: list[Logged] = []
    while True:
        page = await store.events_since(slug, logged[-1].seq if logged else 0, PAGE)
        logged.extend(page)
        if len(page) < PAGE:
            break
    if not logged:
        raise KeyError(slug)
    return {
        "format": FORMAT,
        "version": VERSION,
        "slug": slug,
        "seq": logged[-1].seq,
        "events": [encode_logged(entry) for entry in logged],
    }


def read_document(data: Any) -> tuple[str, list[Logged]]:
    """
    The slug and log of a document made by L{export_event}; L{FormatError} if it is not one.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FormatError(f"not an {FORMAT} document")
    if data.get("version") != VERSION:
        version = data.get("version")
        raise FormatError(f"{FORMAT} version {version!r}; this openspace reads {VERSION}")
    slug, events = data.get("slug"), data.get("events")
    if not isinstance(slug, str) or not isinstance(events, list) or not events:
        raise FormatError("the document has no slug or no events")
    logged = [decode_logged(event) for event in events]
    if [entry.seq for entry in logged] != list(range(1, len(logged) + 1)):
        raise FormatError("the events are not numbered 1, 2, 3, … without gaps")
    if logged[-1].seq != data.get("seq"):
        raise FormatError("the document is cut short")
    return slug, logged


async def import_event(store: SQLBoardStore, data: Any, *, replace: bool = False) -> Board:
    """
    Write the event of document C{data} into C{store}: refused with
    L{openspace.store.interface.EventExists} if its slug is taken, unless C{replace}.
    """
    slug, logged = read_document(data)
    return await store.import_log(slug, logged, replace=replace)
