"""
Edit keys are compared in constant time, like every other secret.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

import pytest
import pytest_twisted

from openspace.tokens import digest
from tests.support import SLUG, Client, slot_id
from tests.web.browsing import Browser

Compared = list[tuple[object, object]]


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Compared:
    calls: Compared = []
    real: Callable[..., bool] = hmac.compare_digest

    def spy(a: object, b: object) -> bool:
        calls.append((a, b))
        return real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


def saw(calls: Compared, owner: str) -> bool:
    return any(owner in pair for pair in calls)


async def proposed(client: Client) -> tuple[str, str]:
    body = {"title": "Keys", "host": "Ann", "room": "r1", "slot": slot_id(12)}
    reply = await client.post(f"/api/events/{SLUG}/sessions", body)
    return reply.json["edit_token"], reply.json["session"]["id"]


@pytest_twisted.ensureDeferred
async def test_the_api_compares_edit_keys_with_compare_digest(
    client: Client, compared: Compared
) -> None:
    key, session = await proposed(client)
    compared.clear()
    path = f"/api/events/{SLUG}/sessions/{session}"
    assert (await client.request("PATCH", path, {"title": "K"}, token=key)).status == 200
    assert saw(compared, digest(key))
    compared.clear()
    assert (await client.request("PATCH", path, {"title": "K"}, token="x" * 32)).status == 403
    assert saw(compared, digest(key))


@pytest_twisted.ensureDeferred
async def test_the_pages_compare_edit_keys_with_compare_digest(
    client: Client, compared: Compared
) -> None:
    key, session = await proposed(client)
    compared.clear()
    browser = Browser(client)
    assert (await browser.get(f"/e/{SLUG}/s/{session}/edit?key={key}")).status == 303
    assert saw(compared, digest(key))
    assert "os_edit" in browser.cookies
    compared.clear()
    assert (await browser.get(f"/e/{SLUG}/s/{session}/edit")).status == 200
    assert saw(compared, digest(key))
