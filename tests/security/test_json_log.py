"""
C{openspace serve --log-format json}: one JSON object per line, and no secret in any
of them, whatever the requests carried (the facilitator token as Bearer and in the
desk's sign-in form, edit keys in links, headers and cookies, signed desk cookies).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted

from tests.process import OpenspaceProcess
from tests.support import Client
from tests.web.browsing import Browser

pytestmark = pytest.mark.slow

TOKEN = "json-log-token-abcdefghijklmnop"


def free_cell(board: dict[str, Any]) -> tuple[str, str]:
    taken = {(s["room"], s["slot"]) for s in board["sessions"]}
    taken |= {(c["room"], c["slot"]) for c in board["blocked"]}
    rooms = [r["id"] for r in board["rooms"] if r["kind"] == "room"]
    slot = board["slots"][-1]["id"]
    return next((room, slot) for room in rooms if (room, slot) not in taken), slot


async def exercise(client: Client) -> list[str]:
    """
    Everything that carries a secret; returns the secrets the server handed out.
    """
    board = (await client.get("/api/events/demo/board")).json
    (room, slot), _ = free_cell(board)
    body = {"title": "Logged", "host": "Ann", "room": room, "slot": slot}
    proposed = await client.post("/api/events/demo/sessions", body, token=TOKEN)
    assert proposed.status == 201, proposed.json
    key, session = proposed.json["edit_token"], proposed.json["session"]["id"]
    path = f"/api/events/demo/sessions/{session}"
    assert (await client.request("PATCH", path, {"title": "L"}, token=key)).status == 200
    assert (await client.get(f"/api/events/demo/log?key={key}", token=key)).status == 403
    assert (await client.get("/api/status", token=TOKEN)).status == 200
    browser = Browser(client)
    assert (await browser.get(f"/e/demo/s/{session}/edit?key={key}")).status == 303
    assert (await browser.get(f"/e/demo/s/{session}/edit")).status == 200
    await browser.get("/e/demo/desk")
    assert (await browser.post("/e/demo/desk/signin", {"token": TOKEN})).status == 303
    desk = browser.cookies["os_desk"]
    assert (await browser.get("/e/demo/desk", {"Referer": f"/x?key={key}"})).status == 200
    assert (await browser.post("/e/demo/desk/signin", {"token": TOKEN + "x"})).status == 403
    assert (await client.get(f"/api/nothing?token={TOKEN}")).status == 404
    return [key, desk, browser.cookies["os_csrf"]]


@pytest_twisted.ensureDeferred
async def test_json_log_lines_without_secrets(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    server, url = await OpenspaceProcess.serve(
        str(tmp_path / "db.sqlite3"),
        "--demo",
        "--log-format",
        "json",
        "--facilitator-token-file",
        str(token_file),
    )
    try:
        async with Client.open(url.rstrip("/")) as client:
            secrets = [TOKEN, *await exercise(client)]
    finally:
        assert await server.stop() == 0
    lines = server.stderr.splitlines()
    events = [json.loads(line) for line in lines]
    assert all(isinstance(event, dict) for event in events)
    assert len(events) > 10
    # The access log is there (as JSON), without the query strings.
    access = [line for line in lines if '\\"GET /e/demo/desk HTTP/1.1\\" 200' in line]
    assert access, lines
    assert any("/api/nothing" in line for line in lines)
    for secret in secrets:
        assert secret not in server.stderr + server.stdout, secret


@pytest_twisted.ensureDeferred
async def test_the_text_log_stays_the_default(tmp_path: Path) -> None:
    server, _ = await OpenspaceProcess.serve(str(tmp_path / "db.sqlite3"))
    assert await server.stop() == 0
    first = server.stderr.splitlines()[0]
    assert not first.startswith("{") and "[openspace" in first


@pytest_twisted.ensureDeferred
async def test_a_refused_start_is_a_json_line_too(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    args = ["serve", "--db", str(empty), "--listen", "tcp:0:interface=127.0.0.1"]
    child = OpenspaceProcess([*args, "--log-format", "json"])
    child._child.listening.addErrback(lambda _: None)
    assert await child.ended() == 1
    events = [json.loads(line) for line in child.stderr.splitlines()]
    assert any("is empty" in json.dumps(event) for event in events)
