"""
The openspace server as a Twisted service: open the store, set up the demo if asked,
then listen on every endpoint; on stop, stop listening and close the store.

The database is an SQLite file (one process) or a PostgreSQL URL (one of several nodes:
the service then also follows the other nodes' commits, see L{openspace.store.pgnotify}).

Both C{openspace serve} and C{twist openspace} run this service.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen
from twisted.application.service import Service
from twisted.internet.defer import Deferred, DeferredList, maybeDeferred
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IListeningPort
from twisted.logger import Logger
from twisted.web.server import Site

from openspace import demo
from openspace.clock import Clock, utc_now
from openspace.commands import SYSTEM
from openspace.metrics import Metrics
from openspace.model import ScheduleSource
from openspace.official.sources import (
    SourcePollers,
    attach_sources,
    poll_while_leading,
    source_pollers,
)
from openspace.store.interface import BoardStore, MissingDriver
from openspace.store.sql import SQLBoardStore
from openspace.store.sqlite import SQLiteDialect, open_sqlite_store, sqlite_pool
from openspace.tokens import TOKEN_ENV, TOKEN_FILE_ENV, SecretError, load_facilitator_key
from openspace.web.api import JSONAPI
from openspace.web.assets import static_folder
from openspace.web.channel import GuardedSite
from openspace.web.desk_live import DeskLive
from openspace.web.feedcache import in_threads
from openspace.web.instrument import MetricsOnly, instrument
from openspace.web.limits import LimitOptions
from openspace.web.live import Live, LiveOptions, asset_version
from openspace.web.pages.fragments import Fragments
from openspace.web.site import Root, make_site
from openspace.webhooks.dispatcher import Dispatcher, deliver_while_leading, dispatcher
from openspace.webhooks.registry import Webhooks
from openspace.webhooks.storage import HookStore

if TYPE_CHECKING:
    from openspace.leadership import Leadership
    from openspace.store.pgnotify import ChangeFeed

DEFAULT_LISTEN = "tcp:8080:interface=127.0.0.1"
DEFAULT_DB = "openspace.sqlite3"
DB_ENV = "OPENSPACE_DB"
DB_HELP = f"SQLite file or postgresql:// URL (default ${DB_ENV}, else {DEFAULT_DB})"
TOKEN_FILE_NAME = "openspace-facilitator-token"  # noqa: S105 - a file name


@frozen
class ServerConfig:
    """
    @ivar token_file: where the facilitator token is; see L{load_facilitator_key}.
    @ivar sources: official schedule sources to add to C{source_event} (the demo event
        with C{demo}, else the only event when L{None}); see L{attach_sources}.
    @ivar public_status: serve C{/api/status} to anyone, not only with the facilitator
        token.
    @ivar limits: rate limits, connection caps and deadlines (L{LimitOptions}).
    @ivar metrics_listen: endpoints serving only C{/metrics}, to anyone who reaches
        them; on the main port it needs the facilitator token.
    @ivar freeze_gc: once listening, move everything start-up made out of the garbage
        collector's way (C{gc.freeze()}); servers do, tests need not.
    """

    db: str = DEFAULT_DB
    listen: tuple[str, ...] = (DEFAULT_LISTEN,)
    demo: bool = False
    token_file: Path | None = None
    environ: Mapping[str, str] = field(factory=lambda: dict(os.environ))
    live: LiveOptions = field(factory=LiveOptions)
    freeze_gc: bool = False
    sources: tuple[ScheduleSource, ...] = ()
    source_event: str | None = None
    public_status: bool = False
    limits: LimitOptions = field(factory=LimitOptions)
    metrics_listen: tuple[str, ...] = ()


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def require_driver(db: str) -> None:
    """
    Fail with L{MissingDriver} if C{db} is a PostgreSQL URL and psycopg is missing.
    """
    if is_postgres_url(db):
        try:
            import psycopg  # noqa: F401
        except ImportError as e:
            raise MissingDriver(
                "a postgresql:// database needs psycopg: pip install 'openspace[postgres]'"
            ) from e


def database(given: str | None, environ: Mapping[str, str]) -> str:
    """
    The database to use: C{--db}, else C{$OPENSPACE_DB}, else the default SQLite file.
    """
    return given or environ.get(DB_ENV) or DEFAULT_DB


async def open_store(db: str, reactor: Any) -> SQLBoardStore:
    """
    Open the store C{db} names, ready to serve: a C{postgresql://} URL (its schema must
    be current) or an SQLite file (created and migrated if needed).
    """
    # psycopg is optional: only PostgreSQL imports it.
    if is_postgres_url(db):
        from openspace.store.postgres import open_postgres_store

        return await open_postgres_store(db, reactor)
    return await open_sqlite_store(Path(db), reactor)


def unopened_store(db: str, reactor: Any) -> SQLBoardStore:
    """
    A store on C{db} that nothing has checked or migrated yet, for C{openspace migrate}.
    """
    if is_postgres_url(db):
        from openspace.store.postgres import postgres_store

        return postgres_store(db, reactor)
    return SQLBoardStore(sqlite_pool(Path(db), reactor), SQLiteDialect())


class OpenspaceService(Service):
    """
    @ivar ready: fires with the URLs being served once every endpoint listens.
    """

    _log = Logger()

    def __init__(self, config: ServerConfig, reactor: Any, clock: Clock | None = None) -> None:
        self.config = config
        self.reactor = reactor
        # "Now" for the board rules; tests give a task.Clock to move time.
        self.clock: Clock = clock or reactor
        self.ready: Deferred[list[str]] = Deferred()
        self.ports: list[IListeningPort] = []
        self.metrics_ports: list[IListeningPort] = []
        self.site: GuardedSite | None = None
        self.metrics: Metrics | None = None
        self.live: Live | None = None
        self.root: Root | None = None
        self.store: SQLBoardStore | None = None
        self.feed: ChangeFeed | None = None
        self.sources: SourcePollers | None = None
        self.leadership: Leadership | None = None
        self.webhooks: Dispatcher | None = None
        self.webhook_leadership: Leadership | None = None

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        starting = Deferred.fromCoroutine(self._start())
        starting.addCallbacks(self.ready.callback, self._failed)

    def _failed(self, failure: Any) -> None:
        self._log.critical("openspace could not start: {reason}", reason=failure.getErrorMessage())
        self.ready.errback(failure)

    async def _start(self) -> list[str]:
        config = self.config
        require_driver(config.db)
        if is_postgres_url(config.db):
            _require_shared_token(config)
        fallback = Path(config.db).resolve().parent / TOKEN_FILE_NAME
        key, origin = load_facilitator_key(config.environ, config.token_file, fallback)
        self._log.info("facilitator token read from {origin}", origin=origin)
        self.store = store = await open_store(config.db, self.reactor)
        if is_postgres_url(config.db):
            from openspace.store.pgnotify import follow

            self.feed = await follow(store, config.db, self.reactor)
        if config.demo:
            await ensure_demo(store, self.clock, config.environ)
        self.live = live = Live.create(
            store, config.live, self.reactor, asset_version(static_folder())
        )
        # Each event's frame carries the pages' HTML for it, rendered once here.
        live.hub.enrich = Fragments(self.clock)
        # A large official schedule's frame (its delta and HTML) is made in a thread.
        live.hub.offload = in_threads(self.reactor)
        # Open desks get theirs on streams of their own, for facilitators only.
        live.desk = DeskLive(
            store, self.clock, live.factory.prepareMessage, live.hub.version, config.live.ring_size
        )
        store.add_listener(live.desk.committed)
        await live.warm(store)
        server_key = key.derive("webhook-secrets")
        self.webhooks = hooks = dispatcher(
            HookStore(store), store, self.reactor, self.clock, server_key
        )
        registry = Webhooks(hooks.hooks, store, self.clock, server_key, hooks)
        self.metrics = metrics = Metrics()
        api = JSONAPI(
            store,
            self.clock,
            key,
            live=live,
            public_status=config.public_status,
            webhooks=registry,
        )
        self.root = root = Root(
            api, timer=self.reactor, metrics=metrics, run_exports=in_threads(self.reactor)
        )
        self.site = site = make_site(root, config.limits)
        # A WebSocket leaves its HTTP channel, so its end is counted here.
        live.factory.on_closed.append(lambda protocol: site.guard.release(protocol.transport))
        self.sources = await self._poll_sources(store, root.api)
        instrument(metrics, store, live, self.sources, hooks)
        if is_postgres_url(config.db):
            self.webhook_leadership = deliver_while_leading(hooks, config.db, self.reactor)
        else:
            await hooks.start()
        for description in config.listen:
            port = await serverFromString(self.reactor, description).listen(site)
            self.ports.append(port)
        urls = [_url(port) for port in self.ports]
        for description in config.metrics_listen:
            endpoint = serverFromString(self.reactor, description)
            self.metrics_ports.append(await endpoint.listen(Site(MetricsOnly(metrics))))
        live.serving(urls)
        if config.freeze_gc:
            # What start-up made (modules, classes, warmed boards) lives as long as the
            # process: frozen, full collections stop walking it (bench/README.md).
            gc.collect()
            gc.freeze()
        return urls

    async def _poll_sources(self, store: SQLBoardStore, api: JSONAPI) -> SourcePollers:
        """
        Add the command line's sources to their event, poll the sources of every event
        (with PostgreSQL, while this node leads), and let the API show how each source
        is doing.
        """
        config = self.config
        if config.sources:
            slug = demo.SLUG if config.demo else config.source_event
            await attach_sources(store, slug, config.sources, self.clock)
        sources = source_pollers(store, self.reactor, self.clock)
        api.source_statuses = sources.statuses
        if is_postgres_url(config.db):
            self.leadership = poll_while_leading(sources, config.db, self.reactor)
        else:
            await sources.start()
        return sources

    def stopService(self) -> Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        if self.live is not None:
            self.live.close_all()
        ports = self.ports + self.metrics_ports
        stopping = DeferredList([Deferred.fromCoroutine(_stop(p)) for p in ports])
        self.ports.clear()
        self.metrics_ports.clear()

        async def close(_: object) -> None:
            if self.leadership is not None:
                await self.leadership.stop()
                self.leadership = None
            if self.sources is not None:
                await self.sources.stop()
                self.sources = None
            if self.webhook_leadership is not None:
                await self.webhook_leadership.stop()
                self.webhook_leadership = None
            if self.webhooks is not None:
                await self.webhooks.stop()
                self.webhooks = None
            if self.feed is not None:
                await self.feed.stop()
                self.feed = None
            if self.store is not None:
                await self.store.close()
                self.store = None

        return stopping.addCallback(lambda ignored: Deferred.fromCoroutine(close(ignored)))


def _require_shared_token(config: ServerConfig) -> None:
    """
    Refuse to make up a token file next to a PostgreSQL database: it would be this
    node's token alone, not the other nodes'.
    """
    if config.token_file is None and not (
        config.environ.get(TOKEN_FILE_ENV) or config.environ.get(TOKEN_ENV)
    ):
        raise SecretError(
            f"with PostgreSQL every node needs the same facilitator token: set ${TOKEN_ENV} "
            f"or ${TOKEN_FILE_ENV}, or pass --facilitator-token-file"
        )


async def _stop(port: IListeningPort) -> None:
    await maybeDeferred(port.stopListening)


def _url(port: IListeningPort) -> str:
    address = port.getHost()
    host = getattr(address, "host", "127.0.0.1")
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only shown, never bound
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{getattr(address, 'port', 80)}/"


async def ensure_demo(store: BoardStore, clock: Clock, environ: Mapping[str, str]) -> None:
    """
    Create the demo event, or lay it out again if its slots are all past.
    """
    now = utc_now(clock)
    existing = await store.board(demo.SLUG)
    if existing is not None and demo.is_current(existing, now):
        return
    if existing is not None:
        await store.delete_event(demo.SLUG)
    layout = demo.demo_layout(now, demo.local_zone_name(environ))
    outcome = None
    for command in demo.demo_commands(layout):
        outcome = await store.execute(demo.SLUG, command, SYSTEM, now)
    assert outcome is not None
    for command in demo.demo_attendance(outcome.board):
        await store.execute(demo.SLUG, command, SYSTEM, now)


def urls_for(served: Sequence[str], slug: str | None) -> list[str]:
    return [url + (f"e/{slug}/" if slug else "") for url in served]
