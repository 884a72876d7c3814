"""
No copy of the data signs a facilitator's cookie or a form's CSRF token: their keys come
from a secret that neither the database nor an export holds, and a facilitator's Bearer
token never becomes an edit key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest_twisted

from openspace.cli import export
from openspace.tokens import MIN_TOKEN_LENGTH, FacilitatorKey
from tests.support import FACILITATOR_TOKEN, SLUG, Client, Reply, RunningServer, slot_id
from tests.web.browsing import Browser, send

DESK = f"/e/{SLUG}/desk"
FAR_FUTURE = 4_000_000_000
WORDS = re.compile(r"[A-Za-z0-9_\-=+/.]{12,}")
NONCE = "bm9uY2Utb2YtdGhlLXRlc3Q"


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


def candidate_keys(value: str, purpose: str) -> Iterator[bytes]:
    """
    Every way a stored value could have been turned into the signing key for C{purpose}.
    """
    raw = value.encode()
    yield raw
    yield hmac.new(raw, purpose.encode(), "sha256").digest()
    yield hashlib.sha256(raw).digest()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        yield bytes.fromhex(value)
    if len(value.strip()) >= MIN_TOKEN_LENGTH:
        yield FacilitatorKey.from_token(value).derive(purpose)


async def propose(client: Client, room: str, hour: int, token: str | None = None) -> Reply:
    body = {"title": "A session", "host": "Ann Host", "room": room, "slot": slot_id(hour)}
    return await client.post(f"/api/events/{SLUG}/sessions", body, token=token)


def forged_cookie(key: bytes) -> str:
    payload = f"0011223344556677.{FAR_FUTURE}"
    return f"{payload}.{hmac.digest(key, payload.encode(), 'sha256').hex()}"


async def desk_with(client: Client, cookie: str) -> bool:
    reply = await client.get(DESK, headers={"Cookie": f"os_desk={cookie}"})
    return "Sign out" in reply.body.decode()


def forged_csrf(key: bytes) -> str:
    """
    A form token for the nonce L{NONCE}, as the pages make them (unmasked: pad 0).
    """
    mac = hmac.digest(key, NONCE.encode(), "sha256")[:16]
    return base64.urlsafe_b64encode(bytes(16) + mac).decode().rstrip("=")


async def form_accepts(client: Client, session: str, token: str) -> bool:
    headers = {"Cookie": f"os_csrf={NONCE}", "Content-Type": "application/x-www-form-urlencoded"}
    form = urlencode({"join": session, "csrf": token}).encode()
    reply, _ = await send(client, "POST", f"/e/{SLUG}/going", headers, form)
    assert reply.status in (303, 403), reply.status
    return reply.status == 303


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
    """
    No value signs a desk cookie or a form's CSRF token the server takes.
    """
    assert FACILITATOR_TOKEN not in values
    key = FacilitatorKey.from_token(FACILITATOR_TOKEN)
    # The controls: signed with the right keys, both get in, so the checks can fail.
    assert await desk_with(client, forged_cookie(key.derive("desk-session")))
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    session = board["sessions"][0]["id"]
    assert await form_accepts(client, session, forged_csrf(key.derive("csrf")))
    cookies = {forged_cookie(k) for v in values for k in candidate_keys(v, "desk-session")}
    tokens = {forged_csrf(k) for v in values for k in candidate_keys(v, "csrf")}
    assert len(cookies) > 50 and len(tokens) > 50
    assert [c for c in sorted(cookies) if await desk_with(client, c)] == []
    assert [t for t in sorted(tokens) if await form_accepts(client, session, t)] == []


@pytest_twisted.ensureDeferred
async def test_no_value_in_an_export_or_a_dump_signs_a_desk_cookie(
    server: RunningServer, client: Client
) -> None:
    await leave_traces(client)
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:
        dump = "\n".join(db.iterdump())
    await assert_none_signs(client, await stored_values(str(server.db), dump))
