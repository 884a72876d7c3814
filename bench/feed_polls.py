"""
How much does a calendar app's poll cost?  Polls of the feeds next to the cheapest
route of the same server (C{/healthz}) and the board JSON's own conditional GET, in one
run against a real C{openspace serve} process with a board of C{--sessions} sessions
(10 rooms × 20 slots).

    .venv/bin/python bench/feed_polls.py [--seconds 5] [--threads 8] [--sessions 200]

Each scenario keeps C{--threads} persistent HTTP/1.1 connections busy for C{--seconds}
and prints requests per second and latency percentiles, and the ratio to C{/healthz}.
Then it changes the board and times the first poll after the change (the one that
builds the feed) against the next one (served from memory).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SLUG = "bench"
TOKEN = "bench-token-0123456789abcdef"
ROOMS = 10
SLOTS_PER_DAY = 10


def event_file(folder: Path) -> Path:
    """
    A two-day event starting tomorrow: 10 rooms × 20 hourly slots, room for 200
    sessions.
    """
    tomorrow = date.today() + timedelta(days=1)
    lines = ['slug = "bench"', 'name = "Bench Conference"', 'timezone = "Europe/Berlin"']
    for number in range(1, ROOMS + 1):
        lines += [
            "[[rooms]]",
            f'id = "r{number}"',
            f'name = "Room {number}"',
            f'where = "Level {number % 3}, past the stairs"',
        ]
    for day in range(2):
        slots = ", ".join(f'"{h:02d}:00-{h + 1:02d}:00"' for h in range(8, 8 + SLOTS_PER_DAY))
        lines += ["[[days]]", f'date = "{tomorrow + timedelta(days=day)}"', f"slots = [{slots}]"]
    path = folder / "bench.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if request(conn, "GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def fill(port: int, sessions: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    _, _, body = request(conn, "GET", f"/api/events/{SLUG}/board", {})
    board = json.loads(body)
    cells = [
        (room["id"], slot["id"])
        for slot in board["slots"]
        for room in board["rooms"]
        if room["kind"] == "room"
    ]
    taken = {(s["room"], s["slot"]) for s in board["sessions"]}
    made = 0
    for room, slot in cells:
        if made >= sessions or (room, slot) in taken:
            continue
        proposal = {
            "title": f"Session {made}: Ünïcode and a longer title to look real",
            "description": "Some words about it. " * 10,
            "host": f"Host {made}",
            "tags": ["python", "bench"],
            "room": room,
            "slot": slot,
        }
        status, _, _ = request(
            conn,
            "POST",
            f"/api/events/{SLUG}/sessions",
            # As the facilitator: 200 proposals from one address are past every limit.
            {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
            json.dumps(proposal).encode(),
        )
        made += status == 201
    print(f"board: {made} sessions added", file=sys.stderr)


def hammer(
    port: int, path: str, headers: dict[str, str], seconds: float, threads: int
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: set[int] = set()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        seen: set[int] = set()
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _, _ = request(conn, "GET", path, headers)
            mine.append(time.perf_counter() - started)
            seen.add(status)
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "statuses": sorted(statuses),
    }


def first_poll_after_change(port: int) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    request(
        conn,
        "POST",
        f"/api/events/{SLUG}/meetups",
        {"Content-Type": "application/json"},
        json.dumps({"title": "Bench meetup", "place": "Lobby"}).encode(),
    )
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        status, _, _ = request(conn, "GET", f"/e/{SLUG}/board.ics", {"Accept-Encoding": "gzip"})
        assert status == 200
        timings.append((time.perf_counter() - started) * 1000)
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=200)
    options = parser.parse_args()
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="openspace-bench-"))
    environ = dict(os.environ, OPENSPACE_FACILITATOR_TOKEN=TOKEN)
    db = str(folder / "bench.sqlite3")
    subprocess.run(
        [sys.executable, "-m", "openspace", "event", "load", str(event_file(folder)), "--db", db],
        env=environ,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openspace",
            "serve",
            "--db",
            db,
            "--listen",
            f"tcp:{port}:interface=127.0.0.1",
        ],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(port)
        fill(port, options.sessions)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        etags = {}
        for path in (
            f"/api/events/{SLUG}/board",
            f"/e/{SLUG}/board.ics",
            f"/e/{SLUG}/schedule.xml",
        ):
            etags[path] = request(conn, "GET", path, {})[1]["etag"]
        gzip = {"Accept-Encoding": "gzip"}
        scenarios = [
            ("GET /healthz (baseline)", "/healthz", {}),
            (
                "board JSON, If-None-Match → 304",
                f"/api/events/{SLUG}/board",
                {"If-None-Match": etags[f"/api/events/{SLUG}/board"]},
            ),
            (
                "board.ics, If-None-Match → 304",
                f"/e/{SLUG}/board.ics",
                {"If-None-Match": etags[f"/e/{SLUG}/board.ics"]},
            ),
            ("board.ics, full body (gzip)", f"/e/{SLUG}/board.ics", gzip),
            (
                "schedule.xml, If-None-Match → 304",
                f"/e/{SLUG}/schedule.xml",
                {"If-None-Match": etags[f"/e/{SLUG}/schedule.xml"]},
            ),
        ]
        results = []
        for name, path, headers in scenarios:
            results.append((name, hammer(port, path, headers, options.seconds, options.threads)))
        base = results[0][1]["rps"]
        print("| request | req/s | p50 ms | p99 ms | req/s ÷ /healthz | statuses |")
        print("|---|---:|---:|---:|---:|---|")
        for name, figures in results:
            print(
                f"| {name} | {figures['rps']:.0f} | {figures['p50']:.2f} | {figures['p99']:.2f}"
                f" | {figures['rps'] / base:.2f} | {figures['statuses']} |"
            )
        changes = [first_poll_after_change(port) for _ in range(5)]
        build = statistics.median(first for first, _ in changes)
        cached = statistics.median(second for _, second in changes)
        print(
            f"\nfirst board.ics poll after a change (builds it), median of 5: {build:.1f} ms;"
            f" the next one (from memory): {cached:.1f} ms"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
