"""
The C{[[sources]]} of an event file: read with defaults, checked field by field, and
told apart from a file that has none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openspace.eventfile import EventFileError, read_event_file
from openspace.model import ScheduleSource

EVENT = """
slug = "pycon-2030"
name = "PyCon 2030 Open Spaces"
timezone = "America/Chicago"

[[rooms]]
id = "r250"
name = "Room 250"

[[days]]
date = "2030-05-15"
slots = ["10:00-11:00"]
"""

SOURCES = """
[[sources]]
url = "https://pretalx.example/pycon/schedule/export/schedule.json"

[[sources]]
url = "https://sessionize.example/api/v2/abc/view/All"
format = "sessionize"
interval = 300
timezone = "America/New_York"
"""


def read(tmp_path: Path, text: str) -> tuple[ScheduleSource, ...] | None:
    path = tmp_path / "event.toml"
    path.write_text(text, encoding="utf-8")
    return read_event_file(path).sources


def test_sources_are_read_with_their_defaults(tmp_path: Path) -> None:
    assert read(tmp_path, EVENT + SOURCES) == (
        ScheduleSource("https://pretalx.example/pycon/schedule/export/schedule.json"),
        ScheduleSource(
            "https://sessionize.example/api/v2/abc/view/All",
            "sessionize",
            300.0,
            "America/New_York",
        ),
    )


def test_no_sources_at_all_differs_from_an_empty_list(tmp_path: Path) -> None:
    assert read(tmp_path, EVENT) is None
    assert read(tmp_path, "sources = []\n" + EVENT) == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('url = "https://pretalx', 'url = "ftp://pretalx'), "sources[0].url: 'ftp://"),
        (('format = "sessionize"', 'format = "pdf"'), "sources[1].format: unknown format"),
        (("interval = 300", "interval = 2"), "sources[1].interval: interval must be"),
        (("interval = 300", 'interval = "5m"'), "sources[1].interval must be a number"),
        (('timezone = "America/New_York"', 'timezone = "Mars"'), "sources[1].timezone: 'Mars'"),
        (('url = "https://pretalx', 'uri = "https://pretalx'), "sources[0].url is missing"),
    ],
)
def test_mistakes_name_the_source_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(EventFileError) as caught:
        read(tmp_path, EVENT + SOURCES.replace(*change))
    assert message in str(caught.value)
