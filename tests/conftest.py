"""
Fixtures shared by the whole suite: a real server on a free port, and its clients.

Nothing here imports the reactor at module level: pytest-twisted installs it first.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_twisted

from tests.support import FACILITATOR_TOKEN, Client, RunningServer, start_server

# A fixed "now" inside the test event's slots (see tests/support.py).
NOW = datetime(2030, 5, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest_twisted.async_yield_fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    running = await start_server(tmp_path / "board.sqlite3", NOW)
    yield running
    await running.stop()


@pytest_twisted.async_yield_fixture
async def client(server: RunningServer) -> AsyncIterator[Client]:
    async with Client.open(server.url) as opened:
        yield opened


@pytest.fixture
def facilitator_token() -> str:
    return FACILITATOR_TOKEN


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
