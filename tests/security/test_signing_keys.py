"""
No copy of the data signs a facilitator's cookie: the desk cookie's and the CSRF keys
come from a secret that neither the database nor an export holds, and a facilitator's
Bearer token never becomes an edit key.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest_twisted

from openspace.cli import export
from openspace.tokens import MIN_TOKEN_LENGTH, FacilitatorKey
from tests.support import FACILITATOR_TOKEN, SLUG, Client, Reply, RunningServer, slot_id
from tests.web.browsing import Browser

DESK = f"/e/{SLUG}/desk"
FAR_FUTURE = 4_000_000_000
WORDS = re.compile(r"[A-Za-z0-9_\-=+/.]{12,}")


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def candidate_keys(value: str) -> Iterator[bytes]:
    """
    Every way a stored value could have been turned into a signing key.
    """
    raw = value.encode()
    yield raw
    yield hmac.new(raw, b"desk-session", "sha256").digest()
    yield hashlib.sha256(raw).digest()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        yield bytes.fromhex(value)
    if len(value.strip()) >= MIN_TOKEN_LENGTH:
        yield FacilitatorKey.from_token(value).derive("desk-session")


async def propose(client: Client, room: str, hour: int, token: str | None = None) -> Reply:
    body = {"title": "A session", "host": "Ann Host", "room": room, "slot": slot_id(hour)}
    return await client.post(f"/api/events/{SLUG}/sessions", body, token=token)


def forged_cookie(key: bytes) -> str:
    payload = f"0011223344556677.{FAR_FUTURE}"
    return f"{payload}.{hmac.digest(key, payload.encode(), 'sha256').hex()}"


async def desk_with(client: Client, cookie: str) -> bool:
    reply = await client.get(DESK, headers={"Cookie": f"os_desk={cookie}"})
    return "Sign out" in reply.body.decode()


@pytest_twisted.ensureDeferred
async def test_the_facilitator_token_never_becomes_an_edit_key(client: Client) -> None:
    reply = await propose(client, "r1", 12, FACILITATOR_TOKEN)
    assert reply.status == 201, reply.json
    assert FACILITATOR_TOKEN not in reply.body.decode()
    key = reply.json["edit_token"]
    assert key != FACILITATOR_TOKEN
    # The minted key is a normal host key: it owns the session it came with.
    session = reply.json["session"]["id"]
    edit = await client.request(
        "PATCH", f"/api/events/{SLUG}/sessions/{session}", {"title": "Mine"}, token=key
    )
    assert edit.status == 200, edit.json


async def leave_traces(client: Client) -> None:
    """
    Everything a facilitator and hosts can leave in the data.
    """
    assert (await propose(client, "r1", 12, FACILITATOR_TOKEN)).status == 201
    host = await propose(client, "r2", 13)
    assert host.status == 201
    assert (await propose(client, "r3", 14, host.json["edit_token"])).status == 201
    going = {"attendee": "attendee-0123456789"}
    path = f"/api/events/{SLUG}/sessions/{host.json['session']['id']}/going"
    assert (await client.post(path, going)).status == 200
    block = await client.request(
        "PUT", f"/api/events/{SLUG}/blocked/r1/{slot_id(15)}", token=FACILITATOR_TOKEN
    )
    assert block.status == 200
    browser = Browser(client)
    await browser.get(DESK)
    assert (await browser.post(f"{DESK}/signin", {"token": FACILITATOR_TOKEN})).status == 303


async def stored_values(db: str, dump: str) -> set[str]:
    """
    Every value of a full export of the event and of a dump of its database.
    """
    from twisted.internet import reactor

    out = io.StringIO()
    assert await export(reactor, db, SLUG, out) == 0
    values = set(strings(json.loads(out.getvalue())))
    values.update(WORDS.findall(dump))
    for text in list(values):
        values.update(WORDS.findall(text))
    return values


async def assert_none_signs(client: Client, values: set[str]) -> None:
    # The control: a cookie signed with the right key gets in, so the check can fail.
    right = FacilitatorKey.from_token(FACILITATOR_TOKEN).derive("desk-session")
    assert await desk_with(client, forged_cookie(right))
    assert FACILITATOR_TOKEN not in values
    forged = {forged_cookie(key) for value in values for key in candidate_keys(value)}
    assert len(forged) > 50
    signs = [cookie for cookie in sorted(forged) if await desk_with(client, cookie)]
    assert signs == []


@pytest_twisted.ensureDeferred
async def test_no_value_in_an_export_or_a_dump_signs_a_desk_cookie(
    server: RunningServer, client: Client
) -> None:
    await leave_traces(client)
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:
        dump = "\n".join(db.iterdump())
    await assert_none_signs(client, await stored_values(str(server.db), dump))
