"""
The kiosk and the door screen over HTTP.
"""

from __future__ import annotations

import re

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, utc
from tests.web.browsing import raw_get


@pytest_twisted.ensureDeferred
async def test_kiosk_shows_now_and_next_per_room_and_a_qr_code(client: Client) -> None:
    await client.propose(room="r1", hour=11, title="Right now")
    await client.propose(room="r1", hour=12, title="Coming up")
    reply = await client.get(f"/e/{SLUG}/kiosk")
    page = reply.body.decode()
    assert reply.status == 200
    assert "frame-ancestors" not in reply.headers["content-security-policy"]
    assert "x-frame-options" not in reply.headers
    assert re.search(r'<time datetime="2030-05-15T11:30:00\+02:00">11:30</time>', page)
    r1 = page[page.index('data-room="r1"') : page.index('data-room="r2"')]
    # How full comes first: a long title may be clamped on the screen.
    roomy = '<span class="fill" data-fill="roomy">Roomy</span> '
    assert f"Now</span>{roomy}<strong>Right now</strong> — Ann Host</p>" in r1
    assert f"Next 12:00</span>{roomy}<strong>Coming up</strong>" in r1
    r2 = page[page.index('data-room="r2"') :]
    assert "Now</span>Free" in r2
    assert 'class="qr" src="data:image/svg+xml' in page
    assert 'data-refresh="20"' in page and 'data-rotate="12"' in page
    assert (await client.get(f"/e/{SLUG}/kiosk?refresh=1")).body.count(b'data-refresh="2"') == 1


@pytest_twisted.ensureDeferred
async def test_door_screen_offers_the_next_free_slot(server: RunningServer, client: Client) -> None:
    await client.propose(room="r2", hour=11, title="Busy now")
    await client.propose(room="r2", hour=12, title="Busy next")
    page = (await client.get(f"/e/{SLUG}/kiosk?room=r2")).body.decode()
    assert "Room Two" in page and "Busy now" in page and "Busy next" in page
    assert "Free from 13:00" in page and "scan to claim" in page
    uris = re.findall(r'src="(data:image/svg\+xml[^"]+)"', page)
    assert len(uris) == 2
    server.set_now(utc(13, 10))
    page = (await client.get(f"/e/{SLUG}/kiosk?room=r2")).body.decode()
    assert "Free now" in page
    assert (await client.get(f"/e/{SLUG}/kiosk?room=nope")).status == 404
    # The QR code never changes: the claim link picks the next free slot when scanned.
    assert 'alt="QR code: propose a session in this room"' in page
    reply = await raw_get(client, f"/e/{SLUG}/claim/r2", {})
    assert reply.status == 303
    assert re.search(
        r"/e/conf/propose\?room=r2&slot=\d{4}-\d\d-\d\d-1300$", reply.headers["location"]
    )
