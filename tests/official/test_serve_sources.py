"""
The server with official schedule sources: the whole service in this process (its
clock a C{task.Clock}, its sockets real) against a real upstream, across a restart
while the upstream is down; and C{openspace serve --source} as the real command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_twisted
from tests.conftest import NOW
from tests.official.upstream import Document, Upstream, frab, serving
from tests.process import OpenspaceProcess, run_openspace
from tests.support import SLUG, Client, RunningServer, start_server
from twisted.internet.defer import Deferred, gatherResults

from openspace.commands import SYSTEM, SetSources
from openspace.model import ScheduleSource
from openspace.official.poller import SourceStatus

BOARD = f"/api/events/{SLUG}/board"
# Bo hosts in r2 at 12:00 while speaking in Main Hall; the talk in Room One (r1) blocks it.
TALKS = (
    {"id": "t1", "start": "12:00", "room": "Main Hall", "speakers": ["Bo Lindqvist"]},
    {"id": "t2", "start": "12:00", "room": "Room One"},
)


@pytest_twisted.async_yield_fixture
async def upstream() -> AsyncIterator[tuple[Document, Upstream]]:
    document = Document(frab(*TALKS))
    async with serving(document) as running:
        yield document, running


async def polled(server: RunningServer, seconds: float) -> SourceStatus:
    """
    Move the server's clock on by C{seconds} and wait for the poll that falls due.
    """
    assert server.service.sources is not None
    done: Deferred[SourceStatus] = Deferred()
    server.service.sources.add_status_listener(
        lambda slug, status: None if done.called else done.callback(status)
    )
    server.clock.advance(seconds)
    return await done


@pytest_twisted.ensureDeferred
async def test_the_served_board_follows_its_source_and_survives_a_restart(
    tmp_path: Path, upstream: tuple[Document, Upstream]
) -> None:
    document, running = upstream
    url = running.url + "/schedule.json"
    server = await start_server(tmp_path / "board.sqlite3", NOW)
    try:
        assert server.service.store is not None
        await server.service.store.execute(
            SLUG, SetSources((ScheduleSource(url, interval=60),)), SYSTEM, NOW
        )
        assert (await polled(server, 0)).status == "ok"
        async with Client.open(server.url) as client:
            board = (await client.get(BOARD)).json
            assert [t["id"] for t in board["official"]] == ["t1", "t2"]
            assert board["sources"][0]["status"] == "ok"
            taken = await client.propose(room="r1", hour=12, host="Bo Lindqvist")
            assert taken.json["error"]["code"] == "official_talk"
            clash = await client.propose(room="r2", hour=12, host="bo lindqvist")
            assert [w["code"] for w in clash.json["warnings"]] == ["speaker_clash"]

            document.body = frab({**TALKS[0], "start": "15:00"}, TALKS[1])
            await polled(server, 60)
            board = (await client.get(BOARD)).json
            assert board["official"][1]["start"] == "2030-05-15T15:00:00+02:00"
            assert board["warnings"] == []
    finally:
        await server.stop()

    await running.stop()
    server = await start_server(tmp_path / "board.sqlite3", NOW)
    try:
        async with Client.open(server.url) as client:
            board = (await client.get(BOARD)).json
            assert [t["id"] for t in board["official"]] == ["t2", "t1"]
            failed = await polled(server, 0)
            assert failed.last_error is not None
            stale = (await client.get(BOARD)).json
            assert stale["sources"][0]["status"] == "stale"
            assert stale["official"] == board["official"]
    finally:
        await server.stop()


@pytest_twisted.ensureDeferred
async def test_serve_attaches_a_source_to_the_demo_event(
    tmp_path: Path, upstream: tuple[Document, Upstream]
) -> None:
    _, running = upstream
    url = running.url + "/schedule.json"
    server, base = await OpenspaceProcess.serve(
        str(tmp_path / "demo.sqlite3"), "--demo", "--source", url, "--source-interval", "30"
    )
    try:
        async with Client.open(base) as client:
            board = (await client.get("/api/events/demo/board")).json
        assert [source["url"] for source in board["sources"]] == [url]
    finally:
        await server.stop()


@pytest_twisted.ensureDeferred
async def test_serve_needs_to_know_which_event_a_source_is_for(tmp_path: Path) -> None:
    def serve(name: str, *more: str) -> Deferred[tuple[int | None, str, str]]:
        # A database each: the two run at once.
        db = str(tmp_path / f"{name}.sqlite3")
        listen = "tcp:0:interface=127.0.0.1"
        return Deferred.fromCoroutine(run_openspace("serve", "--db", db, "--listen", listen, *more))

    (code, _, err), (bad_code, _, bad_err) = await gatherResults(
        [
            serve("empty", "--source", "https://x.example/s"),
            serve("demo", "--demo", "--source", "ftp://x.example"),
        ]
    )
    assert code == 1
    assert "name the event for --source with --event (events: none yet)" in err
    assert bad_code == 1
    assert "'ftp://x.example' is not an http(s) URL" in bad_err
