"""
A schedule with more items than are ever read is refused before it is parsed: in one
pass over its bytes, without building the document or its items.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable

import pytest

from openspace.official.detect import parse_any
from openspace.official.parsed import ParseError
from openspace.official.precount import ITEMS_MAX, item_marks

EVENTS = 100_000


def ical(count: int) -> bytes:
    event = (
        "BEGIN:VEVENT\r\nUID:talk-{n}@example.org\r\nSUMMARY:Talk number {n}\r\n"
        "DTSTART:20300515T100000Z\r\nDTEND:20300515T110000Z\r\nLOCATION:Hall {n}\r\n"
        "END:VEVENT\r\n"
    )
    events = "".join(event.format(n=n) for n in range(count))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


def frab_xml(count: int) -> bytes:
    events = "".join(
        f'<event guid="g{n}" id="{n}"><date>2030-05-15T10:00:00+02:00</date>'
        f"<start>10:00</start><duration>00:30</duration><title>T{n}</title></event>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0"?><schedule><conference><title>C</title></conference>'
        f'<day index="1" date="2030-05-15"><room name="A">{events}</room></day></schedule>'
    ).encode()


def sessionize(count: int) -> bytes:
    sessions = [
        {"id": str(n), "title": f"T{n}", "startsAt": "2030-05-15T10:00:00", "roomId": 1}
        for n in range(count)
    ]
    return json.dumps({"sessions": sessions, "rooms": [], "speakers": []}).encode()


@pytest.mark.parametrize("make", [ical, frab_xml, sessionize])
def test_a_huge_schedule_is_refused_without_building_it(make: Callable[[int], bytes]) -> None:
    body = make(EVENTS)
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="at most 20000"):
            parse_any(body, None, source="https://example.org/s", timezone="UTC")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Parsing would have built 100,000 items (hundreds of megabytes); counting, nothing.
    assert peak < 1_000_000


@pytest.mark.parametrize("make", [ical, frab_xml, sessionize])
def test_the_count_is_an_upper_bound_and_small_schedules_parse(
    make: Callable[[int], bytes],
) -> None:
    body = make(50)
    assert 50 <= item_marks(body) <= 50 + 2
    result = parse_any(body, None, source="https://example.org/s", timezone="UTC")
    assert len(result.talks) == 50
    assert item_marks(make(ITEMS_MAX)) <= ITEMS_MAX + 2
