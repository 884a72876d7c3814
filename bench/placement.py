"""
How long a placement suggestion takes, next to a baseline measured in the same run.

The board: 30 rooms (10 to 200 seats) × 20 half-hour slots, nine cells in ten taken,
0 to 220 people going per session (seeded, so every run sees the same board).  The
baseline is the plain optimum of the fit, ignoring every rule: per slot, the sessions
sorted by people going matched to the rooms sorted by seats.  L{suggest} keeps the
rules (freeze, blocked and official-talk cells, hidden sessions), moves nothing without
a reason, and is what the desk and C{GET …/placement?day=} run, off the reactor.

Run: C{.venv/bin/python bench/placement.py}
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from openspace.model import Board, EventInfo, Room, Session, Slot
from openspace.placement import going_demand, seated, suggest

START = datetime(2030, 5, 15, 6, 0, tzinfo=UTC)
RUNS = 7


def busy_board() -> Board:
    chance = random.Random(1)
    rooms = tuple(Room(f"r{i}", f"Room {i}", chance.randint(10, 200)) for i in range(30))
    slots = tuple(
        Slot(
            f"s{h}",
            START + timedelta(hours=2, minutes=30 * h),
            START + timedelta(hours=2, minutes=30 * h + 30),
        )
        for h in range(20)
    )
    sessions = {}
    for slot in slots:
        for room in rooms:
            if chance.random() < 0.9:
                sid = f"x{len(sessions)}"
                going = frozenset(f"a{n}" for n in range(chance.randint(0, 220)))
                sessions[sid] = Session(sid, "t", "", "h", (), room.id, slot.id, "o", going)
    return Board(EventInfo("bench", "Bench", "UTC"), 1, START, rooms, slots, sessions=sessions)


def sorted_optimum(board: Board) -> int:
    demand = going_demand(board)
    total = 0
    for slot in board.slots:
        wanted = sorted(
            (demand[s.id] for s in board.sessions.values() if s.slot == slot.id), reverse=True
        )
        seats = sorted(board.rooms, key=lambda r: r.capacity or 0, reverse=True)
        total += sum(seated(d, room) for d, room in zip(wanted, seats, strict=False))
    return total


def timed(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    board = busy_board()
    slot_ids = [slot.id for slot in board.slots]
    plan = suggest(board, START, slot_ids)
    baseline = timed(lambda: sorted_optimum(board))
    ours = timed(lambda: suggest(board, START, slot_ids))
    optimum = sorted_optimum(board)
    print(f"board: {len(board.sessions)} sessions, 30 rooms x 20 slots, median of {RUNS}")
    print(f"baseline (sorted optimum, no rules): {baseline * 1000:7.1f} ms, fit {optimum}")
    print(
        f"suggest (rules, fewest moves):       {ours * 1000:7.1f} ms, fit {plan.fit_after} "
        f"(from {plan.fit_before}), {len(plan.moves)} moves"
    )
    print(
        f"ratio: {ours / baseline:.0f}x the time; {plan.fit_after / optimum:.1%} of the optimum fit"
    )


if __name__ == "__main__":
    main()
