"""
In real Chromium: an XSS corpus in every user field executes nowhere (axe-core on
every page: L{tests.browser.test_every_page}).
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_twisted

from openspace.commands import SYSTEM, SetLayout, StartMeetup
from openspace.model import EventInfo, Room
from tests.browser.conftest import BrowserThread, new_context, screenshot
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, conference_layout, utc

pytestmark = pytest.mark.browser

# Each payload would set window.__xss (or open a dialog) if it ever became markup.
CORPUS = (
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "'><svg onload=window.__xss=1>",
    "javascript:window.__xss=1",
    "</textarea><script>window.__xss=1</script>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe srcdoc='<script>parent.__xss=1</script>'>",
    "<<b>unclosed <i onmouseover=alert(1)",
    "{{7*7}} ${alert(1)} <!--",
)


def payload(n: int) -> str:
    return CORPUS[n % len(CORPUS)]


async def poison(server: RunningServer, client: Client) -> str:
    """
    Put the corpus in every field people type: the event's layout, sessions, meetups.
    """
    store = server.service.store
    assert store is not None
    base = conference_layout()
    rooms = tuple(
        Room(r.id, payload(i), r.capacity, payload(i + 1), payload(i + 2), r.kind)
        for i, r in enumerate(base.rooms)
    )
    info = EventInfo(SLUG, payload(3), base.info.timezone)
    await store.execute(
        SLUG, SetLayout(type(base)(info, rooms, base.slots, base.blocked)), SYSTEM, utc(11, 30)
    )
    edit_key = ""
    for n in range(len(CORPUS)):
        reply = await client.propose(
            room=("r1", "r2", "r3")[n % 3],
            hour=11 + n // 3,
            title=payload(n)[:120],
            description=payload(n + 1),
            host=payload(n + 2)[:80],
            tags=[payload(n + 3)[:30]],
        )
        assert reply.status == 201, reply.json
        edit_key = edit_key or reply.json["edit_token"]
    for n in range(3):
        await store.execute(
            SLUG, StartMeetup(payload(n), payload(n + 4)[:120], minutes=30), SYSTEM, utc(11, 30)
        )
    return str(edit_key)


def visit_all(browser: Any, base: str, edit_key: str) -> None:
    # CSP would stop most payloads anyway: switch it off to test the escaping itself.
    context = new_context(browser, bypass_csp=True, viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    context.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page = context.new_page()
    paths = [
        "/",
        f"/e/{SLUG}/",
        f"/e/{SLUG}/s/s2",
        f"/e/{SLUG}/propose",
        f"/e/{SLUG}/meetup",
        f"/e/{SLUG}/kiosk",
        f"/e/{SLUG}/kiosk?room=r1",
        f"/e/{SLUG}/s/s2/edit?key={edit_key}",
    ]
    for path in paths:
        page.goto(base + path)
        page.mouse.move(200, 300)
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("script:not([src])").count() == 0, path
    page.goto(f"{base}/e/{SLUG}/desk")
    page.get_by_label("Facilitator token").fill(FACILITATOR_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Recent changes (last 50)").wait_for()
    assert page.evaluate("window.__xss") is None
    page.goto(f"{base}/e/{SLUG}/")
    assert page.get_by_text(CORPUS[0]).first.is_visible()  # shown as text, literally
    screenshot(page, "board-xss")
    assert dialogs == []
    context.close()


@pytest_twisted.ensureDeferred
async def test_xss_corpus_in_every_user_field_executes_nowhere(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    edit_key = await poison(server, client)
    await browser.run(visit_all, server.url, edit_key)
