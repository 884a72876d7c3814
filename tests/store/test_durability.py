"""
Acknowledged writes survive SIGKILL: a real server process is killed in the middle of a
burst of proposals; after a restart every proposal that got a 2xx answer is on the
board, and the log replays to exactly the stored board.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_twisted
import treq
from twisted.internet.defer import Deferred, DeferredList

from openspace.replay import replay
from openspace.store.sqlite import open_sqlite_store
from tests.process import OpenspaceProcess, run_openspace

ROOMS = 20
HOURS = range(8, 20)
BURST = 120
KILL_AFTER = 25


def event_file(path: Path) -> Path:
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    rooms = "".join(
        f'[[rooms]]\nid = "r{n}"\nname = "Room {n}"\ncapacity = 20\n\n' for n in range(ROOMS)
    )
    slots = ", ".join(f'"{h:02d}:00-{h + 1:02d}:00"' for h in HOURS)
    path.write_text(
        f'slug = "burst"\nname = "Burst"\ntimezone = "UTC"\n\n{rooms}'
        f'[[days]]\ndate = "{day}"\nslots = [{slots}]\n',
        encoding="utf-8",
    )
    return path


def cells() -> list[tuple[str, str]]:
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    return [(f"r{n}", f"{day}-{h:02d}00") for h in HOURS for n in range(ROOMS)]


async def burst_then_kill(
    url: str, server: OpenspaceProcess, targets: list[tuple[str, str]]
) -> set[str]:
    from twisted.internet import reactor
    from twisted.web.client import Agent, HTTPConnectionPool

    pool = HTTPConnectionPool(reactor, persistent=False)
    http = treq.client.HTTPClient(Agent(reactor, pool=pool))
    acknowledged: set[str] = set()
    killed: Deferred[None] | None = None

    async def propose(room: str, slot: str) -> None:
        nonlocal killed
        body = {"title": f"{room} {slot}", "host": "Burst", "room": room, "slot": slot}
        response = await http.post(f"{url}/api/events/burst/sessions", json=body)
        content = await response.content()
        if 200 <= response.code < 300:
            acknowledged.add(json.loads(content)["session"]["id"])
            if len(acknowledged) >= KILL_AFTER and killed is None:
                killed = Deferred.fromCoroutine(server.kill())

    await DeferredList(
        [Deferred.fromCoroutine(propose(room, slot)) for room, slot in targets[:BURST]],
        consumeErrors=True,
    )
    assert killed is not None, "the burst ended before the server was killed"
    await killed
    return acknowledged


@pytest.mark.slow
@pytest.mark.parametrize("run", range(5))
@pytest_twisted.ensureDeferred
async def test_acknowledged_proposals_survive_sigkill(tmp_path: Path, run: int) -> None:
    db = str(tmp_path / "burst.sqlite3")
    code, _, err = await run_openspace(
        "event", "load", str(event_file(tmp_path / "e.toml")), "--db", db
    )
    assert code == 0, err

    server, url = await OpenspaceProcess.serve(db)
    acknowledged = await burst_then_kill(url, server, cells())
    assert KILL_AFTER <= len(acknowledged) < BURST, "the kill did not land mid-burst"

    restarted, url = await OpenspaceProcess.serve(db)
    try:
        response = await treq.get(f"{url}/api/events/burst/board")
        board_json = json.loads(await response.content())
    finally:
        assert await restarted.stop() == 0
    assert "Traceback" not in restarted.stderr
    on_board = {session["id"] for session in board_json["sessions"]}
    assert acknowledged <= on_board

    store = await open_sqlite_store(Path(db))
    try:
        board = await store.board("burst")
        log = await store.events_since("burst", 0, 10_000)
    finally:
        await store.close()
    assert replay(log) == board
    assert board is not None and board.seq == board_json["seq"] == len(log)
