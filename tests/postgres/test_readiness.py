"""
C{/readyz} on a PostgreSQL node: not ready while its database refuses connections,
ready again once it takes them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
import pytest_twisted
from psycopg import sql

from openspace.store.postgres import POOL_SIZE
from tests.conftest import NOW
from tests.postgres.conftest import SERVER
from tests.support import Client, start_server


def allow_connections(pg_url: str, allowed: bool) -> None:
    name = urlsplit(pg_url).path.lstrip("/")
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(name), sql.Literal(allowed)
            )
        )
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


@pytest_twisted.ensureDeferred
async def test_readyz_follows_the_database(pg_store: object, pg_url: str) -> None:
    server = await start_server(pg_url, NOW)  # type: ignore[arg-type]
    try:
        async with Client.open(server.url) as client:
            assert (await client.get("/readyz")).status == 200
            allow_connections(pg_url, False)
            # Each pooled connection fails once as terminated, then cannot come back.
            findings = [await client.get("/readyz") for _ in range(POOL_SIZE + 1)]
            assert {reply.status for reply in findings} == {503}
            assert all(reply.json["ready"] is False for reply in findings)
            assert all(
                reply.json["checks"]["database"].startswith("unreachable (") for reply in findings
            )
            assert findings[-1].json["checks"] == {"database": "unreachable (OperationalError)"}
            # The process itself is fine: load balancers keep it, but send it nothing.
            assert (await client.get("/healthz")).status == 200
            allow_connections(pg_url, True)
            again = [(await client.get("/readyz")).status for _ in range(POOL_SIZE + 1)]
            assert again[-1] == 200
    finally:
        allow_connections(pg_url, True)
        await server.stop()
