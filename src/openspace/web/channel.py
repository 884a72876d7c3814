"""
The HTTP connection's own defences: how many may be open, how long a request may take to
arrive, and how large a body may be declared.

Twisted's C{timeOut} is an inactivity timeout: any byte resets it, so a client that
trickles one header line every few seconds is never cut.  L{GuardedChannel} gives each
request a deadline instead: its head and body must have arrived within
C{request_deadline} seconds of its first byte (of the connection, for the first
request), or the connection is answered 408 and closed.  A declared C{Content-Length}
over the limit is answered 413 as soon as the headers are in, without reading the body.

L{ConnectionGuard} counts open connections, in all and per peer address (trusted
proxies are exempt from the latter); a connection past either cap is answered at once
(503, or 429 for one address) with C{Retry-After} and closed, before it costs more.
A connection that becomes a WebSocket leaves the channel; its protocol releases it
(L{openspace.web.live.LiveFactory.on_closed}).  A malformed request line or header gets
a 400 in the same shape (L{openspace.web.rawresponse}), not Twisted's bare status line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from attrs import define, field
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from twisted.web import server
from twisted.web.http import HTTPChannel, Request
from twisted.web.iweb import IRequest

from openspace.web.accesslog import redacted_log_formatter
from openspace.web.clientaddr import ClientAddresses
from openspace.web.limits import LimitOptions, limited_request
from openspace.web.rawresponse import raw_response

CONNECTION_RETRY_AFTER = 5


@define
class ConnectionGuard:
    """
    The open connections of one server, in all and per peer address.
    """

    max_connections: int
    max_per_address: int
    proxies: ClientAddresses = field(factory=ClientAddresses)
    # Told why each connection was refused or cut: full, address, deadline, too_large.
    on_refused: Callable[[str], None] = lambda reason: None
    _open: dict[object, str] = field(factory=dict, init=False)
    _per_address: Counter[str] = field(factory=Counter, init=False)

    def admit(self, transport: Any) -> int | None:
        """
        Count C{transport}'s connection, or answer the status that refuses it.
        """
        host = str(getattr(transport.getPeer(), "host", "unknown"))
        if len(self._open) >= self.max_connections:
            return 503
        if self._per_address[host] >= self.max_per_address and not self.proxies.is_trusted(host):
            return 429
        self._open[transport] = host
        self._per_address[host] += 1
        return None

    def release(self, transport: Any) -> None:
        host = self._open.pop(transport, None)
        if host is None:
            return
        self._per_address[host] -= 1
        if not self._per_address[host]:
            del self._per_address[host]

    def __len__(self) -> int:
        return len(self._open)

    def from_address(self, host: str) -> int:
        return self._per_address[host]


class GuardedChannel(HTTPChannel):
    """
    An HTTP/1.1 connection with a deadline per request, an early 413, and a place in
    its server's L{ConnectionGuard}.
    """

    guard: ConnectionGuard
    request_deadline: float = 15.0
    max_body: int = 64 * 1024
    _deadline: IDelayedCall | None = None
    _counted: Any = None

    def connectionMade(self) -> None:
        super().connectionMade()  # type: ignore[no-untyped-call]
        refused = self.guard.admit(self.transport)
        if refused is not None:
            self.guard.on_refused("full" if refused == 503 else "address")
            message = "the server is full" if refused == 503 else "too many connections from here"
            self._answer_and_close(
                raw_response(refused, "overloaded", message, CONNECTION_RETRY_AFTER)
            )
            return
        self._counted = self.transport
        self._start_deadline()

    def dataReceived(self, data: bytes) -> None:
        if self._counted is None:
            return
        if self._deadline is None and not self._handlingRequest:
            self._start_deadline()
        super().dataReceived(data)  # type: ignore[no-untyped-call]

    def allHeadersReceived(self) -> None:
        if self.length is not None and self.length > self.max_body:
            self._cancel_deadline()
            self.guard.on_refused("too_large")
            message = f"request bodies are limited to {self.max_body // 1024} KiB"
            self._answer_and_close(raw_response(413, "too_large", message, path=self._target()))
            return
        super().allHeadersReceived()  # type: ignore[no-untyped-call]

    def allContentReceived(self) -> None:
        self._cancel_deadline()
        super().allContentReceived()  # type: ignore[no-untyped-call]

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancel_deadline()
        if self._counted is not None:
            self.guard.release(self._counted)
            self._counted = None
        super().connectionLost(reason)  # type: ignore[no-untyped-call]

    def _respondToBadRequestAndDisconnect(self) -> None:
        # Twisted's own answer to a malformed request line or header is a bare status
        # line, without the headers every answer carries.
        self._cancel_deadline()
        message = "the request is malformed"
        self._answer_and_close(raw_response(400, "bad_request", message, path=self._target()))

    def _start_deadline(self) -> None:
        self._deadline = self.callLater(  # type: ignore[no-untyped-call]
            self.request_deadline, self._too_slow
        )

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            if self._deadline.active():
                self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        self.guard.on_refused("deadline")
        message = f"send the whole request within {self.request_deadline:g} seconds"
        self._answer_and_close(raw_response(408, "too_slow", message, path=self._target()))

    def _target(self) -> bytes | None:
        """
        The path of the request being received, once its request line is in.
        """
        target: bytes | None = getattr(self, "_path", None)
        return None if target is None else target.split(b"?", 1)[0]

    def _answer_and_close(self, response: bytes) -> None:
        """
        Send C{response} and close; a client that does not read it is cut after
        C{abortTimeout} seconds.
        """
        transport = self.transport
        assert transport is not None
        transport.write(response)
        transport.loseConnection()
        if self._abortingCall is None and self.abortTimeout is not None:
            self._abortingCall = self.callLater(  # type: ignore[no-untyped-call]
                self.abortTimeout, self.forceAbortClient
            )


class GuardedSite(server.Site):
    """
    A site whose connections are L{GuardedChannel}s sharing one L{ConnectionGuard}.

    @ivar observe: told of every answered request and the seconds from its last byte to
        its answer (metrics).
    """

    observe: Callable[[Request, float], None] | None = None

    def __init__(self, resource: Any, options: LimitOptions, reactor: Any = None) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            resource, logFormatter=redacted_log_formatter, reactor=reactor
        )
        self.guard = ConnectionGuard(
            options.max_connections, options.max_connections_per_address, options.trusted_proxies
        )
        self.requestFactory = limited_request(options.max_body)
        self.protocol = type(  # type: ignore[method-assign]
            "Channel",
            (GuardedChannel,),
            {
                "guard": self.guard,
                "request_deadline": options.request_deadline,
                "max_body": options.max_body,
            },
        )

    def getResourceFor(self, request: IRequest) -> Any:
        # Called once per request, when its body is in: where its answer time starts.
        request.started = self.reactor.seconds()  # type: ignore[attr-defined]
        return super().getResourceFor(request)  # type: ignore[no-untyped-call]

    def log(self, request: Request) -> None:
        super().log(request)
        if self.observe is not None:
            started = getattr(request, "started", None)
            if started is not None:
                self.observe(request, self.reactor.seconds() - started)
