"""
Exactly one winner: 200 simultaneous claims of one free cell against the real server.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest_twisted
from twisted.internet.defer import Deferred, gatherResults

from tests.support import BURSTS_ALLOWED, SLUG, Client, Reply, slot_id, start_server

CLAIMS = 200


@pytest_twisted.ensureDeferred
async def test_two_hundred_claims_one_cell_one_winner(tmp_path: Path, now: datetime) -> None:
    server = await start_server(tmp_path / "claims.sqlite3", now, limits=BURSTS_ALLOWED)
    try:
        await _claim_one_cell(server.url)
    finally:
        await server.stop()


async def _claim_one_cell(url: str) -> None:
    async with Client.open(url) as client:
        client.pool.maxPersistentPerHost = CLAIMS

        async def claim(n: int) -> Reply:
            return await client.propose(room="r3", hour=16, title=f"Claim {n}")

        replies = await gatherResults([Deferred.fromCoroutine(claim(n)) for n in range(CLAIMS)])
        board = (await client.get(f"/api/events/{SLUG}/board")).json
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [201] + [409] * (CLAIMS - 1)
    holders = [s for s in board["sessions"] if (s["room"], s["slot"]) == ("r3", slot_id(16))]
    assert len(holders) == 1
    winner = next(r for r in replies if r.status == 201).json["session"]["id"]
    assert holders[0]["id"] == winner
    assert {r.json["error"]["details"]["session"] for r in replies if r.status == 409} == {winner}
