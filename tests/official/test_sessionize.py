"""
Tests for L{openspace.official.sessionize}.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openspace.official import sessionize
from openspace.official.parsed import ParseError

SOURCE = "https://sessionize.com/api/v2/abc/view/All"


def test_all_view_in_the_configured_zone(documents: dict[str, bytes]) -> None:
    result = sessionize.parse(documents["sessionize"], source=SOURCE, timezone="Europe/Vienna")
    assert result.format == "sessionize"
    keynote, lunch = result.talks
    assert (keynote.id, keynote.room, keynote.track, keynote.kind) == (
        "658419",
        "Aula",
        "Cloud",
        "keynote",
    )
    assert keynote.speakers == ("Ed Burns", "Sandra A")
    assert (keynote.start, keynote.end) == (
        datetime(2024, 4, 20, 7, tzinfo=UTC),
        datetime(2024, 4, 20, 7, 45, tzinfo=UTC),
    )
    assert (lunch.kind, lunch.speakers) == ("break", ())


def test_a_zone_is_required(documents: dict[str, bytes]) -> None:
    with pytest.raises(ParseError, match="Sessionize gives local times without a zone"):
        sessionize.parse(documents["sessionize"], source=SOURCE, timezone=None)


def test_sessions_view_and_unscheduled_sessions() -> None:
    body = json.dumps(
        [
            {
                "groupId": None,
                "groupName": "All",
                "sessions": [
                    {
                        "id": "1",
                        "title": "Grouped",
                        "startsAt": "2024-04-20T10:00:00",
                        "endsAt": "2024-04-20T10:30:00",
                        "room": "Aula",
                        "speakers": [{"id": "s", "name": "Ada"}],
                    },
                    {"id": "2", "title": "Not yet", "startsAt": None},
                ],
            }
        ]
    ).encode()
    result = sessionize.parse(body, source=SOURCE, timezone="UTC")
    (talk,) = result.talks
    assert (talk.room, talk.speakers) == ("Aula", ("Ada",))
    assert [s.reason for s in result.skipped] == ["not scheduled: Not yet"]


def test_other_documents_are_refused() -> None:
    with pytest.raises(ParseError, match="no sessions"):
        sessionize.parse(b'{"speakers": []}', source=SOURCE, timezone="UTC")
