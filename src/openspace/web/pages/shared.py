"""
Shared pages: the board, the kiosk and the door screen, rendered once and served from
memory to everyone.

These pages hold nothing about who asks (no CSRF token, nobody's "going": see
L{openspace.web.pages.visitor}), so their bytes depend only on the board's incarnation
and sequence number, the moment their view next changes with the clock, the schedule
sources' health, and the address they were asked at (their QR codes).  Each rendering is
kept with its gzipped form and an C{ETag}; a revalidation with C{If-None-Match} is a
C{304}.  The cache is a small LRU: odd query strings cannot grow it without bound.
Searches (C{?q=}, C{?tag=}) live on a shelf of their own, so that a stream of made-up
queries can only push other searches out, never the board or a kiosk everyone is
looking at.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime

from attrs import define, field, frozen
from twisted.web.iweb import IRequest
from twisted.web.template import Tag

from openspace.feed import board_epoch
from openspace.model import Board
from openspace.web.assets import send_compressible
from openspace.web.headers import security_headers
from openspace.web.pages.html import render

CACHED_PAGES = 256
CACHED_SEARCHES = 64


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


@frozen
class View:
    """
    One shared page as a request asks for it: its cache key, what else its bytes depend
    on (C{variant}), how to make it at a moment, and until when that rendering holds.
    """

    key: Hashable
    variant: Hashable
    make: Callable[[datetime], Tag]
    until: Callable[[datetime], datetime]
    frameable: bool = False
    search: bool = False


@define
class SharedPages:
    """
    The cache of shared pages, for one server.
    """

    size: int = CACHED_PAGES
    searches: int = CACHED_SEARCHES
    _pages: OrderedDict[Hashable, Rendered] = field(factory=OrderedDict, init=False)
    _searches: OrderedDict[Hashable, Rendered] = field(factory=OrderedDict, init=False)

    def _shelf(self, view: View) -> tuple[OrderedDict[Hashable, Rendered], int]:
        return (self._searches, self.searches) if view.search else (self._pages, self.size)

    def cached(self, view: View, board: Board, now: datetime) -> Rendered | None:
        """
        The rendering of C{view} for C{board} at C{now}, if there is one.
        """
        shelf, _ = self._shelf(view)
        page = shelf.get(view.key)
        if page is None or not page.fits(board, view.variant, now):
            return None
        shelf.move_to_end(view.key)
        return page

    async def serve(self, request: IRequest, view: View, board: Board, now: datetime) -> bytes:
        """
        Answer C{request} with C{view}, rendering it first if it is not cached for
        C{board} at C{now}.
        """
        page = self.cached(view, board, now)
        if page is None:
            body = await render(view.make(now))
            page = Rendered(
                board_epoch(board),
                board.seq,
                view.variant,
                view.until(now),
                body,
                gzip.compress(body, compresslevel=6),
                _etag(body),
            )
            shelf, size = self._shelf(view)
            shelf[view.key] = page
            while len(shelf) > size:
                shelf.popitem(last=False)
        return answer(request, page, frameable=view.frameable)


def answer(request: IRequest, page: Rendered, *, frameable: bool) -> bytes:
    """
    Send C{page}: C{304} to a client that has it, else its bytes (gzipped if accepted).
    """
    if frameable:
        # The site's request set the strict headers already (openspace.web.hardened).
        security_headers(request, frameable=True)
    request.setHeader(b"content-type", b"text/html; charset=utf-8")
    # Anyone may keep it (it is the same for everybody) but must ask again first.
    request.setHeader(b"cache-control", b"no-cache")
    request.setHeader(b"etag", page.etag)
    if not_modified(request, page.etag):
        request.setResponseCode(304)
        request.setHeader(b"vary", b"Accept-Encoding")
        return b""
    return send_compressible(request, page.body, page.gzipped)
