"""
Tests for L{openspace.official.frab_xml}, including wafer's UTC dates and the refusal
of XML entity declarations.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openspace.official import frab_xml
from openspace.official.parsed import ParseError

SOURCE = "https://wafer.example/schedule.xml"


def test_wafer_utc_dates_with_local_start_times(documents: dict[str, bytes]) -> None:
    result = frab_xml.parse(documents["frab-xml"], source=SOURCE, timezone=None)
    assert result.format == "frab-xml"
    (talk,) = result.talks
    # <date> 05:00Z is 10:30 in Kolkata, as <start> says; the day's date is the UTC one.
    assert (talk.start, talk.end) == (
        datetime(2023, 9, 10, 5, tzinfo=UTC),
        datetime(2023, 9, 10, 5, 20, tzinfo=UTC),
    )
    assert (talk.id, talk.title, talk.room) == ("g-35", "Opening Ceremony", "Anamudi")
    assert talk.speakers == ("Sruthi", "Jonathan")
    assert (talk.kind, talk.track, talk.url) == (
        "long talk",
        "Community",
        "https://demo.example/35",
    )


def test_old_frab_without_event_dates_uses_day_date_start_and_zone() -> None:
    body = b"""<schedule>
      <conference><time_zone_name>Europe/Berlin</time_zone_name></conference>
      <day date="2019-08-21" start="2019-08-21T04:00:00+02:00">
        <room name="Curie">
          <event id="1"><start>11:00</start><duration>00:30</duration><title>A</title></event>
          <event id="2"><start>02:00</start><duration>01:00</duration><title>B</title></event>
          <event id="3" date="2019-08-21T15:00:00+02:00"><title>C</title></event>
        </room>
      </day>
    </schedule>"""
    a, c, b = frab_xml.parse(body, source=SOURCE, timezone=None).talks
    assert a.start == datetime(2019, 8, 21, 9, tzinfo=UTC)
    assert (a.room, a.speakers) == ("Curie", ())
    assert c.start == datetime(2019, 8, 21, 13, tzinfo=UTC)
    assert b.start == datetime(2019, 8, 22, 0, tzinfo=UTC)


def test_a_bad_event_is_skipped() -> None:
    body = b"""<schedule><day date="2024-06-01"><room name="R">
      <event id="1"><date>2024-06-01T10:00:00Z</date><title>Good</title></event>
      <event id="2"><date>2024-06-01T10:00:00Z</date></event>
      <event id="3"><date>whenever</date><title>Bad</title></event>
    </room></day></schedule>"""
    result = frab_xml.parse(body, source=SOURCE, timezone=None)
    assert [t.title for t in result.talks] == ["Good"]
    assert [s.reason for s in result.skipped] == ["no title", "bad date-time 'whenever'"]


@pytest.mark.parametrize(
    "body",
    [
        # "Billion laughs": internal entities that expand exponentially.
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<schedule><conference><title>&b;</title></conference></schedule>",
        # An external entity that would read a local file.
        b'<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><schedule>&x;</schedule>',
    ],
)
def test_entity_declarations_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError, match="entity declarations are refused"):
        frab_xml.parse(body, source=SOURCE, timezone=None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Login</body></html>", "root element is <html>"),
        (b"<schedule><day>", "not well-formed"),
        (b'<?xml version="1.0" encoding="klingon"?><schedule/>', "not well-formed"),
    ],
)
def test_other_documents_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        frab_xml.parse(body, source=SOURCE, timezone=None)
