"""
The root of the web site: health check, and the branches every part hangs from.

Everything is served on one port: C{/api/} is the JSON API (L{openspace.web.api}); the
pages and assets (L{openspace.web.pages}) take every other path; the live WebSocket
endpoint hangs from this root too.
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
                webhooks=self.api.webhooks,
            ),
            takes_self=True,
        )
    )
    _api_resource: Resource = field(init=False)
    _pages_resource: Resource = field(init=False)

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        self._api_resource = self.api.app.resource()
        self._pages_resource = self.pages.app.resource()

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
