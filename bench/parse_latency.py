"""
Board latency while the server reads a 13 MB official schedule.

    .venv/bin/python bench/parse_latency.py [--seconds 20] [--desk]

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
a stall of the reactor thread costs everyone else).  C{--desk} signs in to the
facilitator desk and keeps its live stream open all along (a desk renders each change
for itself).  C{--only FEED ...} runs some feeds; C{PYTHONPATH=<checkout>/src} measures
another version of the server in the same way.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

# The server polls its source at start: the first second is start-up, not reading.
WARM_UP = 1.0
TOKEN = "bench-facilitator-token-0123"
DESK = "/e/demo/desk"

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


def desk_cookies(port: int) -> str:
    """
    The cookies of a desk signed in with the facilitator token, as a C{Cookie} header.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", DESK)
    response = connection.getresponse()
    page = response.read().decode()
    cookies = dict(
        header.split(";", 1)[0].split("=", 1)
        for name, header in response.getheaders()
        if name.lower() == "set-cookie"
    )
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, "no CSRF field on the sign-in page"
    form = urllib.parse.urlencode({"csrf": found.group(1), "token": TOKEN})
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection.request(
        "POST",
        f"{DESK}/signin",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": header},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 303, response.status
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def watch_desk(port: int, stop: threading.Event, received: list[int]) -> None:
    """
    Keep a desk's live stream open and read it until C{stop}: a raw WebSocket client
    (the handshake, then bytes counted), enough for the server to render for it.
    """
    import socket

    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {DESK}/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Origin: http://127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Cookie: {desk_cookies(port)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(request.encode())
        head = connection.recv(65536)
        assert head.startswith(b"HTTP/1.1 101"), head[:200]
        received.append(len(head))
        connection.settimeout(0.2)
        while not stop.is_set():
            try:
                received.append(len(connection.recv(1 << 20)))
            except TimeoutError:
                continue


def run(
    name: str,
    document: bytes,
    folder: Path,
    upstream_port: int,
    port: int,
    window: float,
    desk: bool = False,
) -> None:
    (folder / name).write_bytes(document)
    db = folder / f"{name}.sqlite3"
    environment = {"OPENSPACE_FACILITATOR_TOKEN": TOKEN, "PATH": ""}
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
        stop, probed, desk_bytes = threading.Event(), [], []
        threads = [threading.Thread(target=probe, args=(port, stop, probed))]
        started = time.perf_counter()
        if desk:
            # Opened at once: the source is being read from the server's start.
            threads.append(threading.Thread(target=watch_desk, args=(port, stop, desk_bytes)))
            threads[-1].start()
        while time.perf_counter() - started < WARM_UP:
            board_status(connection)
        threads[0].start()
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
        for thread in threads:
            thread.join()
        print(f"{name}: {len(document) / 1e6:.1f} MB, status {status}")
        if desk:
            print(f"  desk stream open all along: {sum(desk_bytes) / 1e3:.1f} kB received")
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
    parser.add_argument("--desk", action="store_true", help="keep a desk's live stream open")
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
                document = FEEDS[feed]()
                run(feed, document, folder, upstream_port, args.port, args.seconds, args.desk)
        finally:
            upstream.terminate()
            upstream.wait()


if __name__ == "__main__":
    main()
