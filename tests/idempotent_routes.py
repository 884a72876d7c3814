"""
Every write of the JSON API honours an Idempotency-Key: the writes are read from the
OpenAPI document, each has a case here (a test fails when a new write has none), and
each case proves, through the real server, that the same key and request give the
first reply (status and body) without being carried out again, and that the key with
another request is refused with 422.  Run on SQLite (tests/web/test_idempotent_routes.py)
and on PostgreSQL with two nodes (tests/postgres/test_idempotent_routes.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from attrs import frozen

from openspace.web.openapi import OPENAPI
from tests.idempotent import new_key
from tests.support import FACILITATOR_TOKEN, SLUG, Client, Reply, RunningServer, slot_id
from tests.web.browsing import Browser

API = f"/api/events/{SLUG}"
WRITES = ("post", "put", "patch", "delete")
RECEIVER = "https://receiver.example.org/hook"


@frozen
class Call:
    """
    One write request, ready to send.
    """

    method: str
    path: str
    body: dict[str, Any] | None = None
    token: str | None = FACILITATOR_TOKEN

    def other(self) -> Call:
        """
        The same request with another body: with the same key, it must be refused.
        """
        return Call(self.method, self.path, {**(self.body or {}), "other": True}, self.token)


Setup = Callable[[Client], Awaitable[Call]]


def documented_writes() -> set[tuple[str, str]]:
    """
    Every write operation of the OpenAPI document, as (method, path template).
    """
    return {
        (method.upper(), path)
        for path, item in OPENAPI["paths"].items()
        for method in item
        if method in WRITES
    }


def takes_the_key(method: str, template: str) -> bool:
    parameters = OPENAPI["paths"][template][method.lower()].get("parameters", [])
    return any(p.get("name") == "Idempotency-Key" for p in parameters)


async def send(client: Client, call: Call, key: str) -> Reply:
    headers = {"Idempotency-Key": key}
    return await client.request(
        call.method, call.path, call.body, token=call.token, headers=headers
    )


def shown(reply: Reply) -> Any:
    return reply.json if reply.body else None


async def replayed_after_a_restart(
    start: Callable[[], Awaitable[RunningServer]], case: tuple[str, str]
) -> None:
    """
    C{case}'s write with a key on a server that is then stopped, sent again to a new
    server on the same database: the first reply, as a replay.
    """
    first = await start()
    try:
        async with Client.open(first.url) as client:
            call = await CASES[case](client)
            key = new_key()
            sent = await send(client, call, key)
            assert 200 <= sent.status < 300, sent.body
    finally:
        await first.stop()
    second = await start()
    try:
        async with Client.open(second.url) as client:
            again = await send(client, call, key)
            assert (again.status, shown(again)) == (sent.status, shown(sent))
            assert again.headers["idempotent-replayed"] == "true"
    finally:
        await second.stop()


async def seq(client: Client) -> int:
    found: int = (await client.get(f"{API}/board")).json["seq"]
    return found


async def honours_the_key(clients: Sequence[Client], call: Call) -> tuple[str, Reply]:
    """
    C{call} with a new key, then again through every client: the first reply each
    time, marked as a replay, and nothing more done; then the key with another body is
    refused.  Gives the key and the first reply.
    """
    key = new_key()
    first = await send(clients[0], call, key)
    assert 200 <= first.status < 300, (call, first.status, first.body[:300])
    assert "idempotent-replayed" not in first.headers, call
    after = await seq(clients[0])
    for client in clients:
        for _ in range(2):
            again = await send(client, call, key)
            assert (again.status, shown(again)) == (first.status, shown(first)), call
            assert again.headers.get("idempotent-replayed") == "true", call
    assert await seq(clients[-1]) == after, call
    other = await send(clients[-1], call.other(), key)
    assert other.status == 422, (call, other.status, other.body[:300])
    assert other.json["error"]["code"] == "idempotency_key_reused", call
    return key, first


# --- what each write needs first ---


def _then_delete(put: Setup) -> Setup:
    """
    The DELETE that undoes C{put}'s PUT, once that was done.
    """

    async def setup(client: Client) -> Call:
        call = await put(client)
        assert (await client.request("PUT", call.path, token=FACILITATOR_TOKEN)).status == 200
        return Call("DELETE", call.path)

    return setup


async def _session(client: Client, hour: int = 12, room: str = "r1") -> str:
    proposed = await client.propose(room=room, hour=hour)
    assert proposed.status == 201, proposed.body
    found: str = proposed.json["session"]["id"]
    return found


async def _meetup(client: Client) -> tuple[str, str]:
    started = await client.post(f"{API}/meetups", {"title": "Coffee", "place": "Lobby"})
    assert started.status == 201, started.body
    return started.json["meetup"]["id"], started.json["edit_token"]


async def _hook(client: Client) -> str:
    made = await client.post(f"{API}/webhooks", {"url": RECEIVER}, token=FACILITATOR_TOKEN)
    assert made.status == 201, made.body
    found: str = made.json["webhook"]["id"]
    return found


async def _feed(client: Client) -> str:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/calendar")
    await browser.post(f"/e/{SLUG}/calendar", {"stars": "[]"})
    found = re.search(r"my\.ics\?token=([A-Za-z0-9_-]+)", browser.text())
    assert found, browser.text()[:300]
    return found.group(1)


async def _propose(client: Client) -> Call:
    body = {"title": "Offline talk", "host": "Ann Host", "room": "r2", "slot": slot_id(14)}
    return Call("POST", f"{API}/sessions", body, token=None)


async def _edit(client: Client) -> Call:
    return Call("PATCH", f"{API}/sessions/{await _session(client)}", {"title": "Renamed"})


async def _cancel(client: Client) -> Call:
    return Call("DELETE", f"{API}/sessions/{await _session(client)}")


async def _swap(client: Client) -> Call:
    first, second = await _session(client, 12), await _session(client, 13, "r2")
    return Call("POST", f"{API}/swaps", {"first": first, "second": second})


async def _going(client: Client) -> Call:
    path = f"{API}/sessions/{await _session(client)}/going"
    return Call("POST", path, {"attendee": "abcdefgh12"}, token=None)


async def _not_going(client: Client) -> Call:
    call = await _going(client)
    assert (await client.post(call.path, call.body)).status == 200
    return Call("DELETE", call.path, call.body, token=None)


async def _start_meetup(client: Client) -> Call:
    return Call("POST", f"{API}/meetups", {"title": "Tea", "place": "Hall"}, token=None)


async def _edit_meetup(client: Client) -> Call:
    meetup, key = await _meetup(client)
    return Call("PATCH", f"{API}/meetups/{meetup}", {"title": "Coffee again"}, token=key)


async def _end_meetup_by_delete(client: Client) -> Call:
    meetup, key = await _meetup(client)
    return Call("DELETE", f"{API}/meetups/{meetup}", token=key)


async def _end_meetup(client: Client) -> Call:
    meetup, key = await _meetup(client)
    return Call("POST", f"{API}/meetups/{meetup}/end", token=key)


async def _hide_meetup(client: Client) -> Call:
    meetup, _ = await _meetup(client)
    return Call("PUT", f"{API}/meetups/{meetup}/hidden")


async def _block(client: Client) -> Call:
    return Call("PUT", f"{API}/blocked/r4/{slot_id(15)}")


async def _hide(client: Client) -> Call:
    return Call("PUT", f"{API}/sessions/{await _session(client)}/hidden")


async def _undo(client: Client) -> Call:
    await _session(client)
    return Call("POST", f"{API}/undo", {"count": 1})


async def _report(client: Client) -> Call:
    body = {"item": await _session(client), "attendee": "reporter-1", "reason": "spam"}
    return Call("POST", f"{API}/reports", body, token=None)


async def _dismiss(client: Client) -> Call:
    report = await _report(client)
    assert (await client.post(report.path, report.body)).status == 202
    assert report.body is not None
    return Call("DELETE", f"{API}/reports/{report.body['item']}?hide=1")


async def _moderation(client: Client) -> Call:
    return Call("PUT", f"{API}/moderation", {"auto_hide": 3, "freeze_minutes": 20})


async def _block_many(client: Client) -> Call:
    return Call("POST", f"{API}/blocked", {"room": "r4"})


async def _hide_many(client: Client) -> Call:
    return Call("POST", f"{API}/hidden", {"sessions": [await _session(client)]})


async def _placement(client: Client) -> Call:
    session = await _session(client, 16, "r3")
    move = {"session": session, "from": "r3", "to": "r1"}
    return Call("POST", f"{API}/placement", {"moves": [move]})


async def _register_hook(client: Client) -> Call:
    return Call("POST", f"{API}/webhooks", {"url": RECEIVER})


def _on_hook(method: str, suffix: str = "") -> Setup:
    """
    C{method} on a hook registered first (C{suffix}: the route below the hook).
    """

    async def setup(client: Client) -> Call:
        return Call(method, f"{API}/webhooks/{await _hook(client)}{suffix}")

    return setup


async def _star(client: Client) -> Call:
    token = await _feed(client)
    return Call("PUT", f"/e/{SLUG}/calendar/stars", {"stars": [await _session(client)]}, token)


async def _revoke_feed(client: Client) -> Call:
    return Call("DELETE", f"/e/{SLUG}/calendar", token=await _feed(client))


CASES: dict[tuple[str, str], Setup] = {
    ("POST", "/api/events/{slug}/sessions"): _propose,
    ("PATCH", "/api/events/{slug}/sessions/{session_id}"): _edit,
    ("DELETE", "/api/events/{slug}/sessions/{session_id}"): _cancel,
    ("POST", "/api/events/{slug}/swaps"): _swap,
    ("POST", "/api/events/{slug}/sessions/{session_id}/going"): _going,
    ("DELETE", "/api/events/{slug}/sessions/{session_id}/going"): _not_going,
    ("POST", "/api/events/{slug}/meetups"): _start_meetup,
    ("PATCH", "/api/events/{slug}/meetups/{meetup_id}"): _edit_meetup,
    ("DELETE", "/api/events/{slug}/meetups/{meetup_id}"): _end_meetup_by_delete,
    ("PUT", "/api/events/{slug}/blocked/{room}/{slot}"): _block,
    ("DELETE", "/api/events/{slug}/blocked/{room}/{slot}"): _then_delete(_block),
    ("PUT", "/api/events/{slug}/sessions/{session_id}/hidden"): _hide,
    ("DELETE", "/api/events/{slug}/sessions/{session_id}/hidden"): _then_delete(_hide),
    ("POST", "/api/events/{slug}/undo"): _undo,
    ("POST", "/api/events/{slug}/meetups/{meetup_id}/end"): _end_meetup,
    ("PUT", "/api/events/{slug}/meetups/{meetup_id}/hidden"): _hide_meetup,
    ("DELETE", "/api/events/{slug}/meetups/{meetup_id}/hidden"): _then_delete(_hide_meetup),
    ("POST", "/api/events/{slug}/reports"): _report,
    ("DELETE", "/api/events/{slug}/reports/{item}"): _dismiss,
    ("PUT", "/api/events/{slug}/moderation"): _moderation,
    ("POST", "/api/events/{slug}/blocked"): _block_many,
    ("POST", "/api/events/{slug}/hidden"): _hide_many,
    ("POST", "/api/events/{slug}/placement"): _placement,
    ("POST", "/api/events/{slug}/webhooks"): _register_hook,
    ("DELETE", "/api/events/{slug}/webhooks/{hook_id}"): _on_hook("DELETE"),
    ("PUT", "/api/events/{slug}/webhooks/{hook_id}/enabled"): _on_hook("PUT", "/enabled"),
    ("DELETE", "/api/events/{slug}/webhooks/{hook_id}/enabled"): _on_hook("DELETE", "/enabled"),
    ("POST", "/api/events/{slug}/webhooks/{hook_id}/secret"): _on_hook("POST", "/secret"),
    ("PUT", "/e/{slug}/calendar/stars"): _star,
    ("DELETE", "/e/{slug}/calendar"): _revoke_feed,
}

# Writes that are not board commands: they were the last to take the key, so they are
# also replayed across a restart.
BESIDE_THE_BOARD = sorted(case for case in CASES if "/webhooks" in case[1] or "/e/" in case[1])
