"""
The C{openspace} command as a newcomer runs it: serve, the demo, clean shutdown.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import pytest_twisted
import treq

from tests.process import OpenspaceProcess, run_command, run_openspace

pytestmark = pytest.mark.slow


async def get_json(url: str) -> tuple[int, object]:
    response = await treq.get(url, persistent=False)
    return response.code, json.loads(await response.content())


@pytest_twisted.ensureDeferred
async def test_demo_has_sessions_now_next_later_and_a_meetup(tmp_path: Path) -> None:
    server, url = await OpenspaceProcess.serve(str(tmp_path / "demo.sqlite3"), "--demo")
    try:
        assert f"open the demo board at {url}/e/demo/" in server.stdout
        code, health = await get_json(f"{url}/healthz")
        assert (code, health) == (200, {"ok": True})
        code, board = await get_json(f"{url}/api/events/demo/board")
    finally:
        assert await server.stop() == 0
    assert code == 200
    assert isinstance(board, dict)
    now = datetime.now().astimezone()
    slots = {s["id"]: s for s in board["slots"]}
    spans = [
        (
            datetime.fromisoformat(slots[s["slot"]]["start"]),
            datetime.fromisoformat(slots[s["slot"]]["end"]),
        )
        for s in board["sessions"]
    ]
    assert any(start <= now < end for start, end in spans), "a session is on now"
    assert len({start for start, _ in spans if start > now}) >= 2, "sessions next and later"
    assert any(
        datetime.fromisoformat(m["starts"]) <= now < datetime.fromisoformat(m["ends"])
        for m in board["meetups"]
    ), "a hallway meetup is on now"


@pytest_twisted.ensureDeferred
async def test_sigterm_stops_cleanly_and_keeps_the_data(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite3")
    server, url = await OpenspaceProcess.serve(db, "--demo")
    _, board = await get_json(f"{url}/api/events/demo/board")
    assert await server.stop() == 0
    assert "Traceback" not in server.stderr
    again, url = await OpenspaceProcess.serve(db, "--demo")
    try:
        _, reopened = await get_json(f"{url}/api/events/demo/board")
    finally:
        again.signal("INT")
        assert await again.ended() == 0
    assert "Traceback" not in again.stderr
    assert reopened == board


@pytest_twisted.ensureDeferred
async def test_the_token_never_reaches_the_log(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token = "file-token-abcdefghijklmnop"
    token_file.write_text(token + "\n")
    server, url = await OpenspaceProcess.serve(
        str(tmp_path / "db.sqlite3"), "--demo", "--facilitator-token-file", str(token_file)
    )
    try:
        response = await treq.post(
            f"{url}/api/events/demo/undo",
            json={"count": 1},
            headers={"Authorization": f"Bearer {token}"},
            persistent=False,
        )
        assert response.code == 200
        await response.content()
        wrong = await treq.get(
            f"{url}/api/events/demo/log?key={token}",
            headers={"Authorization": "Bearer wrong-token-000000000"},
            persistent=False,
        )
        assert wrong.code == 403
        await wrong.content()
    finally:
        await server.stop()
    assert str(token_file) in server.stderr
    assert token not in server.stderr + server.stdout


@pytest_twisted.ensureDeferred
async def test_a_weak_token_is_refused_with_a_message(tmp_path: Path) -> None:
    code, _, err = await run_openspace(
        "serve",
        "--db",
        str(tmp_path / "db.sqlite3"),
        "--listen",
        "tcp:0:interface=127.0.0.1",
        env={"OPENSPACE_FACILITATOR_TOKEN": "short"},
    )
    assert code == 1
    assert "at least 16 characters" in err
    assert "short" not in err.replace("at least", "")


@pytest_twisted.ensureDeferred
async def test_twist_plugin_is_found() -> None:
    code, out, _ = await run_command("twist", "openspace", "--help")
    assert code == 0
    assert "--listen" in out
    assert "--demo" in out
