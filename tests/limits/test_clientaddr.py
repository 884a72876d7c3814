"""
The client's address: forwarding headers believed from trusted proxies only.
"""

from __future__ import annotations

from twisted.internet.address import IPv4Address
from twisted.web.test.requesthelper import DummyRequest

from openspace.web.clientaddr import ClientAddresses


def _request(peer: str, **headers: str) -> DummyRequest:
    request = DummyRequest([b""])
    request.client = IPv4Address("TCP", peer, 40000)
    for name, value in headers.items():
        request.requestHeaders.addRawHeader(name.replace("_", "-"), value)
    return request


PROXIES = ClientAddresses.of(["10.0.0.0/24", "192.168.7.7"])


def test_headers_from_an_untrusted_peer_are_ignored() -> None:
    spoofed = _request("203.0.113.9", x_forwarded_for="198.51.100.1")
    assert PROXIES.client(spoofed) == "203.0.113.9"
    assert ClientAddresses().client(spoofed) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client() -> None:
    request = _request("10.0.0.5", x_forwarded_for="198.51.100.1")
    assert PROXIES.client(request) == "198.51.100.1"


def test_the_client_is_the_nearest_hop_that_is_no_trusted_proxy() -> None:
    # The client made up the first hop; the proxies appended the rest.
    request = _request("10.0.0.5", x_forwarded_for="1.2.3.4, 198.51.100.1, 192.168.7.7")
    assert PROXIES.client(request) == "198.51.100.1"


def test_forwarded_is_read_with_ports_brackets_and_quotes() -> None:
    request = _request("10.0.0.5", forwarded='for="[2001:db8::1]:4711";proto=https')
    assert PROXIES.client(request) == "2001:db8::1"
    request = _request("10.0.0.5", forwarded="for=1.2.3.4, for=198.51.100.2:80")
    assert PROXIES.client(request) == "198.51.100.2"


def test_an_unreadable_hop_ends_the_walk() -> None:
    request = _request("10.0.0.5", forwarded="for=_hidden")
    assert PROXIES.client(request) == "10.0.0.5"


def test_without_headers_the_proxy_is_the_client() -> None:
    assert PROXIES.client(_request("10.0.0.5")) == "10.0.0.5"
