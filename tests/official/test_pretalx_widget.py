"""
Tests for L{openspace.official.pretalx_widget}.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openspace.official import pretalx_widget
from openspace.official.parsed import ParseError

SOURCE = "https://pretalx.example/conf/schedule/widgets/schedule.json"


def test_reads_references_and_translated_names(documents: dict[str, bytes]) -> None:
    result = pretalx_widget.parse(documents["pretalx-widget"], source=SOURCE, timezone=None)
    assert result.format == "pretalx-widget"
    opening, lunch = result.talks
    assert (opening.id, opening.title, opening.room) == ("ABCDEF", "Opening", "Room A")
    assert (opening.speakers, opening.track, opening.kind) == (("Ada", "Grace"), "Main", "keynote")
    assert opening.start == datetime(2024, 6, 1, 8, tzinfo=UTC)
    # A break: no code, no speakers, naive times in the widget's own zone.
    assert (lunch.id, lunch.kind, lunch.speakers) == ("slot-12", "break", ())
    assert (lunch.start, lunch.end) == (
        datetime(2024, 6, 1, 10, tzinfo=UTC),
        datetime(2024, 6, 1, 11, tzinfo=UTC),
    )


def test_tolerates_embedded_speakers_room_names_and_missing_end() -> None:
    body = json.dumps(
        {
            "talks": [
                {
                    "code": "XYZ",
                    "title": "Plain title",
                    "speakers": [{"code": "S", "name": "Ada"}],
                    "room": "Hall B",
                    "start": "2024-06-01T10:00:00+02:00",
                    "duration": 45,
                },
                {"code": "BAD", "title": "No start"},
            ]
        }
    ).encode()
    result = pretalx_widget.parse(body, source=SOURCE, timezone=None)
    (talk,) = result.talks
    assert (talk.room, talk.speakers) == ("Hall B", ("Ada",))
    assert talk.end == datetime(2024, 6, 1, 8, 45, tzinfo=UTC)
    assert [s.reason for s in result.skipped] == ["bad date-time None"]


@pytest.mark.parametrize("body", [b'{"rooms": []}', b'{"talks": {}}', b"[1, 2]"])
def test_other_documents_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError, match="no talks list"):
        pretalx_widget.parse(body, source=SOURCE, timezone=None)
