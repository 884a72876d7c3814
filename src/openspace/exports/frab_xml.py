"""
C{schedule.xml}: the frab/Pentabarf XML that Giggity, ConfClerk, EventFahrplan and
info-beamer read, valid against the c3voc XSD (C{schedule.xml.xsd}).

Written with C{xml.etree.ElementTree}, which escapes all text; the document model is
L{openspace.exports.frab.Schedule}.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from openspace import __version__
from openspace.exports.document import GENERATOR, Document, Links
from openspace.exports.frab import Item, Schedule, hours_minutes, schedule
from openspace.exports.history import History

MEDIA_TYPE = "application/xml; charset=utf-8"


def schedule_xml(history: History, links: Links, *, official: bool) -> Document:
    """
    C{/e/{slug}/schedule.xml}: the open spaces (and the official talks if C{official}).
    """
    name = "schedule.xml?with=official" if official else "schedule.xml"
    shown = schedule(history, links, links.feed(history.board, name), official=official)
    return Document(_xml(shown), MEDIA_TYPE, history.changed_at)


def _xml(schedule: Schedule) -> bytes:
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR, version=__version__)
    _text(root, "url", schedule.url)
    _text(root, "version", schedule.version)
    conference = ET.SubElement(root, "conference")
    _text(conference, "title", schedule.title)
    _text(conference, "acronym", schedule.acronym)
    _text(conference, "start", schedule.first_day.isoformat())
    _text(conference, "end", schedule.last_day.isoformat())
    _text(conference, "days", str(len(schedule.days)))
    _text(conference, "timeslot_duration", hours_minutes(schedule.timeslot))
    _text(conference, "base_url", schedule.base_url)
    _text(conference, "url", schedule.board_url)
    _text(conference, "time_zone_name", schedule.zone)
    for day in schedule.days:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=day.start.isoformat(),
            end=day.end.isoformat(),
        )
        for room in day.rooms:
            room_element = ET.SubElement(day_element, "room", name=room.name, guid=room.guid)
            for item in room.items:
                _event(room_element, item, schedule)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _event(parent: ET.Element, item: Item, schedule: Schedule) -> None:
    start = item.start.astimezone(schedule.tz)
    event = ET.SubElement(parent, "event", guid=item.guid, id=str(item.number))
    _text(event, "date", start.isoformat())
    _text(event, "start", f"{start:%H:%M}")
    _text(event, "duration", hours_minutes(item.end - item.start))
    _text(event, "room", item.room)
    _text(event, "slug", item.slug)
    _text(event, "title", item.title)
    _text(event, "subtitle", "")
    _text(event, "track", item.track)
    _text(event, "type", item.kind)
    _text(event, "abstract", item.abstract)
    _text(event, "description", item.abstract)
    persons = ET.SubElement(event, "persons")
    for person in item.persons:
        _text(persons, "person", person)
    if item.url:
        _text(event, "url", item.url)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value
    return element
