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
# What the worker caches on install: what the first page already loaded (so it comes
# from the HTTP cache); the outbox and its view follow on the next page it serves.
SHELL = ("site.css", "common.js", "board.js", "live.js", "offline.js")
LATER = ("outbox.js", "offline-ui.js")
WORKER = ("outbox.js", "sw.js")


def offline_head(assets: Assets, board: Board) -> list[Tag]:
    """
    What a page that works offline adds to its head: the event's manifest, the theme
    colour and the scripts that register the worker and keep the outbox.
    """
    return [
        tags.link(rel="manifest", href=f"/e/{board.info.slug}/manifest.webmanifest"),
        tags.meta(name="theme-color", content=THEME),
        tags.script(
            src=assets.url("offline.js"),
            defer="",
            **{"data-outbox": assets.url("outbox.js"), "data-ui": assets.url("offline-ui.js")},
        ),
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


def _lean(script: str) -> str:
    """
    C{script} without comment lines and indentation: safe for our own scripts, which
    never start a line inside a string or a template.
    """
    lines = (line.strip() for line in script.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@define
class Offline:
    store: BoardStore
    assets: Assets
    _worker: bytes = field(init=False)
    _worker_gzipped: bytes = field(init=False)

    def __attrs_post_init__(self) -> None:
        urls = {name: self.assets.url(name) for name in (*SHELL, *LATER)}
        version = hashlib.sha256(
            "".join(sorted(asset.url for asset in self.assets.by_name.values())).encode()
        ).hexdigest()[:12]
        config = json.dumps(
            {"version": version, "assets": urls, "later": [urls[name] for name in LATER]},
            separators=(",", ":"),
        )
        # The outbox is part of the worker's own script (not imported), and the worker
        # is served without its comments: together they are the first visit's cost.
        parts = [f"self.OS={config};", *(self.assets.by_name[n].body.decode() for n in WORKER)]
        self._worker = "\n".join(_lean(part) for part in parts).encode()
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
