"""
No value of a PostgreSQL database (C{pg_dump}) or of an export from it signs a desk
cookie: the nodes' signing keys come from the facilitator token, which it never holds.
"""

from __future__ import annotations

import pytest_twisted
from twisted.internet.utils import getProcessOutputAndValue

from tests.conftest import NOW
from tests.security.test_signing_keys import assert_none_signs, leave_traces, stored_values
from tests.support import Client, start_server


@pytest_twisted.ensureDeferred
async def test_no_value_in_pg_dump_or_an_export_signs_a_desk_cookie(
    pg_store: object, pg_url: str
) -> None:
    server = await start_server(pg_url, NOW)  # type: ignore[arg-type]
    try:
        async with Client.open(server.url) as client:
            await leave_traces(client)
            out, err, code = await getProcessOutputAndValue(
                "pg_dump", ["--data-only", "--inserts", pg_url]
            )
            assert code == 0, err
            dump = out.decode()
            assert "INSERT INTO public.events" in dump
            await assert_none_signs(client, await stored_values(pg_url, dump))
    finally:
        await server.stop()
