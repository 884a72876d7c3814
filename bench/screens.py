"""
Screens benchmark (issue 9): what a change and a page load cost the server, and how soon
a change is on every open screen, for a 10-room x 30-slot board with 150 sessions.

    .venv/bin/python bench/screens.py [--pages 40] [--desks 2] [--seconds 3] [--reps 3]
        [--skip-http]

It starts `openspace serve` (pinned to CPU 1 with taskset: SERVER_CPUS) on a fresh
SQLite file with the board below, and a hello-world Klein route (`bench/hello_klein.py`,
also CPU 1) as the baseline, and measures, in this one run:

* requests/s of the hello-world route, of the board's first load (`/e/bench/`, gzip),
  its revalidation (`If-None-Match`: 304), the kiosk, a door screen and the per-visitor
  `/e/bench/me`, with a keep-alive HTTP/1.1 load client of its own (this process,
  CPU 0: CLIENT_CPUS); interleaved repetitions, medians;
* the first load's bytes over the wire (HTML + CSS + JS, gzipped);
* with N real headless Chromium pages of the board open (any CPU: BROWSER_CPUS): the
  server process's CPU time per change (a proposal through the JSON API: from the sum
  of its threads' /proc schedstat, so it includes the request, the commit, the page
  fragments and the fan-out), the same change with no page open, the time from sending
  the change until its title is in the DOM of every page (each page stamps Date.now()
  from a MutationObserver), and every request the pages made meanwhile (there should
  be none).  With `--desks N`, N of the pages are signed-in facilitator desks (at
  1280 px), kept current from their own stream.

Prints a Markdown report and appends one JSON line to bench/results/screens-*.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SLUG = "bench"
ZONE = ZoneInfo("Europe/Berlin")
TOKEN = "bench-facilitator-token-0123456789"
CHROMIUM = "/usr/bin/chromium"
SERVER_CPU = os.environ.get("SERVER_CPUS", "1")
CLIENT_CPUS = os.environ.get("CLIENT_CPUS", "0")
BROWSER_CPUS = os.environ.get("BROWSER_CPUS", "0,1")


def cpus(text: str) -> set[int]:
    return {int(cpu) for cpu in text.split(",") if cpu.strip()}


WORDS = (
    "accessibility",
    "art",
    "async",
    "asyncio",
    "burnout",
    "caching",
    "community",
    "compilers",
    "databases",
    "dataframes",
    "diversity",
    "documentation",
    "education",
    "embedded",
    "funding",
    "fuzzing",
    "games",
    "geospatial",
    "governance",
    "hardware",
    "hiring",
    "klein",
    "leaks",
    "licensing",
    "linters",
    "logging",
    "maintainers",
    "memory",
    "mentoring",
    "metrics",
    "music",
    "notebooks",
    "observability",
    "onboarding",
    "packaging",
    "parsers",
    "plotting",
    "postgres",
    "profiling",
    "queues",
    "remote",
    "robotics",
    "rust",
    "security",
    "sqlite",
    "streaming",
    "teaching",
    "testing",
    "tracing",
    "twisted",
    "typing",
    "wasm",
    "work",
)
PEOPLE = [
    "Ann Lee",
    "Chen Wei",
    "Émile Laurent",
    "Priya Nair",
    "Kwame Mensah",
    "Olga Ivanova",
    "Diego Hernández",
    "Aiko Tanaka",
    "Fatima Zahra",
    "Lars Nilsson",
    "Noor Haddad",
    "Tomás Novák",
    "Grace O'Neill",
    "Sipho Dlamini",
    "Mateus Silva",
    "Hana Kim",
]


# --- the board ---------------------------------------------------------------------------


def event_file(folder: Path, today: datetime) -> Path:
    lines = [f'slug = "{SLUG}"', 'name = "Bench Conf Open Spaces"', 'timezone = "Europe/Berlin"']
    for index in range(1, 11):
        lines += [
            "",
            "[[rooms]]",
            f'id = "r{index}"',
            f'name = "Room {index}"',
            f"capacity = {10 * index}",
            f'where = "Level {index % 3}, corridor {"ABC"[index % 3]}"',
        ]
    for day in range(3):
        date = (today + timedelta(days=day)).date().isoformat()
        slots = ", ".join(f'"{h:02d}:00-{h + 1:02d}:00"' for h in range(8, 18))
        lines += ["", "[[days]]", f'date = "{date}"', f"slots = [{slots}]"]
    path = folder / "bench.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.sample(WORDS, rng.randint(low, high))
    return " ".join(words).capitalize()


def proposal(rng: random.Random, room: str, slot: str, title: str | None = None) -> dict[str, Any]:
    description = ". ".join(sentence(rng, 6, 14) for _ in range(rng.randint(2, 4))) + "."
    return {
        "title": title or sentence(rng, 3, 7),
        "description": description,
        "host": rng.choice(PEOPLE),
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
        "room": room,
        "slot": slot,
    }


def api(base: str, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def free_future_cells(base: str) -> list[tuple[str, str]]:
    board = api(base, "GET", f"/api/events/{SLUG}/board")
    now = datetime.now(ZONE)
    taken = {(s["room"], s["slot"]) for s in board["sessions"]}
    return [
        (room["id"], slot["id"])
        for slot in board["slots"]
        if datetime.fromisoformat(slot["start"]) > now
        for room in board["rooms"]
        if (room["id"], slot["id"]) not in taken
    ]


# --- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def pinned(command: list[str]) -> list[str]:
    return (
        ["taskset", "-c", SERVER_CPU] if SERVER_CPU and shutil.which("taskset") else []
    ) + command


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(pid: int) -> float:
    """
    CPU time of every thread of C{pid} so far, in seconds (nanosecond resolution).
    """
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            continue
    return total / 1e9


# --- the HTTP load client ----------------------------------------------------------------


async def _worker(port: int, request: bytes, deadline: float, counts: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            found = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if found:
                await reader.readexactly(int(found.group(1)))
            elif re.search(rb"(?i)\r\ntransfer-encoding: *chunked", head):
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            counts[status] = counts.get(status, 0) + 1
    finally:
        writer.close()


def rate(
    port: int, pid: int, path: str, headers: dict[str, str], seconds: float, conns: int
) -> tuple[float, float]:
    """
    Requests/s served, and requests/s per second of the server's CPU time (what one
    core would serve, less disturbed by other load on the machine).
    """
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()

    spent: list[float] = []

    async def run() -> dict[int, int]:
        counts: dict[int, int] = {}
        warm = time.monotonic() + 0.5
        await asyncio.gather(*(_worker(port, request, warm, {}) for _ in range(conns)))
        cpu, started = cpu_seconds(pid), time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_worker(port, request, deadline, counts) for _ in range(conns)))
        spent[:] = [time.monotonic() - started, cpu_seconds(pid) - cpu]
        return counts

    counts = asyncio.run(run())
    wanted = 304 if "If-None-Match" in headers else 200
    if set(counts) != {wanted}:
        raise RuntimeError(f"{path}: unexpected answers {counts}")
    took, cpu = spent
    return counts[wanted] / took, counts[wanted] / cpu


def fetch(base: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


# --- the screens -------------------------------------------------------------------------

STAMP = """title => {
  window.__seen = null;
  const region = document.querySelector('[data-live]');
  const look = () => {
    if (window.__seen === null && region.textContent.includes(title)) window.__seen = Date.now();
  };
  new MutationObserver(look).observe(region, {subtree: true, childList: true, characterData: true});
}"""


def open_pages(base: str, count: int, desks: int = 0) -> tuple[Any, Any, list[Any], list[str]]:
    """
    C{count} pages: the board on a phone, except the first C{desks}, facilitator desks
    (signed in, at 1280 px), which show the change from their own stream.
    """
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-extensions"],
    )
    asked: list[str] = []
    pages = []
    for index in range(count):
        if index < desks:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/e/{SLUG}/desk")
            page.get_by_label("Facilitator token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Facilitator desk").wait_for()
        else:
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            page = context.new_page()
            page.goto(f"{base}/e/{SLUG}/")
        page.wait_for_function("() => openspace.live && openspace.live.state.status === 'live'")
        page.on("request", lambda request, i=index: asked.append(f"{i} {request.url}"))
        pages.append(page)
    return playwright, browser, pages, asked


def change_on_screens(
    base: str, pid: int, pages: list[Any], rng: random.Random, cell: tuple[str, str], title: str
) -> dict[str, float]:
    for page in pages:
        page.evaluate(STAMP, title)
    time.sleep(0.5)  # let the pages (and the server) go quiet before measuring
    cpu = cpu_seconds(pid)
    sent = time.time() * 1000
    api(base, "POST", f"/api/events/{SLUG}/sessions", proposal(rng, *cell, title=title))
    seen = [
        page.wait_for_function("() => window.__seen", timeout=30_000).json_value() for page in pages
    ]
    time.sleep(1.0)  # anything the change set off on the server ends within this
    return {
        "cpu_ms": (cpu_seconds(pid) - cpu) * 1000,
        "visible_ms": max(seen) - sent if seen else 0.0,
        "visible_median_ms": statistics.median(seen) - sent if seen else 0.0,
    }


def change_alone(base: str, pid: int, rng: random.Random, cell: tuple[str, str]) -> float:
    time.sleep(0.5)
    cpu = cpu_seconds(pid)
    api(base, "POST", f"/api/events/{SLUG}/sessions", proposal(rng, *cell))
    time.sleep(1.0)
    return (cpu_seconds(pid) - cpu) * 1000


# --- the run -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--desks", type=int, default=0, help="how many of the pages are desks")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--conns", type=int, default=16)
    parser.add_argument("--skip-http", action="store_true", help="only the screens part")
    parser.add_argument(
        "--skip-screens", action="store_true", help="only the page rates (no Chromium)"
    )
    options = parser.parse_args()
    # The HTTP load client runs apart from the servers; Chromium (started later, it
    # inherits this) may use every CPU once the server has answered the change.
    if CLIENT_CPUS:
        os.sched_setaffinity(0, cpus(CLIENT_CPUS))
    rng = random.Random(9)
    folder = Path(tempfile.mkdtemp(prefix="screens-bench-"))
    env = dict(os.environ, OPENSPACE_FACILITATOR_TOKEN=TOKEN)
    today = datetime.now(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    db = folder / "bench.sqlite3"
    subprocess.run(
        [BIN / "openspace", "event", "load", event_file(folder, today), "--db", db],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    port, hello_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        pinned(
            [
                str(BIN / "openspace"),
                "serve",
                "--db",
                str(db),
                "--listen",
                f"tcp:{port}:interface=127.0.0.1",
            ]
        ),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hello = subprocess.Popen(
        pinned([sys.executable, str(HERE / "hello_klein.py"), str(hello_port)]),
        stdout=subprocess.DEVNULL,
    )
    browser = playwright = None
    try:
        wait_up(f"{base}/healthz")
        wait_up(f"http://127.0.0.1:{hello_port}/")
        cells = free_future_cells(base)
        rng.shuffle(cells)
        for cell in cells[:150]:
            api(base, "POST", f"/api/events/{SLUG}/sessions", proposal(rng, *cell))
        spare = cells[150:]
        board = api(base, "GET", f"/api/events/{SLUG}/board")
        assert len(board["sessions"]) == 150, len(board["sessions"])

        # Bytes over the wire for a first visit.
        _, head, html = fetch(base, f"/e/{SLUG}/", {"Accept-Encoding": "gzip"})
        etag = head["etag"]
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', gzip.decompress(html))
        weight = {"html": len(html)}
        for asset in assets:
            _, _, body = fetch(base, asset.decode(), {"Accept-Encoding": "gzip"})
            weight[
                asset.decode().split("/")[-1].split(".")[0] + "." + asset.decode().rsplit(".", 1)[1]
            ] = len(body)

        gz = {"Accept-Encoding": "gzip"}
        targets = {
            "hello": (hello_port, hello.pid, "/", {}),
            "board": (port, server.pid, f"/e/{SLUG}/", gz),
            "board_304": (port, server.pid, f"/e/{SLUG}/", {**gz, "If-None-Match": etag}),
            "kiosk": (port, server.pid, f"/e/{SLUG}/kiosk", gz),
            "door": (port, server.pid, f"/e/{SLUG}/kiosk?room=r3", gz),
            "me": (port, server.pid, f"/e/{SLUG}/me", {"Cookie": "os_attendee=bench-attendee-1"}),
        }
        rates: dict[str, list[float]] = {name: [] for name in targets}
        per_cpu: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(0 if options.skip_http else options.reps):
            for name, (where, pid, path, headers) in targets.items():
                if "If-None-Match" in headers:
                    # The page's bytes change when a slot starts, even with no change.
                    _, head, _ = fetch(base, path, gz)
                    headers = {**headers, "If-None-Match": head["etag"]}
                served, capacity = rate(where, pid, path, headers, options.seconds, options.conns)
                rates[name].append(served)
                per_cpu[name].append(capacity)
        median = {name: statistics.median(values or [0.0]) for name, values in rates.items()}
        median_cpu = {name: statistics.median(values or [0.0]) for name, values in per_cpu.items()}

        alone: list[float] = []
        changes: list[dict[str, float]] = []
        asked: list[str] = []
        if options.skip_screens:
            return finish(options, rates, per_cpu, median, median_cpu, weight, [], [], [])
        alone = [change_alone(base, server.pid, rng, spare.pop()) for _ in range(options.reps)]
        if BROWSER_CPUS:
            os.sched_setaffinity(0, cpus(BROWSER_CPUS))
        playwright, browser, pages, asked = open_pages(base, options.pages, options.desks)
        change_on_screens(base, server.pid, pages, rng, spare.pop(), "Warm-up change")
        changes = [
            change_on_screens(base, server.pid, pages, rng, spare.pop(), f"Bench change {n}")
            for n in range(options.reps)
        ]
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
        for process in (server, hello):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    return finish(options, rates, per_cpu, median, median_cpu, weight, changes, alone, asked)


def finish(
    options: argparse.Namespace,
    rates: dict[str, list[float]],
    per_cpu: dict[str, list[float]],
    median: dict[str, float],
    median_cpu: dict[str, float],
    weight: dict[str, int],
    changes: list[dict[str, float]],
    alone: list[float],
    asked: list[str],
) -> int:
    """
    Record the run (bench/results) and print its report.
    """
    result = {
        "at": datetime.now().isoformat(timespec="seconds"),
        "pages": options.pages,
        "desks": options.desks,
        "sessions": 150,
        "rates": rates,
        "median_rates": median,
        "per_cpu_second": per_cpu,
        "median_per_cpu_second": median_cpu,
        "weight": weight,
        "changes": changes,
        "change_alone_cpu_ms": alone,
        "requests_during_changes": asked,
    }
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    with (results / f"screens-{time.strftime('%Y%m%d')}.jsonl").open("a") as out:
        out.write(json.dumps(result) + "\n")
    print(report(result))
    return 0


def report(result: dict[str, Any]) -> str:
    median = result["median_rates"]
    hello = median["hello"] or 1.0
    capacity = result["median_per_cpu_second"]
    capacity["hello"] = capacity["hello"] or 1.0
    lines = [
        "| request | requests/s (median) | ÷ hello-world Klein | per CPU-second of the "
        "server | ÷ hello-world Klein |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in (
        ("hello", "hello-world Klein route"),
        ("board", "board `/e/bench/` first load (gzip)"),
        ("board_304", "board revalidation (304)"),
        ("kiosk", "kiosk `/e/bench/kiosk`"),
        ("door", "door screen `/e/bench/kiosk?room=r3`"),
        ("me", "per-visitor `/e/bench/me`"),
    ):
        lines.append(
            f"| {label} | {median[name]:,.0f} | {median[name] / hello:.2f}× "
            f"| {capacity[name]:,.0f} | {capacity[name] / capacity['hello']:.2f}× |"
        )
    weight = result["weight"]
    total = sum(weight.values())
    parts = ", ".join(f"{name} {size / 1000:.1f}" for name, size in weight.items())
    lines += ["", f"First load over the wire: **{total / 1000:.1f} KB** gzipped ({parts} KB)."]
    changes = result["changes"]
    if not changes:
        return "\n".join(lines)
    lines += [
        "",
        f"With {result['pages']} Chromium pages open ({result.get('desks', 0)} of them "
        "facilitator desks), per change (a proposal), "
        f"{len(changes)} runs:",
        "",
        "| run | server CPU ms | visible on all pages after ms | on half of them after ms |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for index, change in enumerate(changes, 1):
        lines.append(
            f"| {index} | {change['cpu_ms']:.1f} | {change['visible_ms']:.0f} "
            f"| {change['visible_median_ms']:.0f} |"
        )
    alone = result["change_alone_cpu_ms"]
    lines += [
        "",
        f"Same change with no page open: server CPU {', '.join(f'{v:.1f}' for v in alone)} ms.",
        f"Requests the pages made during the changes: {len(result['requests_during_changes'])}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
