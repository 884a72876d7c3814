"""
The site's front door for shared pages: a board, kiosk or door screen that is already
rendered for the board's current state is answered straight from memory, before any
routing, and so is the small per-visitor C{/e/<slug>/me}; everything else (and every
miss) goes on to the Klein app unchanged.

A thousand phones opening the board, or revalidating it, then cost the server little
more than a hello-world route each (bench/README.md): no routing through two Klein apps,
no coroutine, no Deferred.  The answer is byte for byte the one the Klein route gives
from the same cache (L{openspace.web.pages.shared}).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from attrs import define
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from openspace.clock import utc_now
from openspace.model import Board
from openspace.web.pages.app import Pages
from openspace.web.pages.page_error import PageError
from openspace.web.pages.screen_routes import SHARED_VIEWS, visitor_state
from openspace.web.pages.shared import answer


def _board_now(pages: Pages, slug: str) -> Board | None:
    """
    The board of C{slug} if the store has it at hand (its cache), else L{None}.
    """
    found: list[Board | None] = []
    pages.store.board(slug).addCallbacks(found.append, lambda _: None)
    return found[0] if found else None


@implementer(IResource)
@define
class SharedFirst:
    """
    A leaf resource in front of C{fallback} (the Klein app's resource, also a leaf, so
    it sees the request exactly as it would without this).
    """

    pages: Pages
    fallback: IResource
    isLeaf = True

    def getChildWithDefault(self, name: bytes, request: IRequest) -> IResource:
        return self

    def putChild(self, path: bytes, child: IResource) -> None:
        raise NotImplementedError("a leaf")

    def render(self, request: IRequest) -> Any:
        cached = self._cached(request)
        return cached if cached is not None else self.fallback.render(request)

    def _cached(self, request: IRequest) -> bytes | None:
        if request.method not in (b"GET", b"HEAD") or request.path is None:
            return None
        parts = request.path.split(b"/")
        if len(parts) != 4 or parts[0] != b"" or parts[1] != b"e":
            return None
        make_view = SHARED_VIEWS.get(parts[3])
        if make_view is None and parts[3] != b"me":
            return None
        board = _board_now(self.pages, unquote(parts[2].decode("utf-8", "replace")))
        if board is None:
            return None
        if make_view is None:
            return visitor_state(self.pages, request, board)
        try:
            view = make_view(self.pages, request, board)
        except PageError:
            return None
        page = self.pages.shared.cached(view, board, utc_now(self.pages.clock))
        return None if page is None else answer(request, page, frameable=view.frameable)
