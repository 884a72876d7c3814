"""
Static assets (CSS, JS) under fingerprinted names, gzipped once, cached for a year.

At start-up every file of the C{static/} folder is read, hashed and compressed.  Pages
link to C{/static/board.3f2a9c1d07.css}: the name changes whenever the content does, so
browsers may keep each file forever (C{Cache-Control: immutable}) and a new release is
still picked up at once.  Unknown or stale names are 404s, never an old file.

The folder is the repository's C{static/} in a source checkout (an editable install) and
C{openspace/static} inside an installed wheel (pyproject force-includes it there).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from attrs import frozen
from twisted.web.iweb import IRequest

CONTENT_TYPES: Mapping[str, bytes] = {
    ".css": b"text/css; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".svg": b"image/svg+xml",
    ".ico": b"image/vnd.microsoft.icon",
    ".png": b"image/png",
}
YEAR = 365 * 24 * 3600


def static_folder() -> Path:
    """
    Where the assets are: inside the installed package, else the source checkout.
    """
    packaged = Path(str(files("openspace"))) / "static"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "static"


@frozen
class Asset:
    name: str
    url: str
    content_type: bytes
    body: bytes
    gzipped: bytes


@frozen
class Assets:
    """
    The assets by their logical name (C{"board.css"}) and by their fingerprinted name.
    """

    by_name: Mapping[str, Asset]
    by_file: Mapping[str, Asset]

    @classmethod
    def load(cls, folder: Path | None = None) -> Assets:
        folder = folder or static_folder()
        found = []
        for path in sorted(folder.iterdir()):
            if path.suffix not in CONTENT_TYPES or not path.is_file():
                continue
            body = shipped(path.suffix, path.read_bytes())
            fingerprint = hashlib.sha256(body).hexdigest()[:10]
            file_name = f"{path.stem}.{fingerprint}{path.suffix}"
            # mtime=0 keeps the gzip bytes (and so their length) the same on every start.
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            found.append(
                Asset(path.name, f"/static/{file_name}", CONTENT_TYPES[path.suffix], body, packed)
            )
        return cls(
            {asset.name: asset for asset in found},
            {asset.url.rsplit("/", 1)[1]: asset for asset in found},
        )

    def url(self, name: str) -> str:
        return self.by_name[name].url


_JS_COMMENT_LINE = re.compile(rb"^[ \t]*//.*\n", re.MULTILINE)
_CSS_COMMENT = re.compile(rb"/\*.*?\*/\n?", re.DOTALL)


def shipped(suffix: str, body: bytes) -> bytes:
    """
    What browsers get of a source file: without its comments (whole-line C{//} comments
    of scripts, which use no template literals; C{/* */} in stylesheets), which are for
    the people who read the sources and were a tenth of the board's first load.
    """
    if suffix == ".js":
        return _JS_COMMENT_LINE.sub(b"", body)
    if suffix == ".css":
        return _CSS_COMMENT.sub(b"", body)
    return body


def accepts_gzip(request: IRequest) -> bool:
    header: bytes | None = request.getHeader(b"accept-encoding")
    if header is None:
        return False
    for part in header.lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() == b"gzip":
            return params.replace(b" ", b"") not in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000")
    return False


def send_compressible(request: IRequest, body: bytes, gzipped: bytes | None = None) -> bytes:
    """
    Answer with C{body}, gzipped when the client accepts it (C{gzipped} if already made).
    """
    request.setHeader(b"vary", b"Accept-Encoding")
    if not accepts_gzip(request):
        return body
    request.setHeader(b"content-encoding", b"gzip")
    return gzipped if gzipped is not None else gzip.compress(body, compresslevel=6)


def serve_asset(request: IRequest, assets: Assets, file_name: str) -> bytes:
    asset = assets.by_file.get(file_name)
    if asset is None:
        request.setResponseCode(404)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        return b"no such asset\n"
    request.setHeader(b"content-type", asset.content_type)
    request.setHeader(b"cache-control", f"public, max-age={YEAR}, immutable".encode())
    return send_compressible(request, asset.body, asset.gzipped)
