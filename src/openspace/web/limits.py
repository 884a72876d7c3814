"""
The limits of one deployment, and a request that refuses bodies over the size limit.

L{LimitOptions} holds every number (rates per client and per address, connection caps,
the request deadline, the body limit) with defaults that a 3,000-attendee conference
behind one NAT'd venue address does not reach in normal use (README, "Limits", says how
they were chosen); C{openspace serve --limit NAME=RATE} changes one.

twisted.web reads a whole request body before any resource sees it; L{LimitedRequest}
counts a body sent without a declared length (chunked) as it arrives, drops it past the
limit, and answers 413 itself.  A declared length over the limit is refused before the
body is read (L{openspace.web.channel}).
"""

from __future__ import annotations

import argparse
import resource
from collections.abc import Iterable, Mapping

from attrs import evolve, field, frozen
from twisted.web import http, server

from openspace.web.clientaddr import ClientAddresses
from openspace.web.ratelimit import Rate

MAX_BODY = 64 * 1024


@frozen
class Limit:
    """
    How often one kind of request may come: per client address, and per client (an
    attendee id or edit key) when the request names one.
    """

    address: Rate
    client: Rate | None = None


DEFAULT_LIMITS: Mapping[str, Limit] = {
    # An opening "marketplace" where a hundred hosts propose within 15 minutes fits
    # in the burst plus the refill; one host proposes a few sessions a day.
    "propose": Limit(Rate(60, 300), Rate(10, 600)),
    "meetup": Limit(Rate(30, 300), Rate(5, 600)),
    # 3,000 attendees marking sessions after a plenary: 600 at once, 20 a second.
    "going": Limit(Rate(600, 30), Rate(60, 60)),
    "report": Limit(Rate(60, 300), Rate(10, 600)),
    # The facilitator token is long and random: this only keeps guessing slow and loud.
    "signin": Limit(Rate(10, 60)),
    # Every phone at the venue reconnecting after a restart, twice over.
    "live": Limit(Rate(6000, 60)),
    # Every other write (edits, swaps, cancels).
    "write": Limit(Rate(600, 60), Rate(60, 60)),
}


def _open_files() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 65_536
    return int(soft)


def default_max_connections() -> int:
    """
    As many connections as the process may open files, less room for the database,
    logs and upstream fetches.
    """
    return max(64, min(50_000, _open_files() - 128))


@frozen
class LimitOptions:
    """
    @ivar limits: the rate limits by name (see L{DEFAULT_LIMITS}); the throttle's rules
        name the one each route spends from.
    @ivar trusted_proxies: whose C{Forwarded}/C{X-Forwarded-For} is believed.
    @ivar max_connections: open connections at once (HTTP and WebSocket); past it, new
        ones get 503.
    @ivar max_connections_per_address: open connections from one peer address (trusted
        proxies are exempt); past it, new ones get 429.
    @ivar request_deadline: seconds a client has to send a request's head and body,
        however it trickles them.
    @ivar max_body: the largest request body, bytes.
    """

    limits: Mapping[str, Limit] = field(factory=lambda: dict(DEFAULT_LIMITS))
    trusted_proxies: ClientAddresses = field(factory=ClientAddresses)
    max_connections: int = field(factory=default_max_connections)
    max_connections_per_address: int = 6000
    request_deadline: float = 15.0
    max_body: int = MAX_BODY

    def with_rates(self, settings: Iterable[str]) -> LimitOptions:
        """
        These options with C{NAME.address=RATE} or C{NAME.client=RATE} settings applied.

        @raise ValueError: naming the setting at fault.
        """
        limits = dict(self.limits)
        for setting in settings:
            name, _, text = setting.partition("=")
            kind, _, which = name.strip().partition(".")
            if kind not in limits or which not in ("address", "client"):
                known = ", ".join(f"{k}.address, {k}.client" for k in sorted(limits))
                raise ValueError(f"unknown limit {name!r}; known: {known}")
            limits[kind] = evolve(limits[kind], **{which: Rate.parse(text)})
        return evolve(self, limits=limits)


class LimitedRequest(server.Request):
    max_body = MAX_BODY
    _received = 0
    _too_large = False

    def handleContentChunk(self, data: bytes) -> None:
        if self._too_large:
            return
        self._received += len(data)
        if self._received > self.max_body:
            self._too_large = True
            if self.content is not None:
                self.content.seek(0)
                self.content.truncate()
            return
        super().handleContentChunk(data)

    def process(self) -> None:
        if not self._too_large:
            super().process()
            return
        self.setResponseCode(http.REQUEST_ENTITY_TOO_LARGE)
        self.setHeader(b"content-type", b"application/json")
        self.setHeader(b"connection", b"close")
        self.write(too_large_body(self.max_body))
        self.finish()


def too_large_body(max_body: int) -> bytes:
    return (
        b'{"error": {"code": "too_large", "message": "request bodies are limited to '
        + str(max_body // 1024).encode()
        + b' KiB", "field": null}}'
    )


def limited_request(max_body: int) -> type[LimitedRequest]:
    return type("LimitedRequest", (LimitedRequest,), {"max_body": max_body})


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """
    The C{serve} options that set L{LimitOptions}.
    """
    defaults = LimitOptions()
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME.WHO=COUNT/TIME",
        help="change one rate limit, e.g. going.address=600/30s or propose.client=10/10m "
        "(repeatable; see README, Limits)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="CIDR",
        help="believe Forwarded/X-Forwarded-For from these proxy addresses (repeatable)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=defaults.max_connections,
        metavar="N",
        help=f"open connections at once (default {defaults.max_connections}, from ulimit -n)",
    )
    parser.add_argument(
        "--max-connections-per-address",
        type=int,
        default=defaults.max_connections_per_address,
        metavar="N",
        help=f"open connections from one address (default {defaults.max_connections_per_address})",
    )
    parser.add_argument(
        "--request-deadline",
        type=float,
        default=defaults.request_deadline,
        metavar="SECONDS",
        help=f"time to send a request's head and body (default {defaults.request_deadline:g})",
    )


def limit_options(args: argparse.Namespace) -> LimitOptions:
    """
    L{LimitOptions} from the options L{add_limit_arguments} added.

    @raise ValueError: a setting is malformed, naming it.
    """
    options = LimitOptions(
        trusted_proxies=ClientAddresses.of(args.trusted_proxy),
        max_connections=args.max_connections,
        max_connections_per_address=args.max_connections_per_address,
        request_deadline=args.request_deadline,
    )
    return options.with_rates(args.limit)
