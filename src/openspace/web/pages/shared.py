"""
Shared pages: the board, the kiosk and the door screen, rendered once and served from
memory to everyone.

These pages hold nothing about who asks (no CSRF token, nobody's "going": see
L{openspace.web.pages.visitor}), so their bytes depend only on the board's incarnation
and sequence number, the moment their view next changes with the clock, the schedule
sources' health, and the address they were asked at (their QR codes).  Each rendering is
kept with its gzipped form and an C{ETag}; a revalidation with C{If-None-Match} is a
C{304}.  The cache is a small LRU: odd query strings cannot grow it without bound.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime

from attrs import define, field, frozen
from twisted.web.iweb import IRequest

from openspace.hub import board_epoch
from openspace.model import Board
from openspace.web.assets import send_compressible
from openspace.web.headers import security_headers

CACHED_PAGES = 256


@frozen
class Rendered:
    """
    One page's bytes, valid for C{board}'s C{seq} and C{variant} until C{until}.
    """

    epoch: int
    seq: int
    variant: Hashable
    until: datetime
    body: bytes
    gzipped: bytes
    etag: bytes

    def fits(self, board: Board, variant: Hashable, now: datetime) -> bool:
        return (
            self.seq == board.seq
            and self.epoch == board_epoch(board)
            and self.variant == variant
            and now < self.until
        )


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.sha256(body).hexdigest()[:20].encode("ascii") + b'"'


def not_modified(request: IRequest, etag: bytes) -> bool:
    sent = request.getHeader(b"if-none-match")
    return sent is not None and etag in [tag.strip() for tag in sent.split(b",")]


@define
class SharedPages:
    """
    The cache of shared pages, for one server.
    """

    size: int = CACHED_PAGES
    _pages: OrderedDict[Hashable, Rendered] = field(factory=OrderedDict, init=False)

    async def serve(
        self,
        request: IRequest,
        key: Hashable,
        board: Board,
        variant: Hashable,
        now: datetime,
        until: datetime,
        render: Callable[[], Awaitable[bytes]],
        *,
        frameable: bool = False,
    ) -> bytes:
        """
        Answer C{request} with the page cached under C{key}, rendering it first (with
        C{render}, valid until C{until}) when the cached one is for another board state.
        """
        page = self._pages.get(key)
        if page is None or not page.fits(board, variant, now):
            body = await render()
            page = Rendered(
                board_epoch(board),
                board.seq,
                variant,
                until,
                body,
                gzip.compress(body, compresslevel=6),
                _etag(body),
            )
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        self._pages.move_to_end(key)
        security_headers(request, frameable=frameable)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        # Anyone may keep it (it is the same for everybody) but must ask again first.
        request.setHeader(b"cache-control", b"no-cache")
        request.setHeader(b"etag", page.etag)
        if not_modified(request, page.etag):
            request.setResponseCode(304)
            request.setHeader(b"vary", b"Accept-Encoding")
            return b""
        return send_compressible(request, page.body, page.gzipped)
