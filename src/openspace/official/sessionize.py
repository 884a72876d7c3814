"""
Sessionize API JSON: the "All" view (C{/api/v2/<id>/view/All}), and the "Sessions"
view (a list of groups, each with C{sessions}) that shares its session objects.

Sessionize gives C{startsAt}/C{endsAt} as naive local times and says nothing about
the zone, so the source's configured zone is required.  Sessions refer to rooms by
C{roomId} and to speakers by id (the "All" view) or embed C{{id, name}} objects (the
"Sessions" view).  The track and kind come from the categories named "Track" and
"Session format"/"Format"/"Type" when the event defines them; service sessions
(breaks, lunch) get the kind C{"break"}.  Unscheduled sessions are skipped.
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
    lenient_text,
    load_json,
    names_by_id,
    optional_datetime,
    parse_datetime,
    text,
)

FORMAT = "sessionize"

_TRACK_CATEGORIES = frozenset({"track", "tracks"})
_KIND_CATEGORIES = frozenset({"session format", "format", "type", "session type"})


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse a Sessionize "All" or "Sessions" document (see
    L{openspace.official.detect.Parser}); L{ParseError} when the zone is missing or the
    document has no sessions.
    """
    return parse_document(load_json(body), source=source, timezone=timezone)


def parse_document(document: object, *, source: str, timezone: str | None) -> ParseResult:
    """
    L{parse}, for a document already decoded (L{openspace.official.detect.parse_any}
    decodes it once to detect its format).
    """
    sessions = _sessions(document)
    zone = choose_zone(None, timezone)
    if zone is None:
        raise ParseError("Sessionize gives local times without a zone: configure a timezone")
    everything = document if isinstance(document, Mapping) else {}
    rooms = names_by_id(everything.get("rooms"))
    speakers = names_by_id(everything.get("speakers"), name_keys=("fullName", "name"))
    tracks, kinds = _category_items(everything.get("categories"))
    builder = ResultBuilder(FORMAT, source)
    for position, entry in enumerate(sessions, 1):
        with builder.item(f"session #{position}"):
            session = as_mapping(entry, "session")
            if session.get("startsAt") in (None, ""):
                raise ItemError(f"not scheduled: {text(session.get('title'))}")
            item_ids = [text(i) for i in as_list(session.get("categoryItems"), "categoryItems")]
            kind = next((kinds[i] for i in item_ids if i in kinds), "talk")
            builder.add(
                id=session.get("id"),
                title=session.get("title"),
                start=parse_datetime(session.get("startsAt"), zone),
                end=optional_datetime(session.get("endsAt"), zone),
                room=session.get("room") or rooms.get(text(session.get("roomId")), ""),
                speakers=tuple(
                    _speaker_name(s, speakers) for s in as_list(session.get("speakers"), "speakers")
                ),
                track=next((tracks[i] for i in item_ids if i in tracks), ""),
                kind="break" if session.get("isServiceSession") is True else kind,
            )
    return builder.result()


def _sessions(document: object) -> list[object]:
    if isinstance(document, Mapping) and isinstance(document.get("sessions"), list):
        return list(document["sessions"])
    if isinstance(document, list) and all(
        isinstance(g, Mapping) and isinstance(g.get("sessions"), list) for g in document
    ):
        return [s for group in document for s in group["sessions"]]
    raise ParseError("not a Sessionize document: no sessions")


def _category_items(categories: object) -> tuple[dict[str, str], dict[str, str]]:
    tracks: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for category in categories if isinstance(categories, list) else ():
        if not isinstance(category, Mapping):
            continue
        title = lenient_text(category.get("title")).lower()
        target = (
            tracks if title in _TRACK_CATEGORIES else kinds if title in _KIND_CATEGORIES else None
        )
        if target is not None:
            target.update(names_by_id(category.get("items")))
    return tracks, kinds


def _speaker_name(reference: object, names: Mapping[str, str]) -> str:
    if isinstance(reference, Mapping):
        return text(reference.get("name"))
    return names.get(text(reference), "")
