"""
PyCon US C{conference.json} (the symposion-based site, C{/<year>/schedule/conference.json}).

Two shapes exist:

  - up to 2023, a bare list of slots whose C{start}/C{end} are naive local times
    (the source's configured zone is required to place them);
  - from 2024, C{{"conference": {…}, "schedule": [slots]}} with ISO offsets.

A slot has C{conf_key} (its id), C{name}, C{kind} (C{"talk"}, C{"tutorial"},
C{"break"}, …), C{room}, C{start}, C{end}, C{duration} (minutes), C{speakers}
(objects with a C{name}) or C{authors} (names), C{conf_url} and C{cancelled}.
Cancelled slots are skipped with a reason.  A poster session's C{sessions} sub-list
is not expanded: the posters share the slot's room and time.

The mobile app's C{open-spaces} array (what openspace's own C{pycon-open-spaces.json}
serves) is read too: its items name themselves with C{title} and C{room_display}
instead of C{name} and C{room}.
"""

from __future__ import annotations

from collections.abc import Mapping

from openspace.official.parsed import (
    ItemError,
    ParseError,
    ParseResult,
    ResultBuilder,
    as_list,
    as_mapping,
    choose_zone,
    load_json,
    optional_datetime,
    optional_duration,
    parse_datetime,
    text,
)

FORMAT = "pyconus"


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse a PyCon US C{conference.json}, either shape (see
    L{openspace.official.detect.Parser}); L{ParseError} when it is neither, or has naive
    times and no zone is configured.
    """
    return parse_document(load_json(body), source=source, timezone=timezone)


def parse_document(document: object, *, source: str, timezone: str | None) -> ParseResult:
    """
    L{parse}, for a document already decoded (L{openspace.official.detect.parse_any}
    decodes it once to detect its format).
    """
    if isinstance(document, Mapping) and isinstance(document.get("schedule"), list):
        slots = document["schedule"]
    elif isinstance(document, list):
        slots = document
    else:
        raise ParseError("not a PyCon US conference.json: no list of slots")
    zone = choose_zone(None, timezone)
    builder = ResultBuilder(FORMAT, source)
    for position, entry in enumerate(slots, 1):
        with builder.item(f"slot #{position}"):
            slot = as_mapping(entry, "slot")
            if slot.get("cancelled") is True:
                raise ItemError(f"cancelled: {text(slot.get('name'))}")
            builder.add(
                id=slot.get("conf_key"),
                title=slot.get("name") or slot.get("title"),
                start=parse_datetime(slot.get("start"), zone),
                end=optional_datetime(slot.get("end"), zone),
                duration=optional_duration(slot.get("duration")),
                room=slot.get("room")
                or slot.get("room_display")
                or ", ".join(map(text, as_list(slot.get("rooms"), "rooms"))),
                speakers=_speakers(slot),
                kind=slot.get("kind"),
                url=slot.get("conf_url"),
            )
    return builder.result()


def _speakers(slot: Mapping[str, object]) -> tuple[str, ...]:
    speakers = as_list(slot.get("speakers"), "speakers")
    if speakers:
        return tuple(text(as_mapping(s, "speaker").get("name")) for s in speakers)
    return tuple(text(name) for name in as_list(slot.get("authors"), "authors"))
