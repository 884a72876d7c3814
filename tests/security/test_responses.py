"""
Every response carries the security headers, and every API error has the JSON error
shape: routes, odd paths, wrong methods, oversized bodies and failures of the server
itself alike.  Pages answer with a readable page instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred

from tests.support import SLUG, Client, Reply, slot_id
from tests.web.browsing import send

SESSIONS = f"/api/events/{SLUG}/sessions"
PROPOSAL = b'{"title": "T", "host": "H", "room": "r1", "slot": "' + slot_id(12).encode() + b'"}'


def assert_security_headers(reply: Reply, *, frameable: bool = False) -> None:
    headers = reply.headers
    assert headers.get("x-content-type-options") == "nosniff", headers
    assert headers.get("referrer-policy") == "no-referrer", headers
    policy = headers.get("content-security-policy", "")
    assert "default-src 'none'" in policy, headers
    if frameable:
        assert "x-frame-options" not in headers and "frame-ancestors" not in policy
    else:
        assert headers.get("x-frame-options") == "DENY", headers
        assert "frame-ancestors 'none'" in policy, headers


def assert_json_error(reply: Reply, status: int, code: str | None = None) -> None:
    assert reply.status == status, (reply.status, reply.body[:200])
    assert reply.headers["content-type"].startswith("application/json"), reply.headers
    assert set(reply.json["error"]) >= {"code", "message", "field"}, reply.json
    if code is not None:
        assert reply.json["error"]["code"] == code


def assert_page(reply: Reply, status: int) -> None:
    assert reply.status == status, (reply.status, reply.body[:200])
    assert reply.headers["content-type"].startswith("text/html"), reply.headers
    assert b"<title>" in reply.body


async def fetch(
    client: Client,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    return (await send(client, method, path, headers, body))[0]


API_ERRORS = [
    ("GET", "/api/nothing/here", None, 404, "not_found"),
    ("GET", f"/api/events/{SLUG}/sessions/s404", None, 404, "not_found"),
    ("GET", "/api/events/a%0Ab/board", None, 404, "not_found"),
    ("GET", "/api/events/a%00b/board", None, 404, "not_found"),
    ("GET", "/api/%0A", None, 404, "not_found"),
    ("GET", "/api/events/%FF/board", None, 400, "bad_path"),
    ("PUT", SESSIONS, None, 405, "method_not_allowed"),
    ("POST", SESSIONS, b"{not json", 400, "bad_json"),
    ("POST", SESSIONS, b"{}", 422, "invalid"),
    ("POST", SESSIONS, b'{"title": "' + b"x" * 70000 + b'"}', 413, "too_large"),
    ("GET", f"/api/events/{SLUG}/log", None, 401, "unauthenticated"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), API_ERRORS)
@pytest_twisted.ensureDeferred
async def test_api_errors_are_json_with_security_headers(
    client: Client, method: str, path: str, body: bytes | None, status: int, code: str
) -> None:
    reply = await fetch(client, method, path, body, {"Content-Type": "application/json"})
    assert_json_error(reply, status, code)
    assert_security_headers(reply)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/e/a%0Ab/", 404),
        ("/e/ghost/", 404),
        ("/no/such/page", 404),
        (f"/e/{SLUG}/s/a%0Ab", 404),
        ("/e/%FF/", 400),
    ],
)
@pytest_twisted.ensureDeferred
async def test_odd_page_paths_get_a_readable_page_with_headers(
    client: Client, path: str, status: int
) -> None:
    reply = await fetch(client, "GET", path)
    assert_page(reply, status)
    assert_security_headers(reply)


@pytest.mark.parametrize(
    ("path", "frameable"),
    [
        ("/healthz", False),
        ("/api/openapi.json", False),
        ("/api/events", False),
        (f"/api/events/{SLUG}/board", False),
        (f"/e/{SLUG}/", False),
        (f"/e/{SLUG}/kiosk", True),
        ("/", False),
    ],
)
@pytest_twisted.ensureDeferred
async def test_successful_responses_carry_the_headers(
    client: Client, path: str, frameable: bool
) -> None:
    reply = await fetch(client, "GET", path)
    assert reply.status == 200
    assert_security_headers(reply, frameable=frameable)


async def raw_request(client: Client, request: bytes) -> bytes:
    """
    Send C{request} as it is, bytes a proper client would never send, and read to the end.
    """
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
    from twisted.internet.protocol import Protocol

    ended: Deferred[bytes] = Deferred()

    class Raw(Protocol):
        received = b""

        def connectionMade(self) -> None:
            self.transport.write(request)

        def dataReceived(self, data: bytes) -> None:
            self.received += data

        def connectionLost(self, reason: object = None) -> None:
            ended.callback(self.received)

    port = int(client.base.rsplit(":", 1)[1])
    await connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port), Raw())
    return await ended


@pytest.mark.parametrize(("path", "json_error"), [(b"/api/events", True), (b"/e/conf/", False)])
@pytest_twisted.ensureDeferred
async def test_a_host_that_is_not_utf8_is_a_400_in_the_right_shape(
    client: Client, path: bytes, json_error: bool
) -> None:
    answer = await raw_request(
        client, b"GET " + path + b" HTTP/1.1\r\nHost: \xff\xfe\r\nConnection: close\r\n\r\n"
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"X-Content-Type-Options: nosniff" in head
    if json_error:
        assert json.loads(body)["error"]["code"] == "bad_host"
    else:
        assert b"<title>Bad address</title>" in body


@pytest_twisted.ensureDeferred
async def test_not_modified_carries_the_headers(client: Client) -> None:
    first = await fetch(client, "GET", f"/api/events/{SLUG}/board")
    again = await fetch(
        client, "GET", f"/api/events/{SLUG}/board", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status == 304
    assert_security_headers(again)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", SESSIONS, {"POST"}),
        ("PATCH", f"/api/events/{SLUG}/board", {"GET", "HEAD"}),
        ("DELETE", f"/api/events/{SLUG}/undo", {"POST"}),
        ("POST", f"/e/{SLUG}/", {"GET", "HEAD"}),
        ("DELETE", f"/e/{SLUG}/propose", {"GET", "HEAD", "POST"}),
    ],
)
@pytest_twisted.ensureDeferred
async def test_405_says_what_is_allowed(
    client: Client, method: str, path: str, allowed: set[str]
) -> None:
    reply = await fetch(client, method, path)
    assert reply.status == 405
    assert {m.strip() for m in reply.headers["allow"].split(",")} == allowed
    assert_security_headers(reply)
    if path.startswith("/api/"):
        assert_json_error(reply, 405, "method_not_allowed")
    else:
        assert_page(reply, 405)


def raw_answer(answer: bytes, status: int) -> tuple[dict[str, str], bytes]:
    """
    The headers and body of a raw C{answer}, checked for C{status} and the headers every
    answer carries.
    """
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), answer
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)
    }
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    return headers, body[: int(headers["content-length"])]


@pytest.mark.parametrize(
    ("request_bytes", "json_error"),
    [
        (b"GARBAGE\r\n\r\n", True),
        (b"GET /api/events HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", True),
        (b"GET /e/conf/ HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", False),
        (b"GET /api/events HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", True),
    ],
)
@pytest_twisted.ensureDeferred
async def test_a_malformed_request_is_a_400_with_the_security_headers(
    client: Client, request_bytes: bytes, json_error: bool
) -> None:
    headers, body = raw_answer(await raw_request(client, request_bytes), 400)
    assert headers["connection"] == "close"
    if json_error:
        assert json.loads(body)["error"]["code"] == "bad_request"
    else:
        assert b"<title>Bad request</title>" in body


UPGRADE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Origin: {origin}\r\n\r\n"
)


@pytest_twisted.ensureDeferred
async def test_a_websocket_from_a_foreign_origin_is_refused_with_the_headers(
    client: Client,
) -> None:
    path = f"/api/events/{SLUG}/live"
    answer = await raw_request(
        client, UPGRADE.format(path=path, origin="http://evil.example").encode()
    )
    headers, body = raw_answer(answer, 403)
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "bad_origin"
