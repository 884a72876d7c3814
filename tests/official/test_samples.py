"""
Every real sample in the shared samples folder (see its SOURCES.md) parses with
sensible results.  The folder lives next to the repository, not in it; without it
these tests are skipped, except on CI (C{CI=true}), where its absence is a failure.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from openspace.official.detect import parse_any
from openspace.official.parsed import ParseError, ParseResult

#: File name → (expected format, minimum number of talks, timezone to configure).
EXPECTED = {
    "frab-camp2019-schedule.json": ("frab-json", 79, None),
    "pretalx-democon-schedule.json": ("frab-json", 36, None),
    "giggity-testdata-debconf23.xml": ("frab-xml", 117, None),
    "giggity-testdata-kielux_2020.ics": ("ical", 24, None),
    "pyconus-2024-conference.json": ("pyconus", 200, None),
    "sessionize-all-global-azure-austria-2024.json": ("sessionize", 14, "Europe/Vienna"),
}


@pytest.fixture(scope="module")
def parsed(samples: Path) -> dict[str, ParseResult]:
    return {
        name: parse_any((samples / name).read_bytes(), None, source=f"file:{name}", timezone=zone)
        for name, (_, _, zone) in EXPECTED.items()
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parses_completely(name: str, parsed: dict[str, ParseResult]) -> None:
    result = parsed[name]
    expected_format, minimum, _ = EXPECTED[name]
    assert result.format == expected_format
    assert len(result.talks) >= minimum
    assert result.skipped == ()
    assert len({t.id for t in result.talks}) == len(result.talks)
    for talk in result.talks:
        assert talk.start.utcoffset() == timedelta(0)
        assert talk.end.utcoffset() == timedelta(0)
        assert talk.start <= talk.end
        assert talk.title


def test_pycon_2024_has_speakers_kinds_and_rooms(parsed: dict[str, ParseResult]) -> None:
    talks = parsed["pyconus-2024-conference.json"].talks
    assert len(talks) > 100
    assert {"talk", "tutorial", "break", "plenary"} <= {t.kind for t in talks}
    assert sum(1 for t in talks if t.speakers) > 100
    assert all(t.room for t in talks)
    # Pittsburgh in May is UTC-4: the first tutorials start at 09:00 local.
    assert min(t.start for t in talks if t.kind == "tutorial").hour == 13


def test_debconf_wafer_times_follow_the_local_start(parsed: dict[str, ParseResult]) -> None:
    opening = next(
        t for t in parsed["giggity-testdata-debconf23.xml"].talks if t.title == "Opening Ceremony"
    )
    # <start>10:30</start> in Asia/Kolkata (UTC+5:30), on 10 September although the
    # wafer <day> says 2023-09-09 (its UTC date).
    assert (opening.start.isoformat(), opening.speakers) == (
        "2023-09-10T05:00:00+00:00",
        ("Sruthi Chandran",),
    )


def test_kielux_speakers_come_from_attendees(parsed: dict[str, ParseResult]) -> None:
    talks = parsed["giggity-testdata-kielux_2020.ics"].talks
    assert all(t.speakers for t in talks)
    assert all(t.room for t in talks)


def test_the_schemas_and_notes_are_not_schedules(samples: Path) -> None:
    for path in sorted(samples.iterdir()):
        if path.name not in EXPECTED:
            with pytest.raises(ParseError):
                parse_any(path.read_bytes(), None, source=path.name, timezone=None)
