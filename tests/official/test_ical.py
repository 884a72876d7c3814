"""
Tests for L{openspace.official.ical}: speakers from ATTENDEE/ORGANIZER, undefined
TZIDs, missing DTEND and repeated UIDs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openspace.official import ical
from openspace.official.parsed import DEFAULT_DURATION, ParseError

SOURCE = "https://conf.example/schedule.ics"


def calendar(*events: str, header: str = "") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", *header.split("\n")]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().split("\n"), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(line for line in lines if line).encode()


def test_attendees_are_the_speakers(documents: dict[str, bytes]) -> None:
    result = ical.parse(documents["ical"], source=SOURCE, timezone=None)
    assert result.format == "ical"
    (talk,) = result.talks
    assert (talk.id, talk.title, talk.room) == ("460@demo", "OpenCelium", "Ravensberg")
    assert talk.speakers == ("Jakob Semere",)
    assert (talk.start, talk.end) == (
        datetime(2020, 9, 18, 11, tzinfo=UTC),
        datetime(2020, 9, 18, 12, tzinfo=UTC),
    )
    assert talk.url == "https://demo.example/460"


def test_the_organizer_is_used_only_without_attendees() -> None:
    body = calendar(
        "UID:1\nDTSTART:20240601T100000Z\nSUMMARY:A\nORGANIZER;CN=Conf:mailto:c@x\n"
        "ATTENDEE;CN=Ada:mailto:a@x\nATTENDEE;CN=Grace:mailto:g@x",
        "UID:2\nDTSTART:20240601T110000Z\nSUMMARY:B\nORGANIZER;CN=Linus:mailto:l@x",
    )
    a, b = ical.parse(body, source=SOURCE, timezone=None).talks
    assert a.speakers == ("Ada", "Grace")
    assert b.speakers == ("Linus",)


def test_undefined_tzid_and_floating_times_use_the_source_zone() -> None:
    body = calendar(
        "UID:1\nDTSTART;TZID=Conference Time:20240601T100000\nSUMMARY:A",
        "UID:2\nDTSTART:20240601T110000\nSUMMARY:B",
        "UID:3\nDTSTART;TZID=America/New_York:20240601T100000\nSUMMARY:C",
    )
    a, b, c = ical.parse(body, source=SOURCE, timezone="Europe/Berlin").talks
    assert (a.start, b.start) == (
        datetime(2024, 6, 1, 8, tzinfo=UTC),
        datetime(2024, 6, 1, 9, tzinfo=UTC),
    )
    assert c.start == datetime(2024, 6, 1, 14, tzinfo=UTC)
    with pytest.raises(ParseError, match="timezone"):
        ical.parse(body, source=SOURCE, timezone=None)


def test_the_calendar_zone_comes_before_the_configured_one() -> None:
    body = calendar("UID:1\nDTSTART:20240601T100000\nSUMMARY:A", header="X-WR-TIMEZONE:UTC")
    (talk,) = ical.parse(body, source=SOURCE, timezone="Europe/Berlin").talks
    assert talk.start == datetime(2024, 6, 1, 10, tzinfo=UTC)


def test_without_dtend_duration_then_the_default_applies() -> None:
    body = calendar(
        "UID:1\nDTSTART:20240601T100000Z\nDURATION:PT1H30M\nSUMMARY:A",
        "UID:2\nDTSTART:20240601T120000Z\nSUMMARY:B",
    )
    a, b = ical.parse(body, source=SOURCE, timezone=None).talks
    assert a.end - a.start == timedelta(minutes=90)
    assert b.end - b.start == DEFAULT_DURATION


def test_repeated_uids_keep_the_last_and_are_reported() -> None:
    body = calendar(
        "UID:1\nDTSTART:20240601T100000Z\nSUMMARY:Old title",
        "UID:1\nDTSTART:20240601T100000Z\nSUMMARY:New title",
    )
    result = ical.parse(body, source=SOURCE, timezone=None)
    assert [t.title for t in result.talks] == ["New title"]
    assert [s.item for s in result.skipped] == ["1"]


def test_all_day_and_startless_events_are_skipped() -> None:
    body = calendar(
        "UID:1\nDTSTART;VALUE=DATE:20240601\nSUMMARY:Conference day",
        "UID:2\nSUMMARY:No start",
        "UID:3\nDTSTART:20240601T100000Z\nSUMMARY:<b>Real</b> talk\nCATEGORIES:Security,Web",
    )
    result = ical.parse(body, source=SOURCE, timezone=None)
    assert [(t.title, t.track) for t in result.talks] == [("Real talk", "Security")]
    assert [s.reason for s in result.skipped] == ["all-day event (DTSTART is a date)", "no DTSTART"]


@pytest.mark.parametrize("body", [b"", b"BEGIN:VEVENT\r\nEND:VEVENT", b"BEGIN:VCALENDAR\r\n\x00"])
def test_other_documents_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError):
        ical.parse(body, source=SOURCE, timezone=None)
