"""
Who is on the other end of a request: the client's address, through trusted proxies only.

Behind a proxy or load balancer every request comes from the proxy's address; the proxy
names the client in C{Forwarded: for=…} (RFC 7239) or C{X-Forwarded-For}.  Anyone can
send those headers, so they are believed only from the proxies the deployment lists
(C{--trusted-proxy}): the client is the right-most address in the chain that is not a
trusted proxy.  From any other peer the headers are ignored.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

from attrs import frozen
from twisted.web.iweb import IRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_FOR = re.compile(r'(?:^|[;,\s])for\s*=\s*("[^"]*"|[^;,\s]+)', re.IGNORECASE)


def network_argument(text: str) -> Network:
    """
    An address or CIDR block (C{10.0.0.0/8}, C{::1}).

    @raise ValueError: it is neither.
    """
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as e:
        raise ValueError(f"not an IP address or CIDR block: {text!r}") from e


def _address(text: str) -> str | None:
    """
    The IP address in one hop of a forwarding header, without port or brackets; L{None}
    for obfuscated or unknown hops (C{for=_hidden}, C{unknown}).
    """
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@frozen
class ClientAddresses:
    """
    @ivar trusted: the networks of the proxies whose forwarding headers are believed.
    """

    trusted: tuple[Network, ...] = ()

    @classmethod
    def of(cls, networks: Iterable[str]) -> ClientAddresses:
        return cls(tuple(network_argument(text) for text in networks))

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def client(self, request: IRequest) -> str:
        """
        The address of the client that sent C{request}.
        """
        peer = _peer(request)
        if not self.trusted or not self.is_trusted(peer):
            return peer
        return self.through(peer, _hops(request))

    def through(self, peer: str, hops: Sequence[str | None]) -> str:
        """
        The client behind trusted proxy C{peer} that forwarded C{hops} (oldest first):
        walking back from the nearest hop, the first one that is not a trusted proxy.
        An unreadable hop ends the walk there (nothing before it can be believed).
        """
        client = peer
        for hop in reversed(hops):
            if hop is None:
                return client
            client = hop
            if not self.is_trusted(hop):
                return hop
        return client


def _peer(request: IRequest) -> str:
    address = request.getClientAddress()
    return str(getattr(address, "host", "unknown"))


def _hops(request: IRequest) -> list[str | None]:
    """
    The forwarding chain, oldest first: C{Forwarded} if present, else C{X-Forwarded-For}.
    """
    headers = request.requestHeaders
    forwarded = headers.getRawHeaders(b"forwarded")
    if forwarded:
        text = ",".join(value.decode("latin-1") for value in forwarded)
        return [_address(found) for found in _FOR.findall(text)]
    chain = headers.getRawHeaders(b"x-forwarded-for") or []
    text = ",".join(value.decode("latin-1") for value in chain)
    return [_address(hop) for hop in text.split(",") if hop.strip()]
