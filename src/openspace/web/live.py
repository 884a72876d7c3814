"""
The live WebSocket endpoint, C{/api/events/{slug}/live}, on the same port as the pages.

A client connects (optionally with C{?since=N&epoch=E}, the last sequence number and
epoch it holds) and never needs to send anything: it is sent a snapshot or exactly the
events it missed, then every event of the board once, in order (the frames are described
in L{openspace.hub}).  The JSON API's route hands the upgrade to Autobahn through
L{Live.connect}; L{openspace.hub.Hub} does the fan-out.

What protects the server:
  - Each connection is an C{IPushProducer} on its transport.  When the transport's
    buffer is full (the phone stopped reading), the hub hands it nothing more; if it is
    still full after C{stall_limit} seconds the connection is closed with code 4008
    ("resync": reconnect with C{since}), and dropped if the close handshake does not
    finish.  So a stuck client costs at most one transport buffer plus one frame.
  - Client frames are limited to C{max_client_message} bytes (larger: close 1009).
    The only message a client may send is C{{"type": "ping"}} (answered with
    C{{"type": "pong"}}); anything else gets an error frame and the connection stays.
  - Autobahn pings every C{ping_interval} seconds and drops a peer that does not answer
    within C{ping_timeout}.  Compression is off: it would be per connection, undoing the
    prepared frames, and costs zlib state per connection.
  - Browsers must come from an allowed origin (see L{allowed_origins}); others are
    refused 403, and every refused handshake has the security headers and the API's
    error shape.
"""

from __future__ import annotations

import hashlib
import json
from argparse import ArgumentTypeError
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from pprint import pformat
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import autobahn.websocket.protocol
import txaio
from attrs import define, frozen
from autobahn.twisted.resource import WebSocketResource
from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
from twisted.internet.interfaces import (
    IAddress,
    IConsumer,
    IDelayedCall,
    IPushProducer,
    ITransport,
)
from twisted.internet.tcp import Server
from twisted.logger import Logger
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from openspace import __version__
from openspace.clock import Clock
from openspace.feed import Subscription, encode
from openspace.hub import DEFAULT_RING, Hub
from openspace.model import Board
from openspace.store.interface import BoardStore
from openspace.web.errors import ApiError
from openspace.web.rawresponse import raw_response

if TYPE_CHECKING:
    from openspace.web.desk_live import DeskLive

JSON = dict[str, Any]

WARM_LIMIT = 100_000
"""
Boards with longer logs are not replayed at start-up (L{Live.warm}).
"""

PING = b'{"type":"ping"}'
"""
What static/live.js sends after a few seconds without a frame, byte for byte.
"""

RESYNC = 4008
"""
Close code: this connection fell too far behind; reconnect with C{since}.
"""


@frozen
class LiveOptions:
    """
    @ivar origins: origins browsers may connect from besides the server's own listening
        URLs, as C{scheme://host[:port]} (the default port is filled in); C{"*"} allows
        every origin and C{"null"} the null origin (file pages, sandboxed frames).
    @ivar ring_size: events per board kept in memory to serve resumes.
    @ivar ping_interval: seconds between Autobahn's pings; C{ping_timeout}, how long
        a peer may take to answer before it is dropped.
    @ivar max_client_message: the largest frame or message a client may send, bytes.
    @ivar stall_limit: seconds a connection may stay unable to take more before it is
        closed with L{RESYNC}.
    @ivar close_timeout: seconds the closing handshake may take before the connection
        is dropped.
    """

    origins: tuple[str, ...] = ()
    ring_size: int = DEFAULT_RING
    ping_interval: float = 20.0
    ping_timeout: float = 10.0
    max_client_message: int = 4096
    stall_limit: float = 30.0
    close_timeout: float = 5.0


