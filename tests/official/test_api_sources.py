"""
The official schedule through the JSON API: the board's C{official} and C{sources},
an ETag that changes when a source starts or stops failing, and the clash rules as
HTTP answers.  A real API on a real port and store; the statuses are given by the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest_twisted
from attrs import define, evolve, field
from tests.conftest import NOW
from tests.support import (
    FACILITATOR_TOKEN,
    SLUG,
    Client,
    conference_layout,
    serving,
    slot_id,
    utc,
)
from twisted.web.server import Site

from openspace.commands import SYSTEM, SetLayout, SetOfficialSchedule, SetSources
from openspace.model import Board, OfficialTalk, ScheduleSource
from openspace.official.poller import SourceStatus
from openspace.official.sources import pending
from openspace.store.sql import SQLBoardStore
from openspace.store.sqlite import open_sqlite_store
from openspace.tokens import FacilitatorKey
from openspace.web.api import JSONAPI, board_etag

URL = "https://talks.example/schedule.json"
# The API resource alone, served at the root: its routes have no /api prefix.
BOARD = f"/events/{SLUG}/board"
KEYNOTE = OfficialTalk(
    "k1", URL, "Keynote", utc(12), utc(12) + timedelta(minutes=45), "Room One", ("Ada Quill",)
)


@define
class Statuses:
    """
    What the API is told about the sources: pending until a test says otherwise.
    """

    shown: list[SourceStatus] = field(factory=list)

    def __call__(self, board: Board) -> Sequence[SourceStatus]:
        return self.shown or [pending(source) for source in board.sources]


@define
class Served:
    store: SQLBoardStore
    statuses: Statuses
    client: Client


@pytest_twisted.async_yield_fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    from twisted.internet import reactor, task

    store = await open_sqlite_store(tmp_path / "board.sqlite3", reactor)
    await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    await store.execute(SLUG, SetSources((ScheduleSource(URL),)), SYSTEM, NOW)
    await store.execute(SLUG, SetOfficialSchedule(URL, (KEYNOTE,)), SYSTEM, NOW)
    clock = task.Clock()
    clock.advance(NOW.timestamp())
    statuses = Statuses()
    api = JSONAPI(
        store, clock, FacilitatorKey.from_token(FACILITATOR_TOKEN), source_statuses=statuses
    )
    try:
        async with serving(Site(api.app.resource())) as client:
            yield Served(store, statuses, client)
    finally:
        await store.close()


def ok(moment_minutes: int) -> SourceStatus:
    return SourceStatus(URL, "frab-json", "ok", NOW + timedelta(minutes=moment_minutes))


@pytest_twisted.ensureDeferred
async def test_the_board_shows_the_official_talks_and_their_sources(served: Served) -> None:
    reply = await served.client.get(BOARD)
    board = reply.json
    assert board["official"] == [
        {
            "id": "k1",
            "source": URL,
            "title": "Keynote",
            "start": "2030-05-15T12:00:00+02:00",
            "end": "2030-05-15T12:45:00+02:00",
            "room": "Room One",
            "speakers": ["Ada Quill"],
            "track": "",
            "kind": "talk",
            "url": "",
        }
    ]
    assert board["sources"] == [
        {
            "url": URL,
            "format": "auto",
            "status": "pending",
            "last_success": None,
            "last_error": None,
        }
    ]


@pytest_twisted.ensureDeferred
async def test_the_etag_changes_when_a_source_fails_and_recovers(served: Served) -> None:
    path = BOARD
    served.statuses.shown = [ok(0)]
    first = await served.client.get(path)
    etag = first.headers["etag"]
    assert first.json["sources"][0]["status"] == "ok"

    # A healthy source polled again: same ETag, but the body is not stale.
    served.statuses.shown = [ok(2)]
    again = await served.client.get(path, headers={"If-None-Match": etag})
    assert again.status == 304
    fresh = await served.client.get(path)
    assert fresh.json["sources"][0]["last_success"] == "2030-05-15T09:32:00+00:00"

    served.statuses.shown = [evolve(ok(2), status="stale", last_error="HTTP 503")]
    failing = await served.client.get(path, headers={"If-None-Match": etag})
    assert failing.status == 200
    assert failing.headers["etag"] != etag
    assert failing.json["sources"][0] == {
        "url": URL,
        "format": "frab-json",
        "status": "stale",
        "last_success": "2030-05-15T09:32:00+00:00",
        "last_error": "HTTP 503",
    }
    served.statuses.shown = [ok(4)]
    recovered = await served.client.get(path, headers={"If-None-Match": failing.headers["etag"]})
    assert (recovered.status, recovered.headers["etag"]) == (200, etag)


def test_the_etag_is_the_boards_unless_a_source_fails() -> None:
    board = Board(conference_layout().info, 7, NOW)
    failing = SourceStatus(URL, "auto", "pending", last_error="refused")
    assert board_etag(board, [ok(0)]) == board_etag(board) == f'"{int(NOW.timestamp())}-7"'.encode()
    assert board_etag(board, [failing]) != board_etag(board)


@pytest_twisted.ensureDeferred
async def test_an_official_talk_blocks_its_room_and_warns_its_speaker(served: Served) -> None:
    session = {"title": "Open", "host": "Bo", "room": "r1", "slot": slot_id(12)}
    refused = await served.client.post(f"/events/{SLUG}/sessions", session)
    assert refused.status == 409
    assert refused.json["error"]["code"] == "official_talk"
    assert refused.json["error"]["details"] == {"talk": "k1", "source": URL}

    clash = await served.client.post(
        f"/events/{SLUG}/sessions", {**session, "room": "r2", "host": "ada quill"}
    )
    assert clash.status == 201
    assert [w["code"] for w in clash.json["warnings"]] == ["speaker_clash"]
    board = (await served.client.get(BOARD)).json
    assert [w["code"] for w in board["warnings"]] == ["speaker_clash"]
