"""
Idempotent writes on PostgreSQL with two nodes: a key used on one node is honoured on
the other, and simultaneous requests with one key on both are carried out once.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from tests.idempotent import (
    a_different_request_with_the_key_is_422,
    concurrent_replays_execute_once,
    replays_give_the_first_reply,
)
from tests.support import Client

pytestmark = pytest.mark.postgres


@pytest_twisted.ensureDeferred
async def test_replays_on_either_node_give_the_first_reply(clients: list[Client]) -> None:
    await replays_give_the_first_reply(clients)


@pytest_twisted.ensureDeferred
async def test_concurrent_replays_on_two_nodes_execute_once(clients: list[Client]) -> None:
    await concurrent_replays_execute_once(clients, 20)


@pytest_twisted.ensureDeferred
async def test_a_different_request_with_the_key_is_422(clients: list[Client]) -> None:
    await a_different_request_with_the_key_is_422(clients[1])
