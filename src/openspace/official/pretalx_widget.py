"""
The pretalx schedule widget JSON (C{/<event>/schedule/widgets/schedule.json},
C{…/widget/v2.json}).

Shape: C{{"timezone": "Europe/Berlin", "talks": [...], "rooms": [...],
"speakers": [...], "tracks": [...]}}.  A talk refers to its room, track and speakers
by id (C{room: 3}, C{track: 7}, C{speakers: ["ABC123"]}); a break has no C{code}
and no speakers.  Names and titles may be plain strings or translation objects
(C{{"en": "Room A", "de": "Raum A"}}).  Tolerated variants: speakers embedded as
objects instead of codes, rooms given by name, and a missing C{end} (C{duration} in
minutes is used).

Unlike the exporters, this endpoint answers conditional requests correctly and sends
C{max-age=60}, which makes it the best pretalx URL to poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from openspace.official.parsed import (
    ParseError,
    ParseResult,
    ResultBuilder,
    as_list,
    as_mapping,
    choose_zone,
    load_json,
    names_by_id,
    optional_datetime,
    optional_duration,
    parse_datetime,
    text,
)

FORMAT = "pretalx-widget"


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse a pretalx widget schedule (see L{openspace.official.detect.Parser});
    L{ParseError} when the document has no C{talks} list.
    """
    return parse_document(load_json(body), source=source, timezone=timezone)


def parse_document(document: object, *, source: str, timezone: str | None) -> ParseResult:
    """
    L{parse}, for a document already decoded (L{openspace.official.detect.parse_any}
    decodes it once to detect its format).
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("talks"), list):
        raise ParseError("not a pretalx widget schedule: no talks list")
    zone = choose_zone(document.get("timezone"), timezone)
    rooms = names_by_id(document.get("rooms"))
    tracks = names_by_id(document.get("tracks"))
    speakers = names_by_id(document.get("speakers"), id_key="code")
    builder = ResultBuilder(FORMAT, source)
    for position, entry in enumerate(document["talks"], 1):
        with builder.item(f"talk #{position}"):
            talk = as_mapping(entry, "talk")
            code = text(talk.get("code"))
            slot = text(talk.get("id"))
            builder.add(
                # Breaks have only a numeric slot id; prefixed so that it never
                # clashes with a submission code.
                id=code or (f"slot-{slot}" if slot else ""),
                title=talk.get("title"),
                start=parse_datetime(talk.get("start"), zone),
                end=optional_datetime(talk.get("end"), zone),
                duration=optional_duration(talk.get("duration")),
                room=_lookup(rooms, talk.get("room")),
                speakers=tuple(
                    _lookup(speakers, s) for s in as_list(talk.get("speakers"), "speakers")
                ),
                track=_lookup(tracks, talk.get("track")),
                kind=talk.get("session_type") or ("talk" if code else "break"),
                url=talk.get("url"),
            )
    return builder.result()


def _lookup(names: Mapping[str, str], reference: object) -> str:
    # A reference is an id into the document's list, or (older widget versions and
    # hand-written feeds) the object or name itself.
    if isinstance(reference, Mapping):
        return text(reference.get("name"))
    key = text(reference)
    return names.get(key, key)
