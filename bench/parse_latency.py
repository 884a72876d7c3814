"""
Board latency while the server reads a 13 MB official schedule.

    .venv/bin/python bench/parse_latency.py [--seconds 20]

For three iCal sources served from a local HTTP server: 100 events (the baseline),
100,000 events in about 13 MB (over the 20,000-item limit: refused by counting, before
parsing) and 19,000 events with long descriptions in about 13 MB (under the limit: parsed
in the server's thread pool), it starts C{openspace serve --demo --source URL
--source-interval 10} (a refused source is fetched again with backoff) and, after a
second of start-up, times C{GET /api/events/demo/board} back to back from this process
for C{--seconds}.  It prints the median, 99th percentile and worst latency of each run.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The server polls its source at start: the first second is start-up, not reading.
WARM_UP = 1.0

EVENT = (
    "BEGIN:VEVENT\r\nUID:talk-{n}@example.org\r\nSUMMARY:Talk number {n}\r\n"
    "DTSTART:20300515T{hour:02d}0000Z\r\nDTEND:20300515T{hour:02d}3000Z\r\n"
    "LOCATION:Hall {room}\r\nDESCRIPTION:{text}\r\nEND:VEVENT\r\n"
)


def calendar(count: int, size: int) -> bytes:
    filler = max(0, size // count - 170)
    text = ("x" * 70 + "\r\n ") * (filler // 73)
    events = "".join(
        EVENT.format(n=n, hour=8 + n % 10, room=n % 40, text=text) for n in range(count)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


def board_status(connection: http.client.HTTPConnection) -> tuple[float, str]:
    started = time.perf_counter()
    connection.request("GET", "/api/events/demo/board")
    response = connection.getresponse()
    body = response.read()
    took = time.perf_counter() - started
    sources = json.loads(body).get("sources") or [{"status": "pending"}]
    source = sources[0]
    # A source that was never read stays "pending", with the reason in last_error.
    return took, "refused" if source.get("last_error") else str(source["status"])


def run(
    name: str, document: bytes, folder: Path, upstream_port: int, port: int, window: float
) -> None:
    (folder / f"{name}.ics").write_bytes(document)
    db = folder / f"{name}.sqlite3"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openspace",
            "serve",
            "--demo",
            "--db",
            str(db),
            "--listen",
            f"tcp:{port}:interface=127.0.0.1",
            "--source",
            f"http://127.0.0.1:{upstream_port}/{name}.ics",
            "--source-interval",
            "10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"OPENSPACE_FACILITATOR_TOKEN": "bench-facilitator-token-0123", "PATH": ""},
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if b"listening on" in line:
                break
        connection = http.client.HTTPConnection("127.0.0.1", port)
        started = time.perf_counter()
        while time.perf_counter() - started < WARM_UP:
            board_status(connection)
        latencies: list[float] = []
        status = "pending"
        while time.perf_counter() - started < WARM_UP + window:
            took, status = board_status(connection)
            latencies.append(took)
        latencies.sort()
        print(
            f"{name}: {len(document) / 1e6:.1f} MB, status {status}; {len(latencies)} board "
            f"requests in {window:g} s: median {statistics.median(latencies) * 1e3:.1f} ms, "
            f"99th percentile {latencies[int(len(latencies) * 0.99)] * 1e3:.1f} ms, "
            f"worst {latencies[-1] * 1e3:.1f} ms"
        )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9130)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        upstream_port = args.port + 1
        upstream = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(upstream_port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)  # http.server has no readiness signal; a bench may wait
            for name, document in (
                ("small", calendar(100, 20_000)),
                ("over-limit", calendar(100_000, 13_000_000)),
                ("under-limit", calendar(19_000, 13_000_000)),
            ):
                run(name, document, folder, upstream_port, args.port, args.seconds)
        finally:
            upstream.terminate()
            upstream.wait()


if __name__ == "__main__":
    main()
