"""
schedule.xml, schedule.json and the PyCon open-spaces array: valid against the c3voc
XSDs and JSON schema whatever the text, and read back by openspace's own parsers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft6Validator
from lxml import etree

from openspace.commands import (
    EditSession,
    HideSession,
    ProposeSession,
    Refused,
    SetOfficialSchedule,
    SetSources,
    StartMeetup,
)
from openspace.exports.c3voc_json import schedule_json
from openspace.exports.frab import acronym, ascii_words
from openspace.exports.frab_xml import schedule_xml
from openspace.exports.history import History
from openspace.exports.pycon import open_spaces_json
from openspace.model import OfficialTalk, ScheduleSource
from openspace.official import frab_json, frab_xml, pyconus
from tests.exports.boards import LINKS, Story
from tests.support import slot_id

START = datetime(2030, 5, 1, 12, tzinfo=UTC)
SOURCE = "https://example.org/schedule.xml"
ODD_TITLES = ("Ünïcödé ☃ packaging — 日本語", "x" * 120, "🐍", "Ça va?", "<b>&amp;</b>")


def odd_board(titles: tuple[str, ...] = ODD_TITLES, *, official: bool = True) -> History:
    """
    Sessions with odd titles and empty descriptions, a meetup, and official talks.
    """
    story = Story.start(START)
    for index, title in enumerate(titles):
        story.do(
            ProposeSession(
                title,
                "",
                "Zoë Ünïcode",
                ["tag"],
                f"r{index % 4 + 1}",
                slot_id(9 + index // 4),
                "owner",
            )
        )
    story.do(StartMeetup("Hallway ☕", "Café", datetime(2030, 5, 15, 8, tzinfo=UTC), 30))
    if official:
        story.do(SetSources((ScheduleSource(SOURCE),)))
        talks = tuple(
            OfficialTalk(
                f"talk-{hour}",
                SOURCE,
                f"Keynote “{hour}”",
                datetime(2030, 5, 15, hour, tzinfo=UTC),
                datetime(2030, 5, 15, hour, 45, tzinfo=UTC),
                "Main Hall" if hour % 2 else "",
                ("Ada", "Grace"),
                track="Main",
                url="https://example.org/t" if hour % 2 else "",
            )
            for hour in (7, 8, 9)
        )
        story.do(SetOfficialSchedule(SOURCE, talks))
    return story.current


def assert_valid_xml(body: bytes, schemas: list[etree.XMLSchema]) -> etree._Element:
    document = etree.fromstring(body)
    for schema in schemas:
        assert schema.validate(document), schema.error_log
    return document


def assert_valid_json(body: bytes, schema: dict[str, Any]) -> Any:
    document = json.loads(body)
    validator = Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, errors[0]
    return document


def test_an_odd_board_is_valid_in_both_syntaxes(
    xml_schemas: list[etree.XMLSchema], json_schema: dict[str, Any]
) -> None:
    history = odd_board()
    for official in (False, True):
        expected = len(ODD_TITLES) + 1 + (3 if official else 0)
        xml = schedule_xml(history, LINKS, official=official).body
        document = assert_valid_xml(xml, xml_schemas)
        assert len(document.findall("day/room/event")) == expected
        parsed = frab_xml.parse(xml, source="x", timezone=None)
        assert parsed.skipped == () and len(parsed.talks) == expected
        assert set(ODD_TITLES) <= {talk.title for talk in parsed.talks} | {"<b>&amp;</b>"}

        body = schedule_json(history, LINKS, official=official).body
        shown = assert_valid_json(body, json_schema)
        events = [
            e
            for d in shown["schedule"]["conference"]["days"]
            for r in d["rooms"].values()
            for e in r
        ]
        assert len(events) == expected
        parsed = frab_json.parse(body, source="x", timezone=None)
        assert parsed.skipped == () and len(parsed.talks) == expected


def test_the_schedule_names_its_generator_version_rooms_zone_and_urls() -> None:
    history = odd_board()
    document = etree.fromstring(schedule_xml(history, LINKS, official=True).body)
    assert document.find("generator").get("name") == "openspace"
    assert document.findtext("version") == f"20300501120000.{history.board.seq}"
    assert document.findtext("url") == "https://board.example.org/e/conf/schedule.xml?with=official"
    assert document.findtext("conference/time_zone_name") == "Europe/Berlin"
    assert document.findtext("conference/url") == "https://board.example.org/e/conf/"
    rooms = {room.get("name") for room in document.iter("room") if room.get("name")}
    assert {"Room One", "Room Two", "Café", "Main Hall", "Elsewhere"} <= rooms
    session = document.find("day/room/event[track='Open Space']")
    assert session.findtext("url").startswith("https://board.example.org/e/conf/s/s")
    assert session.findtext("date").endswith("+02:00")
    official = [e for e in document.iter("event") if e.findtext("track") == "Main"]
    assert len(official) == 3
    assert {e.findtext("type") for e in official} == {"talk"}

    shown = json.loads(schedule_json(history, LINKS, official=False).body)
    assert shown["generator"]["name"] == "openspace"
    conference = shown["schedule"]["conference"]
    assert conference["time_zone_name"] == "Europe/Berlin"
    assert [room["name"] for room in conference["rooms"]][:2] == ["Room One", "Room Two"]


def test_guids_ids_and_slugs_stay_when_a_session_moves_or_is_renamed() -> None:
    story = Story.start(START)
    story.do(ProposeSession("First", "", "Ann", [], "r1", slot_id(10), "o"))

    def event() -> dict[str, Any]:
        shown = json.loads(schedule_json(story.current, LINKS, official=False).body)
        [day] = shown["schedule"]["conference"]["days"]
        [[found]] = day["rooms"].values()
        return found

    before = event()
    story.do(EditSession("s2", room="r3", slot=slot_id(14)))
    after = event()
    assert (after["guid"], after["id"], after["slug"]) == (
        before["guid"],
        before["id"],
        before["slug"],
    )
    assert after["room"] == "Room Three" and after["start"] == "14:00"


def test_hidden_sessions_are_never_exported() -> None:
    story = Story.start(START)
    story.do(ProposeSession("Secret", "", "Ann", [], "r1", slot_id(10), "o"))
    story.do(HideSession("s2"))
    history = story.current
    for body in (
        schedule_xml(history, LINKS, official=False).body,
        schedule_json(history, LINKS, official=False).body,
        open_spaces_json(history).body,
    ):
        assert b"Secret" not in body


def test_zones_and_slugs_the_c3voc_patterns_refuse_are_adapted(
    xml_schemas: list[etree.XMLSchema], json_schema: dict[str, Any]
) -> None:
    story = Story.start(START, slug="a-b")
    story.do(ProposeSession("??", "", "Ann", [], "r1", slot_id(10), "o"))
    history = story.current
    assert acronym("a-b") == "a_b_"
    assert ascii_words("日本語", "session") == "session"
    assert_valid_xml(schedule_xml(history, LINKS, official=False).body, xml_schemas)
    assert_valid_json(schedule_json(history, LINKS, official=False).body, json_schema)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=6),
    slug=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
)
def test_any_board_the_rules_accept_exports_valid_documents(
    titles: list[str],
    slug: str,
    xml_schemas: list[etree.XMLSchema],
    json_schema: dict[str, Any],
) -> None:
    story = Story.start(START, slug=slug)
    accepted = 0
    for index, title in enumerate(titles):
        try:
            story.do(
                ProposeSession(
                    title, "", "Host", [], f"r{index % 4 + 1}", slot_id(9 + index // 4), "o"
                )
            )
        except Refused:
            continue
        accepted += 1
    assume(accepted)
    history = story.current
    xml = schedule_xml(history, LINKS, official=False).body
    assert_valid_xml(xml, xml_schemas)
    assert len(frab_xml.parse(xml, source="x", timezone=None).talks) == accepted
    body = schedule_json(history, LINKS, official=False).body
    assert_valid_json(body, json_schema)
    assert len(frab_json.parse(body, source="x", timezone=None).talks) == accepted
    pycon = open_spaces_json(history).body
    assert len(pyconus.parse(pycon, source="x", timezone=None).talks) == accepted


def test_the_pycon_array_has_the_fields_the_app_reads() -> None:
    story = Story.start(START)
    story.do(ProposeSession("Packaging", "", "Ann", [], "r1", slot_id(10), "o"))
    story.do(ProposeSession("Typing", "Types!", "Bob", [], "r2", slot_id(11), "o"))
    first = json.loads(open_spaces_json(story.current).body)
    assert first == [
        {
            "title": "Packaging",
            "start": "2030-05-15T08:00:00Z",
            "end": "2030-05-15T09:00:00Z",
            "room_display": "Room One",
            "description": "Hosted by Ann.",
            "conf_key": 2,
            "image_url": None,
        },
        {
            "title": "Typing",
            "start": "2030-05-15T09:00:00Z",
            "end": "2030-05-15T10:00:00Z",
            "room_display": "Room Two",
            "description": "Types!\n\nHosted by Bob.",
            "conf_key": 3,
            "image_url": None,
        },
    ]
    story.do(EditSession("s2", title="Packaging!", room="r3", slot=slot_id(12)))
    moved = json.loads(open_spaces_json(story.current).body)
    assert [(e["conf_key"], e["title"]) for e in moved] == [(3, "Typing"), (2, "Packaging!")]
