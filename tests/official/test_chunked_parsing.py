"""
Reading large documents in pieces (L{openspace.official.ical_chunks}, expat fed
L{openspace.official.frab_xml.FEED_BYTES} at a time) gives exactly what reading them
whole gives: the same talks, the same skipped items, the same errors.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from openspace.official import frab_xml, ical
from openspace.official.ical_chunks import event_runs
from openspace.official.parsed import ParseError, ParseResult

SOURCE = "https://conf.example/schedule.ics"


def outcome(read: object) -> ParseResult | str:
    """
    What a reading gives: its result, or the message of its L{ParseError}.
    """
    try:
        result = read()  # type: ignore[operator]
    except ParseError as e:
        return f"ParseError: {e}"
    assert isinstance(result, ParseResult)
    return result


def both_ways(body: bytes, piece_bytes: int, timezone: str | None = "Europe/Berlin") -> None:
    in_pieces = outcome(
        lambda: ical.parse(body, source=SOURCE, timezone=timezone, piece_bytes=piece_bytes)
    )
    whole = outcome(lambda: ical.parse_whole(body, source=SOURCE, timezone=timezone))
    assert in_pieces == whole


def test_the_sample_feed_is_cut_and_read_the_same(samples: Path) -> None:
    body = (samples / "giggity-testdata-kielux_2020.ics").read_bytes()
    runs = event_runs(body, 1)
    assert runs is not None
    # One event per piece, and every event of the document in one of them.
    assert {events for _, _, events in runs.runs} == {1}
    assert len(runs.runs) == body.count(b"BEGIN:VEVENT")
    assert len(ical.parse(body, source=SOURCE, timezone=None, piece_bytes=1).talks) > 10


@settings(max_examples=50, deadline=None)
@given(
    piece_bytes=st.integers(1, 40_000),
    timezone=st.sampled_from([None, "UTC", "America/Chicago", "Not/AZone"]),
)
def test_the_sample_feed_reads_the_same_in_pieces_of_any_size(
    piece_bytes: int, timezone: str | None, samples: Path
) -> None:
    body = (samples / "giggity-testdata-kielux_2020.ics").read_bytes()
    both_ways(body, piece_bytes, timezone)


@pytest.mark.parametrize(
    "body",
    [
        # Unclosed, nested, and stray events; a component between events; a folded
        # marker; two calendars; a marker with a trailing space; no events at all.
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nEND:VTODO\r\n"
        b"BEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n X\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT \r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    ],
)
def test_irregular_documents_are_read_whole(body: bytes) -> None:
    assert event_runs(body, 1) is None
    both_ways(body, 1)


# Pieces of an event, some of them making it unusable, unreadable or irregular.
event_lines = st.lists(
    st.sampled_from(
        [
            "SUMMARY:A talk",
            "SUMMARY:Ünïcode &amp; <b>markup</b>",
            "SUMMARY:A title long enough to be folded across lines by the generator",
            "LOCATION:Hall 1",
            "DTSTART:20300515T100000Z",
            "DTSTART:20300515T100000",
            "DTSTART;TZID=Europe/Berlin:20300515T100000",
            "DTSTART;TZID=Nowhere/Else:20300515T100000",
            "DTSTART;VALUE=DATE:20300515",
            "DTSTART:not a date",
            "DTEND:20300515T110000Z",
            "DTEND:20300515T090000Z",
            "DURATION:PT45M",
            "ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org",
            "ORGANIZER;CN=The Conference:mailto:org@example.org",
            "CATEGORIES:Python,Web",
            "URL:https://conf.example/t",
            "URL:javascript:alert(1)",
            "BEGIN:VALARM",
            "END:VALARM",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VTODO",
            "X-WR-TIMEZONE:America/Chicago",
            "this line has no colon",
            "",
        ]
    ),
    max_size=8,
)

events = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]),  # repeated UIDs too
        event_lines,
        st.sampled_from(["BEGIN:VEVENT", "begin:vevent", "Begin:VEvent"]),
        st.sampled_from(["\r\n", "\n", "\r\n\r\n"]),
    ),
    max_size=12,
)


def fold(line: str) -> str:
    # RFC 5545 folding: a line break and a space, as generators write long lines.
    return "\r\n ".join(line[i : i + 30] for i in range(0, max(len(line), 1), 30))


@settings(max_examples=300, deadline=None)
@given(
    events=events,
    head=st.sampled_from(["", "X-WR-TIMEZONE:Europe/London", "X-WR-TIMEZONE:Not/AZone"]),
    tail=st.sampled_from(["", "BEGIN:VTODO\r\nEND:VTODO", "X-WR-TIMEZONE:Asia/Tokyo"]),
    piece_bytes=st.integers(1, 400),
    timezone=st.sampled_from([None, "UTC", "Europe/Berlin"]),
)
def test_generated_feeds_read_in_pieces_as_whole(
    events: list[tuple[str, list[str], str, str]],
    head: str,
    tail: str,
    piece_bytes: int,
    timezone: str | None,
) -> None:
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", head and head + "\r\n"]
    for uid, lines, begin, gap in events:
        body = "".join(fold(line) + "\r\n" for line in [f"UID:{uid}", *lines])
        parts.append(f"{begin}\r\n{body}END:VEVENT{gap}")
    parts += [tail and tail + "\r\n", "END:VCALENDAR\r\n"]
    body = "".join(parts).encode()
    runs = event_runs(body, piece_bytes)
    event("whole" if runs is None else f"{min(len(runs.runs), 3)}+ pieces")
    both_ways(body, piece_bytes, timezone)


@settings(max_examples=100, deadline=None)
@given(feed_bytes=st.integers(1, 5_000))
def test_xml_fed_in_pieces_builds_the_same_tree(feed_bytes: int, samples: Path) -> None:
    body = (samples / "giggity-testdata-debconf23.xml").read_bytes()
    whole = ET.tostring(frab_xml.parse_xml(body, feed_bytes=len(body)))
    assert ET.tostring(frab_xml.parse_xml(body, feed_bytes=feed_bytes)) == whole


@given(feed_bytes=st.integers(1, 64), cut=st.integers(0, 200))
def test_malformed_xml_fails_the_same_in_pieces(feed_bytes: int, cut: int) -> None:
    body = (
        b'<?xml version="1.0"?><schedule><day date="2030-05-15"><room name="A">'
        b'<event guid="g"><title>T</title></event></room></day></schedule>'
    )[:cut] + b"<oops"
    with pytest.raises(ParseError) as whole:
        frab_xml.parse_xml(body, feed_bytes=len(body))
    with pytest.raises(ParseError) as in_pieces:
        frab_xml.parse_xml(body, feed_bytes=feed_bytes)
    assert str(in_pieces.value) == str(whole.value)
