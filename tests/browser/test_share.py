"""
A session page's share box, in real Chromium: the button opens the Web Share API's
sheet with the session's title and address where the browser has one, else copies the
address; the QR code, photographed as the page shows it (light, dark and printed),
decodes to the public address; without JavaScript the link and the code are there and
the button is not.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import pytest_twisted
import zxingcpp
from PIL import Image

from tests.browser.conftest import BrowserThread, new_context, screenshot
from tests.support import SLUG, Client, RunningServer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "Property-based testing, hands on"
# Records what the page asks to share: the browser's own sheet cannot be driven here.
SHARE_STUB = """
window.shared = [];
Object.defineProperty(navigator, "share", {
  value: (data) => { window.shared.push(data); return Promise.resolve(); }
});
"""


async def a_session(client: Client) -> str:
    reply = await client.propose(room="r1", hour=11, title=TITLE)
    assert reply.status == 201, reply.body
    return str(reply.json["session"]["id"])


def decoded(png: bytes) -> list[str]:
    """
    The texts of the QR codes in a screenshot.
    """
    image = Image.open(io.BytesIO(png)).convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.QRCode)]


def share_and_copy(browser: Any, base: str, path: str) -> None:
    url = base + path
    sharing = new_context(browser, viewport=PHONE)
    page = sharing.new_page()
    page.add_init_script(SHARE_STUB)
    page.goto(url)
    page.get_by_role("button", name="Share…").click()
    page.wait_for_function("window.shared.length === 1")
    assert page.evaluate("window.shared") == [{"title": TITLE, "url": url}]
    sharing.close()
    # Without the Web Share API (desktop browsers): the same button copies the address.
    copying = new_context(browser, viewport=PHONE)
    copying.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = copying.new_page()
    page.goto(url)
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    copying.close()


@pytest_twisted.ensureDeferred
async def test_the_share_button_shares_else_copies_the_address(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    session_id = await a_session(client)
    await browser.run(share_and_copy, server.url, f"/e/{SLUG}/s/{session_id}")


def photographed_codes(browser: Any, base: str, path: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for scheme in ("light", "dark"):
        context = new_context(browser, viewport=PHONE, color_scheme=scheme)
        page = context.new_page()
        page.goto(base + path)
        found[scheme] = decoded(page.locator(".share .qr").screenshot())
        if scheme == "light":
            page.emulate_media(media="print")
            found["print"] = decoded(page.screenshot(full_page=True))
            screenshot(page, "session-print")
        context.close()
    # Without JavaScript: the address and its code, and no button that could do nothing.
    context = new_context(browser, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + path)
    assert page.locator("#share-link").inner_text() == base + path
    assert not page.locator("button[data-share]").is_visible()
    found["no-js"] = decoded(page.screenshot(full_page=True))
    context.close()
    return found


@pytest_twisted.ensureDeferred
async def test_the_qr_code_scans_to_the_public_address(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    session_id = await a_session(client)
    path = f"/e/{SLUG}/s/{session_id}"
    found = await browser.run(photographed_codes, server.url, path)
    address = server.url + path
    assert found == {shown: [address] for shown in ("light", "dark", "print", "no-js")}
