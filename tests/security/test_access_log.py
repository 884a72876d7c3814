"""
The access log line: Twisted's combined log format, with the query strings of the URL
and the referrer cut (edit links carry keys there), whatever bytes the request held.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.web.http import combinedLogFormatter
from twisted.web.server import Request
from twisted.web.test.requesthelper import DummyChannel

from openspace.web.accesslog import redacted_log_formatter


class Redacted:
    """
    The reference: the request as Twisted's own formatter should see it, every query
    string cut.
    """

    def __init__(self, request: Request) -> None:
        self._request = request
        self.uri = request.uri.split(b"?", 1)[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    def getHeader(self, name: bytes) -> bytes | None:
        value: bytes | None = self._request.getHeader(name)
        return value.split(b"?", 1)[0] if value is not None and name == b"referer" else value


def request(
    peer: Any, method: bytes, uri: bytes, headers: dict[bytes, bytes], code: int, length: int
) -> Request:
    channel = DummyChannel()
    channel.transport = DummyChannel.TCP(peer)  # type: ignore[no-untyped-call]
    made = Request(channel)
    made.method, made.uri, made.clientproto = method, uri, b"HTTP/1.1"
    for name, value in headers.items():
        made.requestHeaders.setRawHeaders(name, [value])
    made.code, made.sentLength = code, length
    return made


# Arbitrary bytes, and the printable text where quotes and backslashes are the catch.
text = st.one_of(st.binary(max_size=40), st.text("az/?=%-~ \"'\\\t", max_size=40).map(str.encode))
header_value = text.filter(lambda value: b"\r" not in value and b"\n" not in value)
peers = st.sampled_from(
    [
        IPv4Address("TCP", "203.0.113.9", 4321),
        IPv6Address("TCP", "2001:db8::1", 4321),
        UNIXAddress(b"/tmp/openspace.sock"),
    ]
)


@given(
    peer=peers,
    method=text.filter(bool),
    uri=text,
    headers=st.dictionaries(st.sampled_from([b"referer", b"user-agent"]), header_value),
    code=st.integers(100, 599),
    length=st.integers(0, 10**6),
)
def test_the_line_is_twisteds_without_query_strings(
    peer: Any, method: bytes, uri: bytes, headers: dict[bytes, bytes], code: int, length: int
) -> None:
    made = request(peer, method, uri, headers, code, length)
    line = redacted_log_formatter("[01/Dec/2026:16:00:00 +0000]", made)
    assert line == combinedLogFormatter("[01/Dec/2026:16:00:00 +0000]", Redacted(made))


def test_keys_in_links_stay_out_of_the_log() -> None:
    headers = {b"referer": b"https://x.example/e/a/s/b/edit?key=SECRET-1", b"user-agent": b"UA"}
    peer = IPv4Address("TCP", "203.0.113.9", 4321)
    made = request(peer, b"GET", b"/e/a/s/b/edit?key=SECRET-2", headers, 200, 5)
    line = redacted_log_formatter("[t]", made)
    assert "SECRET" not in line
    assert line == (
        '"203.0.113.9" - - [t] "GET /e/a/s/b/edit HTTP/1.1" 200 5 '
        '"https://x.example/e/a/s/b/edit" "UA"'
    )
