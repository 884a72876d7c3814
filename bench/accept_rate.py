#!/usr/bin/env python3
"""
WebSocket connections accepted per second: openspace next to raw Autobahn and
`websockets`, from the result files of bench/run_board_fanout.sh (the shared harness
opens N connections, at most 64 handshakes in flight, before every run's publishes).

    bench/accept_rate.py bench/results/fanout-*.jsonl

Per server and N, medians over runs: connections per second (wall clock, the client
waiting for each 101 and the opening frame), and the server's own CPU per accepted
connection (which other load on a shared machine disturbs far less than the wall clock),
then openspace's ratios to the baselines of the same runs.  "10,000 back in" is how long
10,000 screens take to be live again at that rate.  Standard library only.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from typing import Any

PRODUCT = "openspace"
BASELINES = ("autobahn", "websockets")


def load(paths: list[str]) -> list[dict[str, Any]]:
    runs = []
    for path in paths:
        with open(path) as f:
            runs.extend(json.loads(line) for line in f if line.strip())
    return [r for r in runs if r.get("opened")]


def summary(runs: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, float]]:
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        grouped[(r["label"], r["n"])].append(r)
    out = {}
    for key, rs in grouped.items():
        out[key] = {
            "runs": len(rs),
            "rate": statistics.median(r["connect_rate_per_s"] for r in rs),
            "low": min(r["connect_rate_per_s"] for r in rs),
            "high": max(r["connect_rate_per_s"] for r in rs),
            "cpu_us": statistics.median(
                1e6 * r["server_cpu_connect_s"] / r["opened"] for r in rs
            ),
        }
    return out


def main(paths: list[str]) -> int:
    table = summary(load(paths))
    labels = [label for label in (*BASELINES, PRODUCT) if any(k[0] == label for k in table)]
    labels += sorted({k[0] for k in table} - set(labels))
    print("| server | N | runs | connects/s (median) | range | server CPU µs/connect "
          "| 10,000 back in s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in sorted({k[1] for k in table}):
        for label in labels:
            s = table.get((label, n))
            if s is None:
                continue
            spread = f"{s['low']:.0f}–{s['high']:.0f}"
            print(f"| {label} | {n} | {s['runs']} | {s['rate']:.0f} | {spread} "
                  f"| {s['cpu_us']:.0f} | {10000 / s['rate']:.1f} |")
    print()
    print(f"Ratios, {PRODUCT} ÷ baseline (connects/s: ≥ 1 is better; CPU/connect: ≤ 1 is "
          "better):")
    print()
    print("| N | connects/s ÷ autobahn | connects/s ÷ websockets | CPU/connect ÷ autobahn "
          "| CPU/connect ÷ websockets |")
    print("|---:|---:|---:|---:|---:|")
    for n in sorted({k[1] for k in table}):
        mine = table.get((PRODUCT, n))
        if mine is None:
            continue
        cells = []
        for field in ("rate", "cpu_us"):
            for base in BASELINES:
                other = table.get((base, n))
                cells.append(f"{mine[field] / other[field]:.2f}" if other else "-")
        print(f"| {n} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
