"""
Webhooks through the real server: the JSON API and the desk register, list, pause,
re-key and remove them; changes made through the API reach a real receiver, signed as
the README says.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import AsyncIterator

import pytest_twisted

from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, slot_id
from tests.web.browsing import Browser
from tests.webhooks.receiver import Received, Receiver, receiving

HOOKS = f"/api/events/{SLUG}/webhooks"
DESK = f"/e/{SLUG}/desk"


@pytest_twisted.async_yield_fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as running:
        yield running


def signed_by(secret: str, request: Received, now: float) -> bool:
    """
    The README's recipe, written out as a receiver would: t and v1 from the header,
    HMAC-SHA256 of "t." + body with the secret, a timestamp within five minutes.
    """
    fields = dict(
        part.split("=", 1) for part in request.headers["x-openspace-signature"].split(",")
    )
    message = fields["t"].encode() + b"." + request.body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return abs(now - int(fields["t"])) <= 300 and hmac.compare_digest(expected, fields["v1"])


async def register(client: Client, url: str) -> dict[str, object]:
    reply = await client.post(HOOKS, {"url": url}, token=FACILITATOR_TOKEN)
    assert reply.status == 201, reply.body
    assert reply.headers["cache-control"] == "no-store"
    hook: dict[str, object] = reply.json["webhook"]
    return hook


@pytest_twisted.ensureDeferred
async def test_only_facilitators_manage_webhooks(client: Client) -> None:
    assert (await client.get(HOOKS)).status == 401
    edit_token = (await client.propose()).json["edit_token"]
    reply = await client.post(HOOKS, {"url": "https://example.org/"}, token=edit_token)
    assert reply.status == 403 and reply.json["error"]["code"] == "forbidden"
    reply = await client.get("/api/events/nope/webhooks", token=FACILITATOR_TOKEN)
    assert reply.status == 404
    assert (await client.get(HOOKS, token=FACILITATOR_TOKEN)).json == {"webhooks": []}


@pytest_twisted.ensureDeferred
async def test_only_http_and_https_urls_are_accepted(client: Client) -> None:
    refused = {
        "ftp://example.org/hook": "http:// or https://",
        "file:///etc/passwd": "http:// or https://",
        "javascript:alert(1)": "http:// or https://",
        "https://user:password@example.org/": "user or password",
        "https:///no-host": "host",
        "https://example.org/a b": "spaces",
        "https://example.org:99999/": "not a valid URL",
        "https://example.org/#top": "fragment",
        "https://example.org/" + "a" * 2000: "at most 2000",
        "": "required",
    }
    for url, reason in refused.items():
        reply = await client.post(HOOKS, {"url": url}, token=FACILITATOR_TOKEN)
        assert reply.status == 422, url
        assert reply.json["error"]["field"] == "url" and reason in reply.json["error"]["message"]
    reply = await client.post(HOOKS, {"url": 7}, token=FACILITATOR_TOKEN)
    assert reply.status == 422
    for number in range(10):
        await register(client, f"HTTPS://example.org/{number}")
    reply = await client.post(HOOKS, {"url": "https://example.org/11"}, token=FACILITATOR_TOKEN)
    assert reply.status == 422 and "at most 10" in reply.json["error"]["message"]


@pytest_twisted.ensureDeferred
async def test_a_registered_hook_gets_signed_changes_and_its_secret_only_once(
    server: RunningServer, client: Client, receiver: Receiver
) -> None:
    hook = await register(client, receiver.url)
    secret = str(hook["secret"])
    assert secret.startswith("whsec_") and hook["status"] == "active"
    listed = (await client.get(HOOKS, token=FACILITATOR_TOKEN)).json["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert (
        secret
        not in (await client.get(f"{HOOKS}/{hook['id']}", token=FACILITATOR_TOKEN)).body.decode()
    )

    arrived = receiver.script.next_arrival()
    proposed = await client.propose(title="Hooks for everyone", hour=13)
    request = await arrived
    assert signed_by(secret, request, server.clock.seconds())
    (event,) = request.json["events"]
    assert event["type"] == "session_proposed" and event["seq"] == hook["acked_seq"] + 1
    assert event["put"]["sessions"][0]["title"] == "Hooks for everyone"
    assert proposed.json["edit_token"] not in request.body.decode()

    # A new secret: what follows is signed with it, and not with the old one.
    reply = await client.post(f"{HOOKS}/{hook['id']}/secret", token=FACILITATOR_TOKEN)
    new_secret = reply.json["webhook"]["secret"]
    assert reply.status == 200 and new_secret != secret
    arrived = receiver.script.next_arrival()
    await client.propose(title="Second", hour=14)
    request = await arrived
    assert signed_by(new_secret, request, server.clock.seconds())
    assert not signed_by(secret, request, server.clock.seconds())


@pytest_twisted.ensureDeferred
async def test_a_paused_hook_resumes_where_it_stopped_and_a_removed_one_is_gone(
    client: Client, receiver: Receiver
) -> None:
    hook = await register(client, receiver.url)
    reply = await client.request("DELETE", f"{HOOKS}/{hook['id']}/enabled", token=FACILITATOR_TOKEN)
    assert reply.json["webhook"]["status"] == "disabled"
    assert reply.json["webhook"]["disabled_reason"] == "paused by a facilitator"
    for hour in (13, 14, 15):
        await client.propose(title=f"At {hour}", hour=hour)
    assert receiver.script.received == []
    arrived = receiver.script.next_arrival()
    reply = await client.request("PUT", f"{HOOKS}/{hook['id']}/enabled", token=FACILITATOR_TOKEN)
    assert reply.json["webhook"]["status"] == "active"
    first = int(str(hook["acked_seq"]))
    assert (await arrived).seqs == [first + 1, first + 2, first + 3]

    reply = await client.request("DELETE", f"{HOOKS}/{hook['id']}", token=FACILITATOR_TOKEN)
    assert reply.status == 204
    assert (await client.get(f"{HOOKS}/{hook['id']}", token=FACILITATOR_TOKEN)).status == 404
    reply = await client.request("DELETE", f"{HOOKS}/{hook['id']}", token=FACILITATOR_TOKEN)
    assert reply.status == 404
    await client.propose(title="Unheard", hour=16)
    assert len(receiver.script.received) == 1


async def signed_in(client: Client) -> Browser:
    browser = Browser(client)
    await browser.get(DESK)
    assert (await browser.post(f"{DESK}/signin", {"token": FACILITATOR_TOKEN})).status == 303
    await browser.get(DESK)
    return browser


@pytest_twisted.ensureDeferred
async def test_the_desk_adds_lists_and_removes_webhooks(
    server: RunningServer, client: Client, receiver: Receiver
) -> None:
    stranger = Browser(client)
    await stranger.get(DESK)
    reply = await stranger.post(f"{DESK}/webhooks", {"add": "1", "webhook_url": receiver.url})
    assert reply.status == 403

    browser = await signed_in(client)
    reply = await browser.post(f"{DESK}/webhooks", {"add": "1", "webhook_url": "ftp://x.org/"})
    assert reply.status == 422
    assert "url must start with http:// or https://" in html.unescape(browser.text())

    reply = await browser.post(f"{DESK}/webhooks", {"add": "1", "webhook_url": receiver.url})
    assert reply.status == 200 and reply.headers["cache-control"] == "no-store"
    found = re.search(r'id="webhook-secret"[^>]*>(whsec_[0-9a-f]+)<', browser.text())
    assert found is not None
    secret = found.group(1)
    page = (await browser.get(DESK)).body.decode()
    assert receiver.url in page and "Active" in page and secret not in page

    arrived = receiver.script.next_arrival()
    await browser.post(f"{DESK}/cells", {"block": f"r1/{slot_id(12)}"})
    assert signed_by(secret, await arrived, server.clock.seconds())
    await browser.get(DESK)

    (listed,) = (await client.get(HOOKS, token=FACILITATOR_TOKEN)).json["webhooks"]
    reply = await browser.post(f"{DESK}/webhooks", {"pause": str(listed["id"])})
    assert reply.status == 303
    page = (await browser.get(DESK)).body.decode()
    assert "Disabled: </strong>paused by a facilitator" in page and ">Enable<" in page
    reply = await browser.post(f"{DESK}/webhooks", {"remove": str(listed["id"])})
    assert reply.status == 303
    assert "No webhooks yet." in (await browser.get(DESK)).body.decode()
