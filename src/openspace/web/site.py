"""
The root of the web site: health check, and the branches every part hangs from.

Everything is served on one port: C{/api/} is the JSON API (L{openspace.web.api}); pages
and the live WebSocket endpoint hang from this root too.
"""

from __future__ import annotations

from typing import ClassVar

from attrs import define, field
from klein import Klein, KleinRenderable
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource
from twisted.web.server import Site
from twisted.web.util import Redirect

from openspace.web.api import JSONAPI
from openspace.web.errors import write_json
from openspace.web.limits import limited_site


@define
class Root:
    api: JSONAPI
    _api_resource: Resource = field(init=False)

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        self._api_resource = self.api.app.resource()

    @app.route("/healthz", methods=["GET", "HEAD"])
    def healthz(self, request: IRequest) -> bytes:
        request.setHeader(b"cache-control", b"no-store")
        return write_json(request, 200, {"ok": True})

    @app.route("/api/", branch=True)
    def api_branch(self, request: IRequest) -> KleinRenderable:
        return self._api_resource

    @app.route("/", methods=["GET", "HEAD"])
    def home(self, request: IRequest) -> KleinRenderable:
        return Redirect(b"/api/events")


def make_site(root: Root) -> Site:
    return limited_site(root.app.resource())