def normalize_origin(text: str) -> str:
    """
    C{text} as Autobahn compares origins: C{scheme://host:port}, port always given.

    @raise ValueError: it is not an origin.
    """
    if text in ("*", "null"):
        return text
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an origin (scheme://host[:port]): {text!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"an origin has no path: {text!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    # Autobahn rebuilds the Origin header from urlsplit's hostname (IPv6 unbracketed).
    return f"{scheme}://{parts.hostname}:{port}"


def origin_argument(text: str) -> str:
    """
    L{normalize_origin} for C{argparse}, which shows this error's text as it is.
    """
    try:
        return normalize_origin(text)
    except ValueError as e:
        raise ArgumentTypeError(str(e)) from e


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_origins(configured: Iterable[str], served: Iterable[str]) -> list[str]:
    """
    The origins browsers may connect from: C{configured} ones, and each URL the server
    listens on (for a loopback address, under each of its loopback names).

    A server behind a proxy or reached by name must be told its public origin
    (C{--origin https://board.example.org}); the null origin is refused unless given.
    """
    origins = [normalize_origin(text) for text in configured]
    for url in served:
        own = normalize_origin(url.rstrip("/"))
        scheme, rest = own.split("://", 1)
        host, port = rest.rsplit(":", 1)
        names = _LOOPBACK if host in _LOOPBACK else (host,)
        origins.extend(f"{scheme}://{name}:{port}" for name in names)
    return list(dict.fromkeys(origins))


def asset_version(folder: Path | None = None) -> str:
    """
    A short fingerprint of this server's release and static files: clients reload when
    the one they were served differs.
    """
    digest = hashlib.sha256(__version__.encode())
    if folder is not None and folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _no_pformat(value: object) -> str:
    return ""


@frozen
class _Opening:
    """
    Autobahn builds the protocol inside C{WebSocketResource.render}; this stands in for
    the factory there to hand the new connection what the route already found out.
    """

    factory: LiveFactory
    hub: Hub[Any]
    board: Board
    since: int | None
    epoch: int | None

    def buildProtocol(self, addr: IAddress) -> LiveProtocol:
        protocol = cast(LiveProtocol, self.factory.buildProtocol(addr))
        protocol.opening = self
        return protocol


@implementer(IPushProducer)
class LiveProtocol(WebSocketServerProtocol):
    """
    One client watching one board.
    """

    factory: LiveFactory
    opening: _Opening | None = None
    _hub: Hub[Any] | None = None
    _subscription: Subscription[Any] | None = None
    _stall: IDelayedCall | None = None
    _log = Logger()

    def onOpen(self) -> None:
        assert self.opening is not None
        # twisted.web's HTTP channel is still the transport's producer; a transport
        # takes one, and from now on it is us.
        transport = cast(IConsumer, self.transport)
        transport.unregisterProducer()
        transport.registerProducer(self, True)
        self.factory.opened(self)
        opening, self.opening = self.opening, None
        # The board's public stream, or the one private stream the route chose for it
        # (the facilitator's desk: L{openspace.web.desk_live}).
        self._hub = opening.hub
        self._subscription = opening.hub.subscribe(
            opening.board, self.send_frame, opening.since, opening.epoch
        )

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self._cancel_stall()
        self.factory.closed(self)
        if self._subscription is not None and self._hub is not None:
            self._hub.unsubscribe(self._subscription)
            self._subscription = None

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        if self._subscription is None or self._subscription.paused:
            # It is not reading what we send: answering would only fill its buffer.
            return
        if payload == PING and not isBinary:
            # What live.js sends, byte for byte: no JSON to parse, no answer to encode.
            self.send_frame(self.factory.pong)
            return
        if isBinary:
            self._reply({"type": "error", "code": "binary", "message": "send JSON text"})
            return
        try:
            message = json.loads(payload)
        except ValueError:
            self._reply({"type": "error", "code": "bad_json", "message": "not JSON"})
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            self._reply({"type": "pong"})
            return
        self._reply(
            {
                "type": "error",
                "code": "unknown_message",
                "message": 'the only message a client may send is {"type": "ping"}',
            }
        )

    def _connectionMade(self) -> None:
        """
        Autobahn's connection set-up, without its C{pformat} of every option.

        Autobahn pretty-prints its 29 protocol options for a debug line on every
        connection whether or not debug logging is on: about 100 microseconds, a quarter
        of what accepting a live client costs.  While debug logging is off, that one
        call gets an empty string; the rest of the set-up is Autobahn's own.
        """
        if txaio.get_global_log_level() in ("debug", "trace"):  # type: ignore[attr-defined]
            super()._connectionMade()
            return
        module = autobahn.websocket.protocol
        module.pformat = _no_pformat  # type: ignore[attr-defined,assignment]
        try:
            super()._connectionMade()
        finally:
            module.pformat = pformat  # type: ignore[attr-defined]

    def sendHttpErrorResponse(
        self, code: int, reason: str, responseHeaders: list[tuple[str, str]] | None = None
    ) -> None:
        """
        A refused handshake is answered like every other API error (security headers,
        the JSON error shape), not with Autobahn's bare status line.
        """
        error = "bad_handshake"
        # Autobahn refuses a foreign origin with a 400 and only says so in this text.
        if reason.startswith("WebSocket connection denied: origin"):
            code, error = 403, "bad_origin"
            reason = "this server does not accept live connections from that origin"
        self.sendData(raw_response(code, error, reason, headers=responseHeaders or ()))

    def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
        """
        Everything Autobahn writes (the handshake's answer, pongs, closes) goes out like
        L{send_frame}: into the socket at once when nothing is queued before it.
        """
        if sync or chopsize or self.send_queue:
            super().sendData(data, sync, chopsize)
            return
        self._write(data)

    def send_frame(self, message: PreparedMessage) -> None:
        """
        Send a prepared frame, straight into the socket when nothing is queued before it.

        Twisted's C{transport.write} only queues; the bytes leave on the next reactor
        turn, after an C{epoll_ctl} to watch the socket and another to stop.  Across a
        broadcast to thousands of clients that is most of the cost, and the first client
        waits for the last; a connect storm pays it twice per client (the handshake's
        answer, then the opening frame).  When the transport holds nothing (so order is
        kept), a plain TCP connection is offered the bytes at once, as asyncio's
        transports do; whatever the kernel does not take is queued the usual way, so
        flow control and pausing work as before.  Compression is off, so the prepared
        bytes are exactly what C{sendPreparedMessage} would write.
        """
        if self.state != WebSocketProtocol.STATE_OPEN:
            return
        self._write(message.payloadHybi)

    def _write(self, data: bytes) -> None:
        transport = cast(ITransport, self.transport)
        if (
            type(transport) is Server
            and transport.connected
            and not transport.disconnecting
            # Twisted's own write queue (no public way to ask whether it is empty).
            and not transport._tempDataLen
            and transport.offset == len(transport.dataBuffer)
        ):
            sent = transport.writeSomeData(data)
            if isinstance(sent, int):
                if sent == len(data):
                    return
                data = data[sent:]
        transport.write(data)

    def _reply(self, document: JSON) -> None:
        self.sendMessage(encode(document))  # type: ignore[no-untyped-call]

    # --- IPushProducer: the transport tells us when its buffer is full or drained ---

    def pauseProducing(self) -> None:
        if self._subscription is None or self._hub is None:
            return
        self._hub.pause(self._subscription)
        if self._stall is None:
            self._stall = self.factory.clock.callLater(
                self.factory.options.stall_limit, self._stalled
            )

    def resumeProducing(self) -> None:
        self._cancel_stall()
        if self._subscription is not None and self._hub is not None:
            self._hub.resume(self._subscription)

    def stopProducing(self) -> None:
        """
        The connection is going away; L{onClose} cleans up.
        """

    def _stalled(self) -> None:
        self._stall = None
        if self._subscription is not None and self._hub is not None:
            self._log.info(
                "live client of {slug} stopped reading; closing it with {code}",
                slug=self._subscription.slug,
                code=RESYNC,
            )
            self._hub.unsubscribe(self._subscription)
            self._subscription = None
        for hook in self.factory.on_stalled:
            hook()
        # Autobahn drops the connection if the close handshake does not finish in time.
        self.sendClose(RESYNC, "too slow: reconnect with since")

    def _cancel_stall(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None


class LiveFactory(WebSocketServerFactory):
    """
    Autobahn's factory for every live connection, with the hub they subscribe to.
    """

    # Twisted types this for protocols whose factory is any Factory; ours needs ours.
    protocol = LiveProtocol  # type: ignore[assignment]
    hub: Hub[Any]

    def __init__(self, options: LiveOptions, clock: Clock, reactor: Any) -> None:
        super().__init__(reactor=reactor)  # type: ignore[no-untyped-call]
        self.options = options
        self.clock = clock
        self.connections: set[LiveProtocol] = set()
        # Told of every connection that ends (it left its HTTP channel, which can no
        # longer count it) and of every one closed for not reading (metrics).
        self.on_closed: list[Callable[[LiveProtocol], None]] = []
        self.on_stalled: list[Callable[[], None]] = []
        # Every open page asks for one every few seconds of quiet (live.js): made once.
        self.pong = self.prepareMessage(encode({"type": "pong"}))
        self.setProtocolOptions(  # type: ignore[no-untyped-call]
            maxFramePayloadSize=options.max_client_message,
            maxMessagePayloadSize=options.max_client_message,
            autoPingInterval=options.ping_interval,
            autoPingTimeout=options.ping_timeout,
            closeHandshakeTimeout=options.close_timeout,
            # twisted.web has read the whole upgrade request (under its own timeout)
            # before Autobahn sees it, and Autobahn answers it in the same call: a timer
            # per connection for the opening handshake could never fire.
            openHandshakeTimeout=0,
            # Per-connection compression would undo prepared frames: never accept it.
            perMessageCompressionAccept=lambda offers: None,
            # Close oversized or broken clients with a close code rather than silently.
            failByDrop=False,
            webStatus=False,
        )
        self.allow(allowed_origins(options.origins, ()))

    def allow(self, origins: Sequence[str]) -> None:
        # setProtocolOptions resets allowNullOrigin unless it is passed every time.
        self.setProtocolOptions(  # type: ignore[no-untyped-call]
            allowedOrigins=[o for o in origins if o != "null"],
            allowNullOrigin="null" in origins,
        )

    def opened(self, protocol: LiveProtocol) -> None:
        self.connections.add(protocol)

    def closed(self, protocol: LiveProtocol) -> None:
        self.connections.discard(protocol)
        for hook in self.on_closed:
            hook(protocol)


@define
class Live:
    """
    The live layer of one server: the hub, fed by the store, and the WebSocket factory.
    """

    hub: Hub[Any]
    factory: LiveFactory
    options: LiveOptions
    desk: DeskLive | None = None
    """
    The facilitator desk's private streams, on the same factory (origins, limits,
    connection count); set by the service.
    """
    _log = Logger()

    @classmethod
    def create(
        cls,
        store: BoardStore,
        options: LiveOptions,
        reactor: Any,
        version: str,
        clock: Clock | None = None,
    ) -> Live:
        """
        The live layer, following every commit of C{store}.

        @param clock: times stalled connections (the reactor unless a test moves time).
        """
        factory = LiveFactory(options, clock or reactor, reactor)
        factory.hub = hub = Hub(factory.prepareMessage, version, options.ring_size)
        store.add_listener(hub.committed)
        return cls(hub, factory, options)

    async def warm(self, store: BoardStore) -> None:
        """
        Fill the hub's rings from the store's logs, so that screens that watched the
        previous process resume with exactly what they missed.  Run before listening.
        """
        for slug in await store.slugs():
            history = await store.events_since(slug, 0, WARM_LIMIT + 1)
            if len(history) > WARM_LIMIT:
                # Replaying it would hold up the start; those clients get a snapshot.
                self._log.info("live: not warming {slug}, its log is long", slug=slug)
                continue
            self.hub.warm(history)

    def connect(self, request: IRequest, board: Board, hub: Hub[Any] | None = None) -> IResource:
        """
        The resource that upgrades C{request} to a live connection on C{board}: its
        public stream, or C{hub}'s (a private one whose route checked who may see it).

        @raise ApiError: 426 when it is not a WebSocket upgrade.
        """
        upgrade = request.getHeader(b"upgrade") or b""
        if b"websocket" not in upgrade.lower():
            request.setHeader(b"upgrade", b"websocket")
            raise ApiError(
                426, "upgrade_required", "this is a WebSocket endpoint: connect with ws(s)://"
            )
        opening = _Opening(
            self.factory,
            hub or self.hub,
            board,
            _int_arg(request, b"since"),
            _int_arg(request, b"epoch"),
        )
        resource: IResource = WebSocketResource(opening)  # type: ignore[no-untyped-call]
        return resource

    def serving(self, urls: Sequence[str]) -> None:
        """
        The server listens on C{urls}: pages served from there may connect.
        """
        origins = allowed_origins(self.options.origins, urls)
        self.factory.allow(origins)
        self._log.info("live updates accept origins {origins}", origins=" ".join(origins))

    def status(self) -> JSON:
        return {
            "connections": len(self.factory.connections),
            "boards": {
                slug: {"subscribers": count, "seq": self.hub.head(slug)}
                for slug, count in self.hub.subscribers().items()
            },
        }

    def close_all(self) -> None:
        """
        Tell every client the server is going away (they reconnect with C{since}).
        """
        for protocol in list(self.factory.connections):
            # 1001 "going away" is the right code, but sendClose only takes 1000 and
            # 3000-4999; sendCloseFrame does the same state keeping without that check.
            protocol.sendCloseFrame(1001, b"server shutting down")


@implementer(IResource)
class LiveRoute:
    """
    The site's root resource, with a short way in for live upgrades.

    A reconnect storm (a server restart, a venue's Wi-Fi coming back) is thousands of
    upgrades at once, and each one walked two Klein apps (two werkzeug matches, a
    coroutine, several Deferreds) before Autobahn saw it: a quarter of the cost of
    accepting a client.  An upgrade of C{/api/events/{slug}/live} for a board the store
    has in memory goes straight to L{Live.connect}; every other request, and every live
    request whose answer is not a plain "yes" (not an upgrade, an unknown board, a board
    not in memory), goes to C{inner}, the Klein app, whose route gives the same answer
    with its errors.

    @ivar inner: the site's Klein resource, a leaf like this one, so it sees the request
        exactly as if it were the root.
    """

    isLeaf = True

    def __init__(self, inner: IResource, live: Live, store: BoardStore) -> None:
        self._inner = inner
        self._live = live
        self._store = store

    def render(self, request: IRequest) -> bytes | int:
        board = self._board(request)
        if board is None:
            rendered: bytes | int = self._inner.render(request)
            return rendered
        shortcut: bytes | int = self._live.connect(request, board).render(request)
        return shortcut

    def _board(self, request: IRequest) -> Board | None:
        path = request.postpath or []
        if (
            len(path) != 4
            or path[0] != b"api"
            or path[1] != b"events"
            or path[3] != b"live"
            or request.method != b"GET"
            or b"websocket" not in (request.getHeader(b"upgrade") or b"").lower()
        ):
            return None
        try:
            slug = path[2].decode("utf-8")
        except UnicodeDecodeError:
            return None
        found: list[object] = []
        # The store answers from memory, at once, for a board it holds; a board it has to
        # read takes the long way (which reads it).
        self._store.board(slug).addBoth(found.append)
        return found[0] if found and isinstance(found[0], Board) else None

    def getChildWithDefault(self, name: bytes, request: IRequest) -> IResource:
        child: IResource = self._inner.getChildWithDefault(name, request)
        return child

    def putChild(self, path: bytes, child: IResource) -> None:
        self._inner.putChild(path, child)


def _int_arg(request: IRequest, name: bytes) -> int | None:
    """
    A non-negative integer query argument; a missing or malformed one is L{None}, which
    earns the client a snapshot rather than an error it could not read.
    """
    values = (request.args or {}).get(name)
    if not values or not values[0].isdigit():
        return None
    return int(values[0])
