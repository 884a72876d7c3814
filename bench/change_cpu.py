#!/usr/bin/env python3
"""
Server CPU per board change with 0, 1,000 and 5,000 open screens (issue 9).

For every audience size N (a fresh server and database each time, the server pinned to
one core and the clients to the other, as the shared fan-out harness does):

  1. the benchmark board (L{bigboard}: 10 rooms x 30 slots, 150 sessions of realistic
     text) is loaded with C{openspace event load} and its sessions proposed through the
     JSON API;
  2. N protocol clients connect the way C{static/live.js} does on a page loaded at the
     board's seq: C{/api/events/{slug}/live?since=S&epoch=E} with the page's Origin, and
     from then on they read every frame, answer the server's WebSocket pings (as
     browsers do) and, as live.js does on a visible page, check once a second (each on
     its own phase, as pages open at different moments) and send C{{"type":"ping"}}
     when nothing came for more than 2 s (C{IDLE_PING}); a client that heard nothing for
     4.5 s (C{DEAD_AFTER}) would go offline and is counted.  They fetch nothing;
  2b. with C{--idle S}, the server's CPU per second while the N clients sit on a quiet
     board for S seconds, pinging as live.js does (the cost of an open page between
     changes);
  3. K changes, alternately a real POSTed proposal (a new session in a free cell) and a
     "going" (a new attendee on one of the sessions).  Around each change the server
     process's own CPU time is read (all its threads, from C{/proc/<pid>/task/*/schedstat},
     nanoseconds; C{/proc/<pid>/stat} utime+stime, 10 ms ticks, as a cross-check over all
     K): from just before the POST is written until every client has the change's frame
     and the POST's answer has arrived.

The figure of merit is the growth over the same changes with no client open, per client:
(CPU per change at N - CPU per change at 0) / N, against the issue's target of 0.05 ms.

    bench/change_cpu.py                      # N = 0 1000 5000, K = 20, 2 repetitions
    bench/change_cpu.py --clients 0 5000 --changes 40 --reps 3

Loopback only; the load client is the shared harness's (C{../shared/bench/
fanout_client.py}, a single epoll loop).  Results: one JSON line per run in
C{bench/results/change-cpu-*.jsonl}, and a table.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import bigboard  # noqa: E402

TARGET_MS_PER_CLIENT = 0.05
# static/live.js: a visible page checks once a second, pings after IDLE_PING of quiet
# and goes offline after DEAD_AFTER.
TICK_S = 1.0
IDLE_PING_S = 2.0
DEAD_AFTER_S = 4.5


def harness(path: Path) -> Any:
    sys.path.insert(0, str(path))
    import fanout_client  # type: ignore[import-not-found]

    return fanout_client


def livejs_client(fanout: Any, options: SimpleNamespace, seed: int) -> Any:
    """
    The harness's client, with every connection keeping live.js's timer: once a second
    (from a random phase), C{{"type":"ping"}} if nothing came for more than 2 s.
    """
    ping = fanout.client_frame(0x1, b'{"type":"ping"}')
    rng = random.Random(seed)

    class LiveJsClient(fanout.FanoutClient):  # type: ignore[misc,name-defined]
        def __init__(self, args: SimpleNamespace) -> None:
            super().__init__(args)
            self.heard = [0.0] * self.n
            self.ticks: list[tuple[float, int]] = []
            self.pings_sent = 0
            self.dead = 0

        def connect_all(self) -> Any:
            opened = super().connect_all()
            now = time.monotonic()
            for i in range(self.n):
                if self.state[i] == fanout.ST_OPEN:
                    self.heard[i] = max(self.heard[i], now)
                    heapq.heappush(self.ticks, (now + rng.random() * TICK_S, i))
            return opened

        def _parse(self, i: int, data: bytes, anc: Any, kts: int, uts: int) -> None:
            self.heard[i] = time.monotonic()
            super()._parse(i, data, anc, kts, uts)

        def pump(self, timeout: float) -> int:
            now = time.monotonic()
            while self.ticks and self.ticks[0][0] <= now:
                at, i = heapq.heappop(self.ticks)
                if self.state[i] != fanout.ST_OPEN:
                    continue
                quiet = now - self.heard[i]
                if quiet > DEAD_AFTER_S:
                    self.dead += 1  # live.js would close and reconnect
                elif quiet > IDLE_PING_S:
                    try:
                        self.socks[i].send(ping)
                        self.pings_sent += 1
                    except OSError:
                        pass
                heapq.heappush(self.ticks, (at + TICK_S, i))
            events: int = super().pump(timeout)
            return events

    return LiveJsClient(options)


def cpu_ns(pid: int) -> int:
    """
    The process's CPU time so far, all threads, in nanoseconds (scheduler accounting).
    """
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def cpu_ticks_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def host_busy_s() -> float:
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"server did not listen on {port}")


def opening_frame(port: int, path: str) -> dict[str, Any]:
    """
    The first frame a fresh live client gets (the snapshot: its seq and epoch are what a
    page loaded now carries in data-seq and data-epoch).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        data = data.split(b"\r\n\r\n", 1)[1]

        def need(count: int) -> bytes:
            nonlocal data
            while len(data) < count:
                data += s.recv(65536)
            taken, data = data[:count], data[count:]
            return taken

        length = need(2)[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", need(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", need(8))[0]
        frame: dict[str, Any] = json.loads(need(length))
        return frame


