"""
The connection's own defences, in memory on a moved clock: the request deadline however
the client trickles, the early 413, and the caps on open connections.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.web.resource import Resource

from openspace.web.channel import GuardedSite
from openspace.web.clientaddr import ClientAddresses
from openspace.web.limits import LimitOptions


class Echo(Resource):
    isLeaf = True

    def render(self, request: Any) -> bytes:
        return b"ok " + request.content.read()


def _site(clock: Clock, **options: Any) -> GuardedSite:
    return GuardedSite(Echo(), LimitOptions(**options), reactor=clock)


def _connect(site: GuardedSite, peer: str = "198.51.100.1") -> tuple[Any, StringTransport]:
    channel = site.buildProtocol(IPv4Address("TCP", peer, 50000))
    transport = StringTransport(peerAddress=IPv4Address("TCP", peer, 50000))
    channel.makeConnection(transport)
    return channel, transport


def test_a_head_trickled_a_line_at_a_time_is_cut_at_the_deadline() -> None:
    clock = Clock()
    channel, transport = _connect(_site(clock, request_deadline=15.0))
    channel.dataReceived(b"GET / HTTP/1.1\r\n")
    for n in range(3):
        clock.advance(4.9)
        channel.dataReceived(b"X-Slow-%d: 1\r\n" % n)
    assert not transport.disconnecting
    clock.advance(0.4)
    assert transport.value().startswith(b"HTTP/1.1 408 ")
    assert transport.disconnecting


def test_a_body_that_does_not_arrive_in_time_is_cut_too() -> None:
    clock = Clock()
    channel, transport = _connect(_site(clock, request_deadline=15.0))
    channel.dataReceived(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
    for _ in range(14):
        clock.advance(1)
        channel.dataReceived(b"a")
    clock.advance(1)
    assert transport.value().startswith(b"HTTP/1.1 408 ")


def test_a_connection_that_sends_nothing_is_cut_at_the_deadline() -> None:
    clock = Clock()
    _, transport = _connect(_site(clock, request_deadline=15.0))
    clock.advance(15)
    assert transport.disconnecting


def test_a_prompt_request_is_answered_and_its_deadline_forgotten() -> None:
    clock = Clock()
    channel, transport = _connect(_site(clock, request_deadline=15.0))
    channel.dataReceived(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
    assert b"ok hi" in transport.value()
    transport.clear()
    # Idle between requests (Twisted's inactivity timeout, 60 s, governs that).
    clock.advance(30)
    assert not transport.disconnecting
    channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert transport.value().startswith(b"HTTP/1.1 200 ")


def test_a_declared_length_over_the_limit_is_refused_before_the_body() -> None:
    clock = Clock()
    channel, transport = _connect(_site(clock, max_body=1024))
    channel.dataReceived(
        b"POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + b"a" * 10
    )
    assert transport.value().startswith(b"HTTP/1.1 413 ")
    assert b'"too_large"' in transport.value()
    assert transport.disconnecting


def test_new_connections_past_the_cap_are_refused_with_retry_after() -> None:
    clock = Clock()
    site = _site(clock, max_connections=2, max_connections_per_address=10)
    first, _ = _connect(site, "198.51.100.1")
    _connect(site, "198.51.100.2")
    _, third = _connect(site, "198.51.100.3")
    assert third.value().startswith(b"HTTP/1.1 503 ")
    assert b"Retry-After: 5" in third.value()
    assert third.disconnecting
    assert len(site.guard) == 2
    first.connectionLost(None)
    _, fourth = _connect(site, "198.51.100.4")
    assert fourth.value() == b""


def test_one_address_gets_its_share_and_trusted_proxies_more() -> None:
    clock = Clock()
    site = _site(
        clock,
        max_connections=100,
        max_connections_per_address=2,
        trusted_proxies=ClientAddresses.of(["10.0.0.1"]),
    )
    for _ in range(2):
        _connect(site, "198.51.100.1")
    _, refused = _connect(site, "198.51.100.1")
    assert refused.value().startswith(b"HTTP/1.1 429 ")
    for _ in range(5):
        _, proxied = _connect(site, "10.0.0.1")
        assert proxied.value() == b""
    assert site.guard.from_address("198.51.100.1") == 2


def test_pages_are_told_in_a_page_and_the_api_in_json() -> None:
    clock = Clock()
    channel, transport = _connect(_site(clock, max_body=1024))
    channel.dataReceived(
        b"POST /e/conf/propose HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
    )
    assert transport.value().startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: text/html" in transport.value()
    assert b"Request bodies are limited to 1 KiB." in transport.value()
    channel, transport = _connect(_site(clock, request_deadline=15.0))
    channel.dataReceived(b"GET /api/events/conf/board HTTP/1.1\r\n")
    clock.advance(15)
    assert transport.value().startswith(b"HTTP/1.1 408 ")
    assert b'"code": "too_slow"' in transport.value()
