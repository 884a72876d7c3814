#!/usr/bin/env python3
"""
Instructions per request (issue 9): the board's revalidation (304), first load, kiosk
and /me next to the hello-world Klein route of bench/screens.py, counted by callgrind.

Requests/s on a shared machine move by tens of percent with other people's load;
instruction counts do not.  Each server runs under C{valgrind --tool=callgrind} with
instrumentation off until it is warm (200 requests), then on for N requests sent one at
a time on one keep-alive connection (one request per reactor turn, so batching cannot
differ between runs), counted in five chunks whose median is taken (a chunk in which a
cached page expired and was rendered again stands out), then off.  The count is the
server's user-space instructions per request: the kernel's share (socket reads and
writes, epoll) is not in it, and it is about the same for every request here.

    .venv/bin/python bench/request_instructions.py                # all, N = 1000
    .venv/bin/python bench/request_instructions.py --only hello board_304 -n 2000

The board is bench/screens.py's (10 rooms x 30 slots, 150 sessions of realistic text),
loaded once into a temporary SQLite file.  Needs valgrind.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import screens  # noqa: E402

TARGETS = ("hello", "board_304", "board", "kiosk", "me")
CHUNKS = 5


async def _one_connection(port: int, request: bytes, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if head[9:12] not in (b"200", b"304"):
                raise RuntimeError(f"unexpected answer {head[:12]!r}")
            found = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if found:
                await reader.readexactly(int(found.group(1)))
            elif re.search(rb"(?i)\r\ntransfer-encoding: *chunked", head):
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
    finally:
        writer.close()


def send(port: int, request: bytes, count: int) -> None:
    asyncio.run(_one_connection(port, request, count))


def wait_listening(port: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"nothing listens on {port}")


def counted(
    command: list[str], port: int, request: Callable[[int], bytes], count: int, out: Path
) -> float:
    """
    Instructions per request of the server C{command} (listening on C{port}): the median
    over C{CHUNKS} runs of C{count // CHUNKS} requests, each counted on its own, so that
    a chunk in which a page's rendering expired (the kiosk's clock turns every minute)
    and was made again does not count as the cost of a request.
    """
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    process = subprocess.Popen(
        [*valgrind, f"--callgrind-out-file={out}", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, OPENSPACE_FACILITATOR_TOKEN=screens.TOKEN),
    )
    control = ["callgrind_control"]
    per_chunk = max(1, count // CHUNKS)
    try:
        wait_listening(port)
        made = request(port)
        send(port, made, 200)
        subprocess.run([*control, "--instr=on", str(process.pid)], check=True, capture_output=True)
        for _ in range(CHUNKS):
            send(port, made, per_chunk)
            # Each dump holds what ran since the one before: one chunk.
            subprocess.run([*control, "--dump", str(process.pid)], check=True, capture_output=True)
        subprocess.run([*control, "--instr=off", str(process.pid)], check=True, capture_output=True)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(300)
    chunks = []
    for dump in sorted(out.parent.glob(out.name + ".*")):
        totals = [
            int(line.split()[1])
            for line in dump.read_text().splitlines()
            if line.startswith(("summary:", "totals:"))
        ]
        if totals:
            chunks.append(max(totals) / per_chunk)
    return statistics.median(chunks)


def board_db(folder: Path) -> Path:
    """
    bench/screens.py's board, proposed through the API of a server run once.
    """
    db = folder / "bench.sqlite3"
    env = dict(os.environ, OPENSPACE_FACILITATOR_TOKEN=screens.TOKEN)
    today = datetime.now(screens.ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    load = [screens.BIN / "openspace", "event", "load", screens.event_file(folder, today)]
    subprocess.run([*load, "--db", db], check=True, env=env, stdout=subprocess.DEVNULL)
    port = screens.free_port()
    base = f"http://127.0.0.1:{port}"
    listen = f"tcp:{port}:interface=127.0.0.1"
    server = subprocess.Popen(
        [sys.executable, "-m", "openspace", "serve", "--db", db, "--listen", listen],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        screens.wait_up(f"{base}/healthz")
        rng = random.Random(9)
        cells = screens.free_future_cells(base)
        rng.shuffle(cells)
        for cell in cells[:150]:
            proposal = screens.proposal(rng, *cell)
            screens.api(base, "POST", f"/api/events/{screens.SLUG}/sessions", proposal)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    return db


def page_request(target: str) -> Callable[[int], bytes]:
    """
    The request of C{target}, made once its server is up (a 304 needs the current ETag).
    """
    path = {"kiosk": f"/e/{screens.SLUG}/kiosk", "me": f"/e/{screens.SLUG}/me"}.get(
        target, f"/e/{screens.SLUG}/"
    )

    def made(port: int) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        if target == "hello":
            lines[0] = "GET / HTTP/1.1"
        elif target == "me":
            lines.append("Cookie: os_attendee=bench-attendee-1")
        else:
            lines.append("Accept-Encoding: gzip")
        if target == "board_304":
            gz = {"Accept-Encoding": "gzip"}
            _, head, _ = screens.fetch(f"http://127.0.0.1:{port}", path, gz)
            lines.append(f"If-None-Match: {head['etag']}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="counted requests per target")
    parser.add_argument("--only", nargs="+", choices=TARGETS, default=list(TARGETS))
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind (apt-get install valgrind)")
    folder = Path(tempfile.mkdtemp(prefix="request-instructions-"))
    try:
        db = board_db(folder) if set(options.only) - {"hello"} else None
        counts: dict[str, float] = {}
        for target in options.only:
            port = screens.free_port()
            if target == "hello":
                command = [sys.executable, str(HERE / "hello_klein.py"), str(port)]
            else:
                command = [sys.executable, "-m", "openspace", "serve", "--db", str(db)]
                command += ["--listen", f"tcp:{port}:interface=127.0.0.1"]
            out = folder / f"{target}.callgrind"
            counts[target] = counted(command, port, page_request(target), options.n, out)
            print(f"{target}: {counts[target] / 1000:,.1f} k instructions/request", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "hello" in counts:
        print("\n| request | k instructions/request | hello-world ÷ it |\n| --- | ---: | ---: |")
        for target, count in counts.items():
            print(f"| {target} | {count / 1000:,.1f} | {counts['hello'] / count:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