class Server:
    """
    C{openspace serve} on a fresh database holding the benchmark board, pinned to a core.
    """

    def __init__(self, python: str, port: int, cpus: str, workdir: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        db = workdir / "change-cpu.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        bigboard.load_layout(python, db, workdir)
        command = [python, "-m", "openspace", "serve", "--db", str(db)]
        command += ["--listen", f"tcp:{port}:interface=127.0.0.1:backlog=1024"]
        # Every screen, proposal and "going" comes from one address: far past what the
        # limits allow one venue (README, "Limits"), so they are lifted.
        command += ["--max-connections", "60000", "--max-connections-per-address", "60000"]
        for kind in ("live", "propose", "going"):
            command += ["--limit", f"{kind}.address=1000000/1s"]
        if cpus:
            command = ["taskset", "-c", cpus, *command]
        env = dict(os.environ, OPENSPACE_FACILITATOR_TOKEN="bench-facilitator-token-0123")
        self.log = open(workdir / "change-cpu-server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_port(port)
        self.board = bigboard.seed_sessions(self.base)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def changes(board: dict[str, Any], count: int) -> list[tuple[str, str, dict[str, Any]]]:
    """
    C{count} changes, alternately a proposal into a free cell and a "going".
    """
    free = bigboard.free_cells(board)
    sessions = [s["id"] for s in board["sessions"]]
    made = []
    for number in range(count):
        if number % 2 == 0:
            room, slot = free[number // 2]
            body = {
                "title": f"Late addition {number}: packaging clinic",
                "description": "Bring the project that will not build; we fix it together.",
                "host": f"Walk-in Host {number}",
                "tags": ["packaging"],
                "room": room,
                "slot": slot,
            }
            made.append(("propose", f"/api/events/{bigboard.SLUG}/sessions", body))
        else:
            session = sessions[(number * 7) % len(sessions)]
            path = f"/api/events/{bigboard.SLUG}/sessions/{session}/going"
            made.append(("going", path, {"attendee": f"bench-attendee-{number}"}))
    return made


def measure(args: argparse.Namespace, n: int, rep: int, fanout: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="change-cpu-") as tmp:
        server = Server(args.python, args.port, args.server_cpus, Path(tmp))
        try:
            return run(args, n, rep, fanout, server)
        finally:
            server.stop()


def run(args: argparse.Namespace, n: int, rep: int, fanout: Any, server: Server) -> dict[str, Any]:
    live_path = f"/api/events/{bigboard.SLUG}/live"
    opening = opening_frame(server.port, live_path)
    seq, epoch = opening["seq"], opening["epoch"]
    url = f"ws://127.0.0.1:{server.port}{live_path}?since={seq}&epoch={epoch}"
    options = SimpleNamespace(
        url=url,
        connections=n,
        ws_header=[f"Origin: {server.base}"],
        match='"type":"events"',
        connect_concurrency=64,
        connect_timeout_s=180.0,
        connect_retries=3,
        round_timeout_s=60.0,
        batch_ms=1.0,
        publish_cmd=None,
        publish_url=None,
        publish_body="",
        publish_content_type="application/json",
        publish_header=None,
    )
    client = livejs_client(fanout, options, seed=n * 1000 + rep)
    # The clients resume (since/epoch), like screens coming back after a restart or a
    # Wi-Fi drop: how fast, and at what CPU, are they all live again?
    connect_cpu, connect_wall = cpu_ns(server.pid), time.monotonic()
    opened, failed, _ = client.connect_all()
    connect_wall = time.monotonic() - connect_wall
    connect_cpu = cpu_ns(server.pid) - connect_cpu
    client.idle(args.settle)
    idle: dict[str, Any] = {}
    if args.idle:
        # A quiet board: what the open pages cost between changes (their pings).
        pings, idle_cpu, idle_wall = client.pings_sent, cpu_ns(server.pid), time.monotonic()
        client.idle(args.idle)
        idle_wall = time.monotonic() - idle_wall
        idle_cpu = cpu_ns(server.pid) - idle_cpu
        pings = client.pings_sent - pings
        idle = {
            "idle_s": round(idle_wall, 2),
            "idle_cpu_ms_per_s": round(idle_cpu / 1e6 / idle_wall, 2),
            "idle_pings_per_s": round(pings / idle_wall, 1),
            "idle_cpu_us_per_ping": round(idle_cpu / 1e3 / pings, 1) if pings else None,
        }
    result: dict[str, Any] = {
        "n": n,
        "rep": rep,
        "opened": opened,
        "failed": failed,
        "resume_rate_per_s": round(opened / connect_wall, 1) if opened else None,
        "resume_cpu_us_per_connect": round(connect_cpu / 1e3 / opened, 1) if opened else None,
        "board_seq": seq,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "spacing_s": args.spacing,
        **idle,
    }
    plan = changes(server.board, args.warmup + args.changes)
    rounds = []
    ticks_total = 0.0
    busy_total = 0.0
    wall_total = 0.0
    pings_before = client.pings_sent
    for number, (kind, path, body) in enumerate(plan):
        client.idle(args.spacing)
        options.publish_url = server.base + path
        options.publish_body = json.dumps(body)
        ticks_a, busy_a, wall_a = cpu_ticks_s(server.pid), host_busy_s(), time.monotonic()
        own_a = fanout.self_cpu_s()
        cpu_a = cpu_ns(server.pid)
        outcome, _, _ = client.run_round(number)
        cpu_b = cpu_ns(server.pid)
        own_b = fanout.self_cpu_s()
        ticks_b, busy_b, wall_b = cpu_ticks_s(server.pid), host_busy_s(), time.monotonic()
        if outcome["trigger_status"] not in (200, 201):
            raise SystemExit(f"{kind} answered {outcome['trigger_status']}")
        if outcome["missing"]:
            raise SystemExit(f"{outcome['missing']} clients missed change {number}")
        if number < args.warmup:
            continue
        rounds.append(
            {
                "kind": kind,
                "cpu_ms": (cpu_b - cpu_a) / 1e6,
                "completion_ms": outcome["completion_ms"],
                "trigger_reply_ms": outcome["trigger_reply_ms"],
            }
        )
        ticks_total += ticks_b - ticks_a
        busy_total += (busy_b - busy_a) - (own_b - own_a)
        wall_total += wall_b - wall_a
    result["pings_during_changes"] = client.pings_sent - pings_before
    result["went_offline"] = client.dead
    client.close_all()
    for kind in ("propose", "going", "all"):
        mine = [r for r in rounds if kind in ("all", r["kind"])]
        result[kind] = {
            "cpu_ms_mean": statistics.fmean(r["cpu_ms"] for r in mine),
            "cpu_ms_median": statistics.median(r["cpu_ms"] for r in mine),
            "completion_ms_median": statistics.median(r["completion_ms"] or 0.0 for r in mine),
        }
    result["ticks_cpu_ms_per_change"] = 1e3 * ticks_total / len(rounds)
    # CPU used during the windows by neither the server nor this client (other people's
    # jobs), in % of one core: a disturbed run says so.
    result["foreign_busy_pct"] = round(100.0 * max(0.0, busy_total - ticks_total) / wall_total, 1)
    result["rounds"] = rounds
    return result


def table(results: list[dict[str, Any]]) -> str:
    """
    Medians over runs per audience size; growth per client against the runs with none.
    """
    by_n: dict[int, list[dict[str, Any]]] = {}
    for r in results:
        by_n.setdefault(r["n"], []).append(r)

    def cpu(n: int, kind: str) -> float:
        return statistics.median(r[kind]["cpu_ms_mean"] for r in by_n[n])

    lines = [
        "| clients | runs | CPU/change ms | propose ms | going ms | growth ms/client "
        "| growth ÷ 0.05 ms target | last client has it, ms (median) | others busy % "
        "| resumes/s | CPU µs/resume | pings in changes | quiet board: CPU ms/s "
        "| pings/s | CPU µs/ping |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(by_n):
        runs = by_n[n]
        if n and 0 in by_n:
            growth = (cpu(n, "all") - cpu(0, "all")) / n
            shown = f"{growth:.4f} | {growth / TARGET_MS_PER_CLIENT:.2f}×"
        else:
            shown = "- | -"
        completion = statistics.median(r["all"]["completion_ms_median"] for r in runs)
        foreign = max(r["foreign_busy_pct"] for r in runs)
        if n:
            rate = statistics.median(r["resume_rate_per_s"] for r in runs)
            resume_cpu = statistics.median(r["resume_cpu_us_per_connect"] for r in runs)
            resumes = f"{rate:.0f} | {resume_cpu:.0f}"
        else:
            resumes = "- | -"
        pings = sum(r.get("pings_during_changes", 0) for r in runs)
        quiet = [r for r in runs if r.get("idle_s")]
        if quiet:
            per_ping = [r["idle_cpu_us_per_ping"] for r in quiet if r["idle_cpu_us_per_ping"]]
            idle = (
                f"{statistics.median(r['idle_cpu_ms_per_s'] for r in quiet):.1f} "
                f"| {statistics.median(r['idle_pings_per_s'] for r in quiet):.0f} "
                f"| {statistics.median(per_ping):.0f}"
                if per_ping
                else f"{statistics.median(r['idle_cpu_ms_per_s'] for r in quiet):.1f} | 0 | -"
            )
        else:
            idle = "- | - | -"
        lines.append(
            f"| {n} | {len(runs)} | {cpu(n, 'all'):.2f} | {cpu(n, 'propose'):.2f} "
            f"| {cpu(n, 'going'):.2f} | {shown} | {completion:.1f} | {foreign} | {resumes} "
            f"| {pings} | {idle} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[0, 1000, 5000])
    parser.add_argument("--changes", type=int, default=20, help="counted changes per run")
    parser.add_argument("--warmup", type=int, default=2, help="uncounted changes first")
    parser.add_argument("--reps", type=int, default=2, help="interleaved repetitions")
    parser.add_argument("--spacing", type=float, default=0.2, help="quiet seconds before a change")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after connecting")
    parser.add_argument(
        "--idle", type=float, default=0.0, help="seconds of a quiet board measured (pings)"
    )
    parser.add_argument("--port", type=int, default=9140)
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--server-cpus", default="1", help="taskset list ('' = no pinning)")
    parser.add_argument("--client-cpus", default="0", help="taskset list ('' = no pinning)")
    parser.add_argument(
        "--harness",
        default=os.environ.get("HARNESS", str(REPO.parent / "shared" / "bench")),
        help="the shared fan-out harness (default: $HARNESS or ../shared/bench)",
    )
    parser.add_argument("--out", default=None, help="JSON lines file (default: bench/results)")
    parser.add_argument("--table", nargs="*", help="only print the table of these result files")
    args = parser.parse_args(argv)
    if args.table is not None:
        results = [json.loads(line) for f in args.table for line in open(f)]  # noqa: SIM115
        print(table(results))
        return 0
    if args.client_cpus:
        os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})
    fanout = harness(Path(args.harness))
    out = Path(args.out or HERE / "results" / f"change-cpu-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for rep in range(args.reps):
        for n in args.clients:
            result = measure(args, n, rep, fanout)
            results.append(result)
            with out.open("a") as f:
                f.write(json.dumps(result) + "\n")
            print(
                f"N={n} rep={rep}: {result['all']['cpu_ms_mean']:.2f} ms CPU/change "
                f"(propose {result['propose']['cpu_ms_mean']:.2f}, going "
                f"{result['going']['cpu_ms_mean']:.2f}; "
                f"ticks {result['ticks_cpu_ms_per_change']:.1f}), "
                f"fan-out {result['all']['completion_ms_median']:.1f} ms, "
                f"others busy {result['foreign_busy_pct']}%",
                file=sys.stderr,
                flush=True,
            )
    print(table(results))
    print(f"\nraw: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
