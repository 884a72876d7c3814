"""
Every write of the JSON API honours an Idempotency-Key on PostgreSQL: replayed on
either of two nodes with its first reply and carried out once; the writes beside the
board also after the node that carried them out was stopped and another started.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from tests.conftest import NOW
from tests.idempotent_routes import (
    BESIDE_THE_BOARD,
    CASES,
    honours_the_key,
    replayed_after_a_restart,
)
from tests.support import Client, start_server

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("case", sorted(CASES), ids=" ".join)
@pytest_twisted.ensureDeferred
async def test_a_write_honours_the_key_on_two_nodes(
    clients: list[Client], case: tuple[str, str]
) -> None:
    await honours_the_key(clients, await CASES[case](clients[0]))


@pytest.mark.parametrize("case", BESIDE_THE_BOARD, ids=" ".join)
@pytest_twisted.ensureDeferred
async def test_a_write_is_replayed_after_a_restart(
    pg_store: object, pg_url: str, case: tuple[str, str]
) -> None:
    await replayed_after_a_restart(lambda: start_server(pg_url, NOW), case)  # type: ignore[arg-type]
