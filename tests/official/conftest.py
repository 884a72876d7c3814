"""
Small, hand-written schedule documents shared by the tests of L{openspace.official}.

Each is a minimal valid document of one format; the quirk tests build their own
variants, the detection and property tests use these as they are.  And the folder of
real samples next to the repository (see its SOURCES.md), when it is there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parents[2].parent / "shared" / "samples"

FRAB_JSON = json.dumps(
    {
        "schedule": {
            "version": "1.0",
            "conference": {
                "acronym": "demo",
                "title": "Demo",
                "time_zone_name": "Europe/Berlin",
                "days": [
                    {
                        "index": 1,
                        "date": "2024-06-01",
                        "day_start": "2024-06-01T04:00:00+02:00",
                        "rooms": {
                            "Hall A": [
                                {
                                    "guid": "g-1",
                                    "id": 1,
                                    "date": "2024-06-01T10:00:00+02:00",
                                    "start": "10:00",
                                    "duration": "00:45",
                                    "room": "Hall A",
                                    "title": "Opening",
                                    "type": "Talk",
                                    "track": "Main",
                                    "url": "https://demo.example/1",
                                    "persons": [{"public_name": "Ada"}, {"name": "Grace"}],
                                },
                                {
                                    "id": 2,
                                    "start": "01:30",
                                    "duration": "01:00",
                                    "title": "Night owls",
                                    "persons": [],
                                },
                            ]
                        },
                    }
                ],
            },
        }
    }
).encode()

FRAB_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <generator name="wafer" version="0.14.0"/>
  <conference>
    <title>Demo</title>
    <time_zone_name>Asia/Kolkata</time_zone_name>
  </conference>
  <day date="2023-09-09" start="2023-09-09T21:30:00+00:00" index="1">
    <room name="Anamudi">
      <event id="35" guid="g-35">
        <date>2023-09-10T05:00:00+00:00</date>
        <start>10:30</start>
        <duration>00:20</duration>
        <room>Anamudi</room>
        <title>Opening Ceremony</title>
        <type>Long talk</type>
        <track>Community</track>
        <persons><person id="63">Sruthi</person><person id="64">Jonathan</person></persons>
        <recording/>
        <url>https://demo.example/35</url>
      </event>
    </room>
  </day>
</schedule>
"""

PRETALX_WIDGET = json.dumps(
    {
        "timezone": "Europe/Berlin",
        "version": "v2",
        "talks": [
            {
                "code": "ABCDEF",
                "id": 11,
                "title": {"de": "Eröffnung", "en": "Opening"},
                "speakers": ["SP1", "SP2"],
                "track": 7,
                "start": "2024-06-01T10:00:00+02:00",
                "end": "2024-06-01T10:30:00+02:00",
                "room": 3,
                "duration": 30,
                "session_type": {"en": "Keynote"},
            },
            {
                "id": 12,
                "title": {"en": "Lunch"},
                "start": "2024-06-01T12:00:00",
                "end": "2024-06-01T13:00:00",
                "room": 3,
            },
        ],
        "rooms": [{"id": 3, "name": {"en": "Room A", "de": "Raum A"}}],
        "tracks": [{"id": 7, "name": {"en": "Main"}}],
        "speakers": [{"code": "SP1", "name": "Ada"}, {"code": "SP2", "name": "Grace"}],
    }
).encode()

ICAL = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//demo//EN\r
BEGIN:VEVENT\r
UID:460@demo\r
DTSTART:20200918T110000Z\r
DTEND:20200918T120000Z\r
SUMMARY:OpenCelium\r
LOCATION:Ravensberg\r
ATTENDEE;CN="Jakob Semere";CUTYPE=INDIVIDUAL:invalid:nomail\r
URL:https://demo.example/460\r
END:VEVENT\r
END:VCALENDAR\r
"""

PYCONUS_2024 = json.dumps(
    {
        "conference": {"content": {"about": "<p>Demo</p>"}},
        "schedule": [
            {
                "conf_key": 135,
                "name": "Deep <em>Learning</em>",
                "kind": "tutorial",
                "room": "Room 321",
                "rooms": ["Room 321"],
                "start": "2024-05-15T09:00:00-04:00",
                "end": "2024-05-15T12:30:00-04:00",
                "duration": 210,
                "speakers": [{"id": 38, "name": "Sebastian"}],
                "authors": ["Sebastian"],
                "conf_url": "https://demo.example/135",
                "cancelled": False,
            },
            {
                "conf_key": 303,
                "name": "Registration Desk Opens",
                "kind": "informational",
                "room": "Concourse A",
                "start": "2024-05-17T07:00:00-04:00",
                "end": "2024-05-17T07:00:00-04:00",
                "duration": 0,
            },
        ],
    }
).encode()

SESSIONIZE = json.dumps(
    {
        "sessions": [
            {
                "id": "658419",
                "title": "Keynote: Java",
                "startsAt": "2024-04-20T09:00:00",
                "endsAt": "2024-04-20T09:45:00",
                "isServiceSession": False,
                "speakers": ["sp-1", "sp-2"],
                "categoryItems": [101, 201],
                "roomId": 47112,
            },
            {
                "id": "sz-lunch",
                "title": "Lunch",
                "startsAt": "2024-04-20T12:00:00",
                "endsAt": "2024-04-20T13:00:00",
                "isServiceSession": True,
                "speakers": [],
                "categoryItems": [],
                "roomId": 47112,
            },
        ],
        "speakers": [
            {"id": "sp-1", "fullName": "Ed Burns"},
            {"id": "sp-2", "firstName": "Sandra", "fullName": "Sandra A"},
        ],
        "categories": [
            {"id": 1, "title": "Track", "items": [{"id": 101, "name": "Cloud"}]},
            {"id": 2, "title": "Session format", "items": [{"id": 201, "name": "Keynote"}]},
        ],
        "rooms": [{"id": 47112, "name": "Aula", "sort": 0}],
        "questions": [],
    }
).encode()

#: One valid document per format name.
DOCUMENTS = {
    "frab-json": FRAB_JSON,
    "frab-xml": FRAB_XML,
    "pretalx-widget": PRETALX_WIDGET,
    "ical": ICAL,
    "pyconus": PYCONUS_2024,
    "sessionize": SESSIONIZE,
}


@pytest.fixture(scope="session")
def documents() -> dict[str, bytes]:
    """
    One small valid document per format name.
    """
    return dict(DOCUMENTS)


@pytest.fixture(scope="module")
def samples() -> Path:
    """
    The shared samples folder; tests that need it are skipped without it, except on CI
    (C{CI=true}), where its absence is a failure.
    """
    if not SAMPLES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the samples folder {SAMPLES} is missing")
        pytest.skip(f"no samples folder at {SAMPLES}")
    return SAMPLES
