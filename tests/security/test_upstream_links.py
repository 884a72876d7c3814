"""
Links from upstream schedules are only ever http or https: checked when a schedule is
read, and again when a page or the API shows one (a board stored before the check, or
written by another version, may still hold anything).
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import pytest_twisted
from hypothesis import given
from hypothesis import strategies as st

from openspace.commands import SYSTEM, SetOfficialSchedule, SetSources
from openspace.links import web_link
from openspace.model import OfficialTalk, ScheduleSource
from openspace.official import frab_json
from tests.support import SLUG, Client, RunningServer, utc

SOURCE = "https://frab.example/schedule.json"
HOSTILE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative",
    "https://ok.example/\nx",
    "http:",
    "https://",
]
FINE = ["https://pretalx.example/talk/ABC/", "http://example.org/x?y=1#z", "HTTPS://Ex.org/"]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_links_are_dropped(url: str) -> None:
    assert web_link(url) == ""


@pytest.mark.parametrize("url", FINE)
def test_web_links_are_kept(url: str) -> None:
    assert web_link(url) == url


@pytest.mark.parametrize("url", HOSTILE)
def test_schedules_are_read_without_hostile_links(url: str) -> None:
    event = {"guid": "g", "title": "T", "date": "2024-06-01T10:00:00+02:00", "url": url}
    conference = {"days": [{"date": "2024-06-01", "rooms": {"Hall": [event]}}]}
    body = json.dumps({"schedule": {"conference": conference}}).encode()
    (talk,) = frab_json.parse(body, source=SOURCE, timezone="UTC").talks
    assert talk.url == ""


@pytest_twisted.ensureDeferred
async def test_pages_and_api_show_no_hostile_link_already_stored(
    server: RunningServer, client: Client
) -> None:
    # As if stored by a version that did not check: straight into the board.
    talks = tuple(
        OfficialTalk(
            id=f"t{n}", source=SOURCE, title=f"Talk {n}", start=utc(12), end=utc(13), url=url
        )
        for n, url in enumerate([*HOSTILE, FINE[0]])
    )
    store, now = server.service.store, datetime(2030, 5, 15, 9, 30, tzinfo=UTC)
    assert store is not None
    await store.execute(SLUG, SetSources((ScheduleSource(SOURCE),)), SYSTEM, now)
    await store.execute(SLUG, SetOfficialSchedule(SOURCE, talks), SYSTEM, now)
    page = (await client.get(f"/e/{SLUG}/")).body.decode()
    assert "Talk 0" in page and "Talk 12" in page
    assert f'href="{FINE[0]}"' in page
    for word in ("javascript", "JavaScript", "vbscript", "data:", "evil.example", "/relative"):
        assert word not in page, word
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    shown = {talk["id"]: talk["url"] for talk in board["official"]}
    assert shown == {talk.id: "" for talk in talks[:-1]} | {talks[-1].id: FINE[0]}


@given(st.text())
def test_any_text_becomes_a_web_link_or_nothing(url: str) -> None:
    link = web_link(url)
    assert link in ("", url)
    if link:
        parts = urlsplit(link)
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert not any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in link)


@given(st.sampled_from(["javascript", "data", "vbscript", "file", "ftp"]), st.text())
def test_other_schemes_never_pass(scheme: str, rest: str) -> None:
    assert web_link(f"{scheme}:{rest}") == ""
    assert web_link(f"{scheme.upper()}://{rest}") == ""
