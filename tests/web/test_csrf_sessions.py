"""
The pages' own CSRF tokens and facilitator session cookies.
"""

from __future__ import annotations

import pytest
import pytest_twisted
from twisted.internet.task import Clock
from twisted.web.server import Request
from twisted.web.test.requesthelper import DummyChannel

from openspace.tokens import FacilitatorKey
from openspace.web.csrf import CSRF, CSRFError
from openspace.web.sessions import DESK_COOKIE, DESK_HOURS, DeskSessions
from tests.support import FACILITATOR_TOKEN, SLUG, Client
from tests.web.browsing import Browser

KEY = FacilitatorKey.from_token(FACILITATOR_TOKEN)


def request_with(
    cookies: dict[bytes, bytes] | None = None, form: dict[bytes, list[bytes]] | None = None
) -> Request:
    request = Request(DummyChannel())
    request.received_cookies = dict(cookies or {})
    request.args = form or {}
    return request


def test_tokens_are_masked_per_response_and_checked() -> None:
    csrf = CSRF(KEY.derive("csrf"))
    first = request_with()
    token = csrf.token(first)
    again = csrf.token(first)
    assert token != again  # a fresh mask each time: nothing stable for BREACH to find
    nonce = first.received_cookies[b"os_csrf"]
    assert token.encode() != nonce and nonce not in token.encode()
    for good in (token, again):
        csrf.check(request_with({b"os_csrf": nonce}, {b"csrf": [good.encode()]}))


@pytest.mark.parametrize(
    ("cookies", "form"),
    [
        ({}, {}),
        ({b"os_csrf": b"abc"}, {}),
        ({}, {b"csrf": [b"x" * 43]}),
        ({b"os_csrf": b"abc"}, {b"csrf": [b"not base64!"]}),
        ({b"os_csrf": b"abc"}, {b"csrf": [b"A" * 43]}),
    ],
)
def test_missing_or_wrong_tokens_are_refused(
    cookies: dict[bytes, bytes], form: dict[bytes, list[bytes]]
) -> None:
    with pytest.raises(CSRFError):
        CSRF(KEY.derive("csrf")).check(request_with(cookies, form))


def test_a_token_from_another_browser_is_refused() -> None:
    csrf = CSRF(KEY.derive("csrf"))
    mine, theirs = request_with(), request_with()
    csrf.token(mine)
    token = csrf.token(theirs)
    with pytest.raises(CSRFError):
        csrf.check(
            request_with(
                {b"os_csrf": mine.received_cookies[b"os_csrf"]}, {b"csrf": [token.encode()]}
            )
        )


def with_headers(request: Request, headers: dict[bytes, bytes]) -> Request:
    for name, value in headers.items():
        request.requestHeaders.setRawHeaders(name, [value])
    return request


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({b"sec-fetch-site": b"same-origin"}, True),
        ({b"origin": b"http://board.example:8080", b"host": b"board.example:8080"}, True),
        ({b"origin": b"https://board.example", b"host": b"board.example:443"}, True),
        ({b"sec-fetch-site": b"cross-site"}, False),
        ({b"sec-fetch-site": b"same-site"}, False),
        ({b"origin": b"http://evil.example", b"host": b"board.example"}, False),
        ({b"origin": b"null", b"host": b"board.example"}, False),
        ({}, False),  # says nothing: needs the token
        ({b"sec-fetch-site": b"none"}, False),  # typed in: needs the token
    ],
)
def test_browsers_word_on_where_a_form_came_from(
    headers: dict[bytes, bytes], accepted: bool
) -> None:
    csrf = CSRF(KEY.derive("csrf"))
    request = with_headers(request_with(), headers)
    if accepted:
        csrf.check(request)
    else:
        with pytest.raises(CSRFError):
            csrf.check(request)


def test_a_valid_token_does_not_let_a_cross_site_form_in() -> None:
    csrf = CSRF(KEY.derive("csrf"))
    page = request_with()
    token = csrf.token(page)
    form = request_with(
        {b"os_csrf": page.received_cookies[b"os_csrf"]}, {b"csrf": [token.encode()]}
    )
    csrf.check(form)
    with pytest.raises(CSRFError):
        csrf.check(with_headers(form, {b"sec-fetch-site": b"cross-site"}))


def desk_cookie(request: Request) -> bytes:
    for line in request.cookies:
        if line.startswith(DESK_COOKIE.encode() + b"="):
            return line.split(b";")[0].split(b"=", 1)[1]
    raise AssertionError("no desk cookie set")


def test_desk_sessions_sign_in_expire_and_resist_tampering() -> None:
    clock = Clock()
    clock.advance(1_000_000)
    desk = DeskSessions(KEY, clock)
    request = request_with()
    assert not desk.sign_in(request, "wrong token, long enough")
    assert desk.sign_in(request, FACILITATOR_TOKEN)
    cookie_line = next(c for c in request.cookies if c.startswith(b"os_desk="))
    assert b"HttpOnly" in cookie_line and b"SameSite=lax" in cookie_line
    value = desk_cookie(request)
    assert desk.signed_in(request_with({b"os_desk": value}, {}))
    nonce, expiry, mac = value.split(b".")
    longer = b".".join([nonce, str(int(expiry) + 9999).encode(), mac])
    assert not desk.signed_in(request_with({b"os_desk": longer}, {}))
    other = DeskSessions(FacilitatorKey.from_token("another-token-0123456789"), clock)
    assert not other.signed_in(request_with({b"os_desk": value}, {}))
    clock.advance(DESK_HOURS * 3600 + 1)
    assert not desk.signed_in(request_with({b"os_desk": value}, {}))


@pytest_twisted.ensureDeferred
async def test_forms_without_a_valid_token_change_nothing(client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    fields = {"title": "Sneaky", "host": "Eve", "cell": "r1/2030-05-15-1200"}
    for token in (None, "A" * 43, "garbage"):
        reply = await browser.post(f"/e/{SLUG}/propose", fields, csrf=token)
        assert reply.status == 403
        assert "nothing was changed" in browser.text()
    # A token is bound to its browser's cookie: another browser's token fails too.
    stranger = Browser(client)
    await stranger.get(f"/e/{SLUG}/propose")
    assert (await browser.post(f"/e/{SLUG}/propose", fields, csrf=stranger.csrf())).status == 403
    board = (await client.get(f"/api/events/{SLUG}/board")).json
    assert board["sessions"] == []
    assert (await browser.get(f"/e/{SLUG}/propose")).status == 200
    assert (await browser.post(f"/e/{SLUG}/propose", fields)).status == 303
