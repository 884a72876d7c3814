"""
The root of the web site: health check, and the branches every part hangs from.

Everything is served on one port: C{/api/} is the JSON API (L{openspace.web.api}); the
feeds (L{openspace.web.feeds}: calendars, schedule exports, Atom) answer their own
paths, and the pages and assets (L{openspace.web.pages}) take every other path; the
live WebSocket endpoint hangs from this root too.
"""

from __future__ import annotations

from typing import ClassVar

from attrs import Factory, define, field
from klein import Klein, KleinRenderable
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource
from twisted.web.server import Site

from openspace.web.api import JSONAPI
from openspace.web.errors import write_json
from openspace.web.feedcache import Runner, inline
from openspace.web.feeds import Feeds, feeds_in_front
from openspace.web.limits import limited_site
from openspace.web.pages.app import Pages


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
            ),
            takes_self=True,
        )
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

    @app.route("/api/", branch=True)
    def api_branch(self, request: IRequest) -> KleinRenderable:
        return self._api_resource

    @app.route("/", branch=True)
    def pages_branch(self, request: IRequest) -> KleinRenderable:
        return self._pages_resource


def make_site(root: Root) -> Site:
    return limited_site(root.app.resource())
