"""
Tests for L{openspace.official.frab_json}.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openspace.official import frab_json
from openspace.official.parsed import ParseError

SOURCE = "https://frab.example/schedule.json"


def document(*events: dict[str, object], zone: str | None = "Europe/Berlin") -> bytes:
    conference: dict[str, object] = {
        "days": [
            {
                "date": "2024-06-01",
                "day_start": "2024-06-01T04:00:00+02:00",
                "rooms": {"Hall A": list(events)},
            }
        ]
    }
    if zone is not None:
        conference["time_zone_name"] = zone
    return json.dumps({"schedule": {"conference": conference}}).encode()


def test_reads_the_shared_document(documents: dict[str, bytes]) -> None:
    result = frab_json.parse(documents["frab-json"], source=SOURCE, timezone=None)
    assert result.format == "frab-json"
    opening, night = result.talks
    assert opening.id == "g-1"
    assert (opening.start, opening.end) == (
        datetime(2024, 6, 1, 8, tzinfo=UTC),
        datetime(2024, 6, 1, 8, 45, tzinfo=UTC),
    )
    assert (opening.room, opening.track, opening.kind) == ("Hall A", "Main", "talk")
    assert opening.speakers == ("Ada", "Grace")
    assert (opening.source, opening.url) == (SOURCE, "https://demo.example/1")
    # No date: the day's date and local start; 01:30 belongs to the next morning.
    assert night.id == "2"
    assert night.start == datetime(2024, 6, 1, 23, 30, tzinfo=UTC)
    assert night.room == "Hall A"


def test_end_wins_over_duration() -> None:
    event = {
        "guid": "g",
        "title": "T",
        "date": "2024-06-01T10:00:00+02:00",
        "duration": "00:30",
        "end": "2024-06-01T11:00:00+02:00",
    }
    (talk,) = frab_json.parse(document(event), source=SOURCE, timezone=None).talks
    assert talk.end == datetime(2024, 6, 1, 9, tzinfo=UTC)


def test_the_configured_zone_serves_documents_without_one() -> None:
    event = {"id": 1, "title": "T", "start": "10:00", "duration": "00:30"}
    (talk,) = frab_json.parse(
        document(event, zone=None), source=SOURCE, timezone="Asia/Kolkata"
    ).talks
    assert talk.start == datetime(2024, 6, 1, 4, 30, tzinfo=UTC)
    with pytest.raises(ParseError, match="timezone"):
        frab_json.parse(document(event, zone=None), source=SOURCE, timezone=None)


def test_a_bad_event_is_skipped_with_its_reason() -> None:
    good = {"id": 1, "title": "Good", "date": "2024-06-01T10:00:00+02:00", "duration": "00:30"}
    bad = {"id": 2, "title": "Bad", "date": "2024-06-01T10:00:00+02:00", "duration": "soon"}
    result = frab_json.parse(document(good, bad, "not an event"), source=SOURCE, timezone=None)
    assert [t.title for t in result.talks] == ["Good"]
    assert [(s.item, s.reason) for s in result.skipped] == [
        ("day 1, Hall A #2", "bad duration 'soon'"),
        ("day 1, Hall A #3", "event is not an object"),
    ]


def test_the_inner_schedule_object_alone_is_accepted() -> None:
    inner = json.loads(document({"id": 1, "title": "T", "date": "2024-06-01T10:00:00Z"}))
    body = json.dumps(inner["schedule"]).encode()
    assert len(frab_json.parse(body, source=SOURCE, timezone=None).talks) == 1


@pytest.mark.parametrize("body", [b'{"talks": []}', b"[]", b'{"schedule": {"conference": {}}}'])
def test_other_documents_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError):
        frab_json.parse(body, source=SOURCE, timezone=None)
