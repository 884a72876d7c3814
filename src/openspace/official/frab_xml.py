"""
The frab C{schedule.xml} format, from any generator (frab, pretalx, wafer, …).

C{<schedule><conference/><day date=… start=…><room name=…><event guid=… id=…>}, with
C{<date>} (a date-time with offset), C{<start>} (local wall-clock time),
C{<duration>}, C{<title>}, C{<type>}, C{<track>}, C{<url>} and
C{<persons><person>Name</person></persons>} inside each event.

Quirks handled (see L{openspace.official.parsed.frab_start}): wafer writes a day's
C{date} in UTC and C{start} in local time, so an event's own C{<date>} (or C{date}
attribute) wins; old frab versions have no event date at all.

Safety: the document is parsed with C{pyexpat} feeding an C{ElementTree.TreeBuilder},
so that entity declarations can be refused.  Python 3.11's C{xml.etree} never fetches
external entities (pyexpat has no resolver unless one is installed), and expat 2.4+
limits entity amplification, but it still expands internal entities; refusing every
C{<!ENTITY>} closes the "billion laughs" door whatever the expat version, and no
schedule generator declares entities.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from openspace.official.parsed import (
    ParseError,
    ParseResult,
    ResultBuilder,
    choose_zone,
    frab_start,
    optional_datetime,
    optional_duration,
    text,
)

FORMAT = "frab-xml"

#: How many bytes expat is given at a time.
FEED_BYTES = 64 * 1024


def parse(body: bytes, *, source: str, timezone: str | None) -> ParseResult:
    """
    Parse a frab C{schedule.xml} (see L{openspace.official.detect.Parser});
    L{ParseError} when the bytes are not XML, declare entities, or the root is not
    C{<schedule>}.
    """
    root = parse_xml(body)
    if root.tag != "schedule":
        raise ParseError(f"not a frab schedule.xml: the root element is <{root.tag}>")
    zone = choose_zone(root.findtext("conference/time_zone_name"), timezone)
    builder = ResultBuilder(FORMAT, source)
    for day in root.iterfind("day"):
        for room in day.iterfind("room"):
            room_name = room.get("name", "")
            for position, event in enumerate(room.iterfind("event"), 1):
                with builder.item(f"day {day.get('date')}, {room_name} #{position}"):
                    builder.add(
                        id=event.get("guid") or event.get("id"),
                        title=event.findtext("title"),
                        start=frab_start(
                            date_value=event.get("date") or event.findtext("date"),
                            day=day.get("date"),
                            clock=event.findtext("start"),
                            day_start=day.get("start"),
                            zone=zone,
                        ),
                        end=optional_datetime(event.findtext("end"), zone),
                        duration=optional_duration(event.findtext("duration")),
                        room=text(event.findtext("room")) or room_name,
                        speakers=tuple(
                            text(person.text) for person in event.iterfind("persons/person")
                        ),
                        track=event.findtext("track"),
                        kind=event.findtext("type"),
                        url=event.findtext("url"),
                    )
    return builder.result()


def _refuse_entity(name: str, *_: object) -> None:
    raise ParseError(f"XML entity declarations are refused (found {name!r})")


def parse_xml(body: bytes, feed_bytes: int = FEED_BYTES) -> ET.Element:
    """
    Parse XML into an element tree, refusing entity declarations; expat is given
    C{feed_bytes} at a time.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.EntityDeclHandler = _refuse_entity
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        # In pieces: one Parse call over the whole document would hold the GIL until
        # the last element is built (TreeBuilder's handlers are C too).
        for offset in range(0, len(body), feed_bytes):
            parser.Parse(body[offset : offset + feed_bytes], False)
        parser.Parse(b"", True)
    except (expat.ExpatError, LookupError) as e:
        # LookupError: the XML declaration names an encoding Python does not know.
        raise ParseError(f"not well-formed XML: {e}") from e
    return builder.close()
