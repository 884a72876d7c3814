"""
A PostgreSQL database of its own for every test, on the server of this machine.

The server is the URL C{$OPENSPACE_TEST_POSTGRES} (default: user postgres on
127.0.0.1:5432, database C{test}, trust auth).  Each test gets a database of its own,
C{openspace_test_<random>}, dropped afterwards.  If the server cannot be reached the
tests are skipped, except under CI (C{CI=true}, or C{OPENSPACE_REQUIRE_POSTGRES=1} as
C{.ci/run} sets), where they fail: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import psycopg
import pytest
import pytest_twisted
from psycopg import sql

from openspace.store.postgres import postgres_store
from openspace.store.sql import SQLBoardStore
from tests.conftest import NOW, on_ci
from tests.support import BURSTS_ALLOWED, Client, RunningServer, start_server

SERVER = os.environ.get("OPENSPACE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(SERVER, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    try:
        with _admin():
            pass
    except psycopg.OperationalError as e:
        reason = f"PostgreSQL is unreachable ({e}); start it or set $OPENSPACE_TEST_POSTGRES"
        if on_ci() or os.environ.get("OPENSPACE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return SERVER


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """
    The URL of a new, empty database, dropped after the test.
    """
    name = f"openspace_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(postgres_server)._replace(path=f"/{name}").geturl()
    finally:
        with _admin() as admin:
            # FORCE ends the sessions a killed node or a failed test left behind.
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest_twisted.async_yield_fixture
async def pg_store(pg_url: str) -> AsyncIterator[SQLBoardStore]:
    """
    A migrated store on the test's database.
    """
    from twisted.internet import reactor

    store = postgres_store(pg_url, reactor)
    await store.migrate()
    yield store
    await store.close()


@pytest_twisted.async_yield_fixture
async def two_servers(pg_store: object, pg_url: str) -> AsyncIterator[list[RunningServer]]:
    """
    Two servers, each a node on the test's migrated database.
    """
    servers = [
        await start_server(pg_url, NOW, limits=BURSTS_ALLOWED)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    yield servers
    for server in servers:
        await server.stop()


@pytest_twisted.async_yield_fixture
async def clients(two_servers: list[RunningServer]) -> AsyncIterator[list[Client]]:
    """
    A client of each of the two servers, each allowed many connections at once.
    """
    async with AsyncExitStack() as stack:
        opened = [await stack.enter_async_context(Client.open(s.url)) for s in two_servers]
        for client in opened:
            client.pool.maxPersistentPerHost = 20
        yield opened
