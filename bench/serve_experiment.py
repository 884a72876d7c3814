"""
C{openspace serve} with switches for benchmark experiments (not product options):

    --no-gc-freeze skip the gc.freeze() that the server does once it listens (what
                   start-up allocated moves to the permanent generation, so full
                   collections stop walking it), to measure what it brings
    --plain-send   send frames with Autobahn's sendPreparedMessage (always queued in
                   the transport) instead of the product's direct send, to measure
                   what the direct send brings
    --gc-log       print every garbage collection pass that takes more than 5 ms
    --gc-threshold=A,B,C
                   gc.set_threshold(A, B, C) before start-up, to measure what fewer
                   collections bring to a connect storm
    --no-quotas    lift the board's quotas (a benchmark publishes every meetup at one
                   place, from nobody in particular)

Every other argument goes to C{openspace serve}.
"""

from __future__ import annotations

import gc
import sys
import time

from openspace import board, cli
from openspace.web.live import LiveProtocol

SWITCHES = ("--no-gc-freeze", "--plain-send", "--gc-log", "--no-quotas")


def log_slow_collections(threshold: float = 0.005) -> None:
    started: list[float] = []

    def observe(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
            return
        took = time.perf_counter() - (started[0] if started else time.perf_counter())
        if took > threshold:
            print(
                f"gc gen{info['generation']} {took * 1e3:.1f} ms collected={info['collected']}",
                file=sys.stderr,
                flush=True,
            )

    gc.callbacks.append(observe)


def main(argv: list[str]) -> int:
    rest = [a for a in argv if a not in SWITCHES and not a.startswith("--gc-threshold=")]
    for a in argv:
        if a.startswith("--gc-threshold="):
            gc.set_threshold(*(int(x) for x in a.split("=", 1)[1].split(",")))
    if "--gc-log" in argv:
        log_slow_collections()
    if "--plain-send" in argv:
        LiveProtocol.send_frame = LiveProtocol.sendPreparedMessage  # type: ignore[method-assign]
    if "--no-quotas" in argv:
        for quota in ("MEETUPS_PER_PLACE", "MEETUPS_PER_OWNER", "SESSIONS_PER_KEY"):
            setattr(board, quota, 10**9)
    if "--no-gc-freeze" in argv:
        gc.freeze = lambda: None
    return cli.main(["serve", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
