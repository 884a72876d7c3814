"""
C{schedule.json}: the frab/c3voc JSON schedule, valid against the c3voc JSON schema
(C{schema.json}, draft-06).  Same document model as the XML
(L{openspace.exports.frab.Schedule}).
"""

from __future__ import annotations

import json
from typing import Any

from openspace import __version__
from openspace.exports.document import GENERATOR, Document, Links
from openspace.exports.frab import Item, Schedule, hours_minutes, schedule
from openspace.exports.history import History

MEDIA_TYPE = "application/json; charset=utf-8"
SCHEMA = "https://c3voc.de/schedule/schema.json"


def schedule_json(history: History, links: Links, *, official: bool) -> Document:
    """
    C{/e/{slug}/schedule.json}: the open spaces (and the official talks if C{official}).
    """
    name = "schedule.json?with=official" if official else "schedule.json"
    shown = schedule(history, links, links.feed(history.board, name), official=official)
    body = json.dumps(_document(shown), ensure_ascii=False, indent=1).encode("utf-8")
    return Document(body, MEDIA_TYPE, history.changed_at)


def _document(shown: Schedule) -> dict[str, Any]:
    conference: dict[str, Any] = {
        "acronym": shown.acronym,
        "title": shown.title,
        "start": shown.first_day.isoformat(),
        "end": shown.last_day.isoformat(),
        "daysCount": len(shown.days),
        "timeslot_duration": hours_minutes(shown.timeslot),
        "url": shown.board_url,
        "rooms": [{"name": name, "guid": guid} for name, guid in shown.rooms],
        "days": [
            {
                "index": day.index,
                "date": day.date.isoformat(),
                "day_start": day.start.isoformat(),
                "day_end": day.end.isoformat(),
                "rooms": {
                    room.name: [_event(item, shown) for item in room.items] for room in day.rooms
                },
            }
            for day in shown.days
        ],
    }
    if shown.time_zone_name is not None:
        conference["time_zone_name"] = shown.time_zone_name
    return {
        "$schema": SCHEMA,
        "generator": {"name": GENERATOR, "version": __version__},
        "schedule": {
            "version": shown.version,
            "base_url": shown.base_url,
            "url": shown.url,
            "conference": conference,
        },
    }


def _event(item: Item, shown: Schedule) -> dict[str, Any]:
    start = item.start.astimezone(shown.tz)
    return {
        "guid": item.guid,
        "id": item.number,
        "date": start.isoformat(),
        "start": f"{start:%H:%M}",
        "end": item.end.astimezone(shown.tz).isoformat(),
        "duration": hours_minutes(item.end - item.start),
        "room": item.room,
        "slug": item.slug,
        "url": item.url or shown.board_url,
        "title": item.title,
        "subtitle": "",
        "track": item.track or None,
        "type": item.kind,
        "language": None,
        "abstract": item.abstract,
        "description": item.abstract,
        "persons": [{"name": name} for name in item.persons],
        "links": [],
    }
