"""
Tests for the helpers every parser shares (L{openspace.official.parsed}).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openspace.official.parsed import (
    DEFAULT_DURATION,
    ItemError,
    ParseError,
    ResultBuilder,
    Skipped,
    choose_zone,
    frab_start,
    parse_datetime,
    parse_duration,
    plain,
    text,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("01:30", 90), ("1:30:30", 90.5), ("90", 90), (90, 90), (" 00:05 ", 5), (0, 0)],
)
def test_durations(value: object, minutes: float) -> None:
    assert parse_duration(value) == timedelta(minutes=minutes)


@pytest.mark.parametrize("value", ["", "soon", "1:2:3:4", -5, True, None, [], 10**9])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ItemError):
        parse_duration(value)


def test_text_picks_english_then_any_language() -> None:
    assert text({"de": "Raum A", "en": "Room A"}) == "Room A"
    assert text({"de": "Raum A", "fr": ""}) == "Raum A"
    assert text({"en": ""}) == ""
    assert text(42) == "42"
    assert text(None) == ""
    assert text("  two\n lines ") == "two lines"
    with pytest.raises(ItemError):
        text(["a list"])


def test_plain_strips_markup_and_decodes_entities() -> None:
    assert plain("<p>Deep <em>Learning</em> &amp; more</p>") == "Deep Learning & more"
    assert plain("AT&T") == "AT&T"
    assert plain("<script>x</script>") == "x"


def test_datetimes_are_utc_and_naive_ones_need_a_zone() -> None:
    assert parse_datetime("2024-06-01T10:00:00+02:00", None) == datetime(2024, 6, 1, 8, tzinfo=UTC)
    assert parse_datetime("2024-06-01T08:00:00Z", None) == datetime(2024, 6, 1, 8, tzinfo=UTC)
    assert parse_datetime("2024-06-01T10:00:00", BERLIN) == datetime(2024, 6, 1, 8, tzinfo=UTC)
    with pytest.raises(ParseError, match="configure its timezone"):
        parse_datetime("2024-06-01T10:00:00", None)
    with pytest.raises(ItemError):
        parse_datetime("tomorrow", BERLIN)


def test_the_declared_zone_wins_and_a_bad_configured_zone_is_an_error() -> None:
    assert choose_zone("Asia/Kolkata", "Europe/Berlin") == ZoneInfo("Asia/Kolkata")
    assert choose_zone("Mars/Olympus", "Europe/Berlin") == BERLIN
    assert choose_zone(None, None) is None
    with pytest.raises(ParseError, match="unknown time zone"):
        choose_zone(None, "Europe/Atlantis")


def test_frab_start_after_midnight_moves_to_the_next_local_date_across_dst() -> None:
    # Summer time began at 02:00 on 31 March 2024: 03:30 that night is CEST (+2),
    # so adding 24 hours to the previous day's 03:30 CET would be an hour late.
    start = frab_start(
        date_value=None,
        day="2024-03-30",
        clock="03:30",
        day_start="2024-03-30T04:00:00+01:00",
        zone=BERLIN,
    )
    assert start == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


def test_frab_start_prefers_the_event_date() -> None:
    start = frab_start(
        date_value="2023-09-10T05:00:00+00:00",
        day="2023-09-09",
        clock="10:30",
        day_start=None,
        zone=ZoneInfo("Asia/Kolkata"),
    )
    assert start == datetime(2023, 9, 10, 5, tzinfo=UTC)


def test_builder_skips_bad_items_and_keeps_the_rest() -> None:
    builder = ResultBuilder("test", "https://source.example/")
    start = datetime(2024, 6, 1, 8, tzinfo=UTC)
    with builder.item("first"):
        builder.add(id="a", title="A", start=start)
    with builder.item("second"):
        builder.add(id="b", title="B", start=start, end=start - timedelta(minutes=1))
    with builder.item("third"):
        builder.add(id="c", title=None, start=start)
    with builder.item("fourth"):
        {}["missing"]
    result = builder.result()
    assert [t.id for t in result.talks] == ["a"]
    assert result.talks[0].end == start + DEFAULT_DURATION
    assert [s.item for s in result.skipped] == ["second", "third", "fourth"]
    assert result.skipped[1] == Skipped("third", "no title")
    assert result.skipped[2].reason == "malformed item (KeyError: 'missing')"


def test_builder_keeps_the_later_of_two_items_with_one_id() -> None:
    builder = ResultBuilder("test", "https://source.example/")
    start = datetime(2024, 6, 1, 8, tzinfo=UTC)
    builder.add(id="a", title="Old", start=start)
    builder.add(id="a", title="New", start=start)
    result = builder.result()
    assert [t.title for t in result.talks] == ["New"]
    assert result.skipped == (
        Skipped("a", "duplicate id: replaced by a later item with the same id"),
    )


def test_builder_lets_document_errors_through() -> None:
    builder = ResultBuilder("test", "https://source.example/")
    with pytest.raises(ParseError), builder.item("x"):
        raise ParseError("whole document")
