"""
Tests for L{openspace.official.pyconus}: the 2024+ shape with offsets, and the older
bare list of naive local times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openspace.official import pyconus
from openspace.official.parsed import ParseError

SOURCE = "https://us.pycon.org/2024/schedule/conference.json"

OLD_SHAPE = json.dumps(
    [
        {
            "conf_key": 1,
            "kind": "talk",
            "name": "Old times",
            "room": "Room A",
            "start": "2019-05-03T10:50:00",
            "end": "2019-05-03T11:20:00",
            "duration": 30,
            "authors": ["Guido", "Barry"],
            "conf_url": "https://us.pycon.org/2019/schedule/presentation/1/",
        },
        {
            "conf_key": 2,
            "kind": "talk",
            "name": "Gone",
            "start": "2019-05-03T12:00:00",
            "cancelled": True,
        },
    ]
).encode()


def test_2024_shape_needs_no_zone(documents: dict[str, bytes]) -> None:
    result = pyconus.parse(documents["pyconus"], source=SOURCE, timezone=None)
    assert result.format == "pyconus"
    tutorial, registration = result.talks
    assert (tutorial.id, tutorial.title, tutorial.kind) == ("135", "Deep Learning", "tutorial")
    assert (tutorial.room, tutorial.speakers) == ("Room 321", ("Sebastian",))
    assert (tutorial.start, tutorial.end) == (
        datetime(2024, 5, 15, 13, tzinfo=UTC),
        datetime(2024, 5, 15, 16, 30, tzinfo=UTC),
    )
    assert registration.start == registration.end


def test_old_shape_reads_naive_times_in_the_configured_zone() -> None:
    result = pyconus.parse(OLD_SHAPE, source=SOURCE, timezone="America/New_York")
    (talk,) = result.talks
    assert talk.start == datetime(2019, 5, 3, 14, 50, tzinfo=UTC)
    assert talk.speakers == ("Guido", "Barry")
    assert talk.url == "https://us.pycon.org/2019/schedule/presentation/1/"
    assert [s.reason for s in result.skipped] == ["cancelled: Gone"]


def test_old_shape_without_a_zone_is_refused() -> None:
    with pytest.raises(ParseError, match="configure its timezone"):
        pyconus.parse(OLD_SHAPE, source=SOURCE, timezone=None)


def test_other_documents_are_refused() -> None:
    with pytest.raises(ParseError, match="no list of slots"):
        pyconus.parse(b'{"conference": {}}', source=SOURCE, timezone=None)
