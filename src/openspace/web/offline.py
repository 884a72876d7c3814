"""
What makes the board installable and readable offline: the web app manifest of each
event and the service worker script, served from C{/sw.js} so that its scope covers
every event's pages.

The worker's own logic is C{static/sw.js}; this module prefixes it with the release's
fingerprinted asset URLs and their version, so the script's bytes change whenever an
asset does and browsers install the new worker (which drops the old caches).  Pages
link the manifest and load the offline scripts through L{offline_head}.  See README
"Offline phones".
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from attrs import define, field
from twisted.web.iweb import IRequest
from twisted.web.template import Tag, tags

from openspace.model import Board
from openspace.store.interface import BoardStore
from openspace.web.assets import Assets, send_compressible
from openspace.web.headers import security_headers

THEME = "#0b5394"
# The assets every offline-capable page needs; the worker caches them on install.
SHELL = ("site.css", "common.js", "board.js", "live.js", "outbox.js", "offline.js")
OFFLINE_SCRIPTS = ("outbox.js", "offline.js")


def offline_head(assets: Assets, board: Board) -> list[Tag]:
    """
    What a page that works offline adds to its head: the event's manifest, the theme
    colour and the scripts that register the worker and keep the outbox.
    """
    return [
        tags.link(rel="manifest", href=f"/e/{board.info.slug}/manifest.webmanifest"),
        tags.meta(name="theme-color", content=THEME),
        *[tags.script(src=assets.url(name), defer="") for name in OFFLINE_SCRIPTS],
    ]


def manifest(assets: Assets, board: Board) -> dict[str, Any]:
    start = f"/e/{board.info.slug}/"
    return {
        "name": board.info.name,
        "short_name": board.info.name[:12],
        "id": start,
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "theme_color": THEME,
        "background_color": "#ffffff",
        "icons": [
            {"src": assets.url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": assets.url("icon.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }


@define
class Offline:
    store: BoardStore
    assets: Assets
    _worker: bytes = field(init=False)
    _worker_gzipped: bytes = field(init=False)

    def __attrs_post_init__(self) -> None:
        urls = {name: self.assets.url(name) for name in SHELL}
        version = hashlib.sha256(
            "".join(sorted(asset.url for asset in self.assets.by_name.values())).encode()
        ).hexdigest()[:12]
        config = json.dumps({"version": version, "assets": urls}, separators=(",", ":"))
        self._worker = f"self.OS={config};\n".encode() + self.assets.by_name["sw.js"].body
        self._worker_gzipped = gzip.compress(self._worker, compresslevel=9, mtime=0)

    def service_worker(self, request: IRequest) -> bytes:
        security_headers(request)
        request.setHeader(b"content-type", b"text/javascript; charset=utf-8")
        # Browsers check for a new worker on every navigation; never a stale copy.
        request.setHeader(b"cache-control", b"no-cache")
        return send_compressible(request, self._worker, self._worker_gzipped)

    async def manifest(self, request: IRequest, slug: str) -> bytes:
        security_headers(request)
        board = await self.store.board(slug)
        if board is None:
            request.setResponseCode(404)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"no such event\n"
        request.setHeader(b"content-type", b"application/manifest+json")
        request.setHeader(b"cache-control", b"no-cache")
        body = json.dumps(manifest(self.assets, board), ensure_ascii=False).encode("utf-8")
        return send_compressible(request, body)
