"""
Whole HTTP/1.1 answers written straight to a connection, for what is answered before
(or instead of) any resource: a connection over a cap, a request too slow or too large
or malformed, a refused WebSocket handshake.  They carry the same security headers as
every other answer, the API's JSON error shape (or a short page when the path is known
to be a page's), and close the connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from twisted.web.http import RESPONSES

from openspace.web.hardened import error_page, wants_json

_TITLES = {
    400: "Bad request",
    403: "Refused",
    408: "Too slow",
    413: "Too large",
    429: "Too many connections",
    503: "Server full",
}
_HEADERS = (
    b"Cache-Control: no-store\r\n"
    b"X-Content-Type-Options: nosniff\r\n"
    b"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    b"Referrer-Policy: no-referrer\r\n"
    b"X-Frame-Options: DENY\r\n"
    b"Connection: close\r\n"
)


def raw_response(
    status: int,
    code: str,
    message: str,
    retry_after: int | None = None,
    path: bytes | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> bytes:
    """
    The answer C{status}: the API's error shape, or a short page when C{path} is known to
    be a page's; C{headers} are added as they are (names and values the server chose).
    """
    if path is not None and not wants_json(path):
        title = _TITLES.get(status, "Error")
        page = error_page(title, message[:1].upper() + message[1:] + ".")
        return _response(status, page, retry_after, b"text/html; charset=utf-8", headers)
    error = {"code": code, "message": message, "field": None}
    body = json.dumps({"error": error}).encode("utf-8")
    return _response(status, body, retry_after, headers=headers)


def _response(
    status: int,
    body: bytes,
    retry_after: int | None = None,
    content_type: bytes = b"application/json; charset=utf-8",
    headers: Iterable[tuple[str, str]] = (),
) -> bytes:
    reason = RESPONSES.get(status, b"Error")
    head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\n" % (status, reason, content_type)
    head += _HEADERS
    if retry_after is not None:
        head += b"Retry-After: %d\r\n" % retry_after
    for name, value in headers:
        head += f"{name}: {value}\r\n".encode("latin-1")
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body
