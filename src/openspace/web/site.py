"""
The root of the web site: health checks, and the branches every part hangs from.

Everything is served on one port: C{/api/} is the JSON API (L{openspace.web.api}); the
feeds (L{openspace.web.feeds}: calendars, schedule exports, Atom) answer their own
paths, and the pages and assets (L{openspace.web.pages}) take every other path; the
live WebSocket endpoint hangs from this root too.
"""

from __future__ import annotations

from typing import ClassVar

from attrs import Factory, define, field
from klein import Klein, KleinRenderable
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from werkzeug.exceptions import NotFound

from openspace.clock import Clock
from openspace.metrics import Metrics
from openspace.web.api import JSONAPI
from openspace.web.auth import facilitator_only
from openspace.web.channel import GuardedSite
from openspace.web.errors import ApiError, write_error, write_json
from openspace.web.feedcache import Runner, inline
from openspace.web.feeds import Feeds, feeds_in_front
from openspace.web.hardened import hardened, wants_json
from openspace.web.health import Readiness
from openspace.web.instrument import request_observer, scrape
from openspace.web.limits import LimitOptions
from openspace.web.live import LiveRoute
from openspace.web.offline import Offline
from openspace.web.pages.app import Pages
from openspace.web.pages.attendee import message_page
from openspace.web.pages.fastpath import SharedFirst
from openspace.web.throttle import Throttle, ThrottledResource


@define
class Root:
    api: JSONAPI
    # The pages share the API's store, clock and facilitator key.
    pages: Pages = field(
        default=Factory(
            lambda self: Pages(
                self.api.store,
                self.api.clock,
                self.api.facilitator,
                # Looked up per request: the service sets the API's statuses later.
                source_statuses=lambda board: self.api.source_statuses(board),
                webhooks=self.api.webhooks,
                live=self.api.live,
            ),
            takes_self=True,
        )
    )
    # Deadlines of the readiness check; the API's clock unless given.
    timer: Clock | None = None
    metrics: Metrics | None = None
    offline: Offline = field(
        default=Factory(lambda self: Offline(self.api.store, self.pages.assets), takes_self=True)
    )
    #: Runs export builds off the reactor (the service gives its thread pool).
    run_exports: Runner = inline
    feeds: Feeds = field(init=False)
    _api_resource: Resource = field(init=False)
    _pages_resource: Resource = field(init=False)

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        self._api_resource = self.api.app.resource()
        # The feeds answer their own routes and hand every other path to the pages.
        self.feeds = feeds_in_front(self.pages, self.run_exports, self.pages.app.resource())
        self._pages_resource = self.feeds.app.resource()

    @app.route("/healthz", methods=["GET", "HEAD"])
    def healthz(self, request: IRequest) -> bytes:
        request.setHeader(b"cache-control", b"no-store")
        return write_json(request, 200, {"ok": True})

    @app.route("/sw.js", methods=["GET"])
    def service_worker(self, request: IRequest) -> bytes:
        return self.offline.service_worker(request)

    @app.route("/e/<slug>/manifest.webmanifest", methods=["GET"])
    async def manifest(self, request: IRequest, slug: str) -> bytes:
        return await self.offline.manifest(request, slug)

    @app.route("/readyz", methods=["GET", "HEAD"])
    async def readyz(self, request: IRequest) -> bytes:
        readiness = Readiness(
            self.api.store,
            # Looked up per request: the service sets the API's statuses later.
            lambda board: self.api.source_statuses(board),
            self.timer or self.api.clock,
        )
        ready, checks = await readiness.check()
        request.setHeader(b"cache-control", b"no-store")
        return write_json(request, 200 if ready else 503, {"ready": ready, "checks": checks})

    @app.route("/metrics", methods=["GET"])
    def metrics_page(self, request: IRequest) -> bytes:
        """
        The Prometheus metrics, for the facilitator token.
        """
        try:
            if self.metrics is None:
                raise ApiError(404, "not_found", "metrics are not collected here")
            facilitator_only(request, self.api.facilitator)
        except ApiError as error:
            return write_error(request, error)
        return scrape(request, self.metrics)

    async def refusal_page(self, request: IRequest, status: int, title: str, text: str) -> bytes:
        return await self.pages.send(
            request, message_page(self.pages.assets, None, title, text), status
        )

    @app.route("/api/", branch=True)
    def api_branch(self, request: IRequest) -> KleinRenderable:
        return self._api_resource

    @app.route("/", branch=True)
    def pages_branch(self, request: IRequest) -> KleinRenderable:
        return self._pages_resource

    @app.handle_errors(NotFound)
    def unrouted(self, request: IRequest, failure: Failure) -> KleinRenderable:
        """
        Paths no branch takes (a newline in a segment): the API answers its JSON 404,
        the pages their own "not found" page.
        """
        if wants_json(request.path):
            return write_error(request, ApiError(404, "not_found", "no such API route"))
        return self._pages_resource


def make_site(
    root: Root, limits: LimitOptions | None = None, reactor: Clock | None = None
) -> GuardedSite:
    """
    The site serving C{root} behind the rate limits and connection guards of C{limits}.

    @param reactor: times connections and requests (the global reactor by default).
    """
    limits = limits or LimitOptions()
    metrics = root.metrics
    throttle = Throttle(
        limits.limits,
        root.api.clock,
        limits.trusted_proxies,
        root.api.facilitator,
        is_facilitator=root.pages.desk.signed_in,
        refused=metrics.limited if metrics is not None else lambda limit: None,
    )
    routes: IResource = root.app.resource()
    if root.api.live is not None:
        # Live upgrades for boards in memory skip Klein's routing (behind the throttle).
        routes = LiveRoute(routes, root.api.live, root.api.store)
    # So do shared pages already rendered for the board's state (pages.fastpath).
    routes = SharedFirst(root.pages, routes)
    resource = ThrottledResource(routes, throttle, root.refusal_page)
    site = GuardedSite(resource, limits, reactor)
    if metrics is not None:
        site.observe = request_observer(metrics)
        site.guard.on_refused = metrics.connection_refused
        metrics.watch_connections(lambda: len(site.guard))
    site.requestFactory = hardened(site.requestFactory)
    return site
