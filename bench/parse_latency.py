"""
Board latency while the server reads a 13 MB official schedule.

    .venv/bin/python bench/parse_latency.py [--seconds 20]

For sources served from a local HTTP server: iCal with 100 events (the baseline),
100,000 events in about 13 MB (over the 20,000-item limit: refused by counting, before
parsing) and 19,000 events with long descriptions in about 13 MB (under the limit: parsed
in the server's thread pool), and frab XML and JSON of 19,000 events in 12-13 MB, it
starts C{openspace serve --demo --source URL} pinned to CPU 1 (this process and the
upstream server stay on CPU 0) and, after a second of start-up, times C{GET
/api/events/demo/board} back to back for C{--seconds}.  It prints the median, 99th
percentile and worst latency while the source is read (fetched and parsed), of the one
answer that waited for the new schedule to be stored, and after (a board with 19,000
talks), and those of another client asking for C{/healthz} back to back all along (what
a stall of the reactor thread costs everyone else).  C{--only FEED ...} runs some
feeds; C{PYTHONPATH=<checkout>/src} measures another version of the server in the same
way.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


def frab_xml(count: int, size: int) -> bytes:
    text = "x" * max(0, size // count - 250)
    events = "".join(
        f'<event guid="talk-{n}" id="{n}"><date>2030-05-15T{8 + n % 10:02d}:00:00+00:00</date>'
        f"<start>{8 + n % 10:02d}:00</start><duration>00:30</duration><room>Hall {n % 40}"
        f"</room><title>Talk number {n}</title><description>{text}</description>"
        f"<persons><person>Speaker {n}</person></persons></event>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0"?><schedule><conference><title>C</title></conference>'
        f'<day index="1" date="2030-05-15"><room name="Hall">{events}</room></day></schedule>'
    ).encode()


def frab_json(count: int, size: int) -> bytes:
    text = "x" * max(0, size // count - 270)
    events = [
        {
            "guid": f"talk-{n}",
            "id": n,
            "date": f"2030-05-15T{8 + n % 10:02d}:00:00+00:00",
            "start": f"{8 + n % 10:02d}:00",
            "duration": "00:30",
            "room": f"Hall {n % 40}",
            "title": f"Talk number {n}",
            "description": text,
            "persons": [{"public_name": f"Speaker {n}"}],
        }
        for n in range(count)
    ]
    days = [{"index": 1, "date": "2030-05-15", "rooms": {"Hall": events}}]
    return json.dumps({"schedule": {"conference": {"title": "C", "days": days}}}).encode()


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


def pinned(cpu: int) -> list[str]:
    # The server on one CPU and this client on the other, as bench/run_board_fanout.sh.
    taskset = shutil.which("taskset") or "/usr/bin/taskset"
    return [taskset, "-c", str(cpu)] if Path(taskset).exists() else []


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "no requests"
    ordered = sorted(latencies)
    return (
        f"{len(ordered)} requests: median {statistics.median(ordered) * 1e3:.1f} ms, "
        f"99th percentile {ordered[int(len(ordered) * 0.99)] * 1e3:.1f} ms, "
        f"worst {ordered[-1] * 1e3:.1f} ms"
    )


def probe(port: int, stop: threading.Event, latencies: list[float]) -> None:
    """
    Another client, asking for C{/healthz} back to back: what the reactor thread's
    stalls cost everyone else, while the board client may be waiting for its own answer.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port)
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        latencies.append(time.perf_counter() - started)


def run(
    name: str, document: bytes, folder: Path, upstream_port: int, port: int, window: float
) -> None:
    (folder / name).write_bytes(document)
    db = folder / f"{name}.sqlite3"
    environment = {"OPENSPACE_FACILITATOR_TOKEN": "bench-facilitator-token-0123", "PATH": ""}
    # PYTHONPATH=<other checkout>/src measures another version of the server.
    if "PYTHONPATH" in os.environ:
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    server = subprocess.Popen(
        [
            *pinned(1),
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
            f"http://127.0.0.1:{upstream_port}/{name}",
            "--source-interval",
            "600",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment,
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
        stop, probed = threading.Event(), []
        prober = threading.Thread(target=probe, args=(port, stop, probed))
        prober.start()
        # While the source is pending it is being fetched and parsed; the first answer
        # with the schedule waited for it to be stored; then the board holds it.
        reading: list[float] = []
        arriving: list[float] = []
        after: list[float] = []
        status = "pending"
        while time.perf_counter() - started < WARM_UP + window:
            took, status = board_status(connection)
            if status == "pending":
                reading.append(took)
            elif not arriving:
                arriving.append(took)
            else:
                after.append(took)
        stop.set()
        prober.join()
        print(f"{name}: {len(document) / 1e6:.1f} MB, status {status}")
        print(f"  /healthz meanwhile (another client): {figures(probed)}")
        print(f"  while read: {figures(reading)}")
        if arriving:
            print(f"  the answer that waited for the new schedule: {arriving[0] * 1e3:.1f} ms")
            print(f"  after: {figures(after)}")
    finally:
        server.terminate()
        server.wait()


FEEDS = {
    "small.ics": lambda: calendar(100, 20_000),
    "over-limit.ics": lambda: calendar(100_000, 13_000_000),
    "under-limit.ics": lambda: calendar(19_000, 13_000_000),
    "under-limit.xml": lambda: frab_xml(19_000, 13_000_000),
    "under-limit.json": lambda: frab_json(19_000, 13_000_000),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9130)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", nargs="*", choices=sorted(FEEDS), default=sorted(FEEDS))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # this client and the upstream server on CPU 0
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
            for feed in [f for f in FEEDS if f in args.only]:
                run(feed, FEEDS[feed](), folder, upstream_port, args.port, args.seconds)
        finally:
            upstream.terminate()
            upstream.wait()


if __name__ == "__main__":
    main()
