"""
The feeds' routes: calendars, schedule exports, the change feed, and private
"my open spaces" calendars.

| route | what |
| --- | --- |
| C{/e/{slug}/board.ics} | every visible session and meetup |
| C{/e/{slug}/rooms/{id}.ics} | one room's sessions (and meetups at a hallway spot) |
| C{/e/{slug}/s/{id}.ics} | one session ("Add to calendar") |
| C{/e/{slug}/my.ics?token=…} | a private "my open spaces" calendar |
| C{/e/{slug}/schedule.xml}, C{schedule.json} | frab/c3voc, C{?with=official} merges |
| C{/e/{slug}/pycon-open-spaces.json} | the PyCon US app's C{open-spaces} array |
| C{/e/{slug}/changes.atom} | what changed |
| C{/e/{slug}/calendar} | the "Subscribe in your calendar" page; POST makes a private feed |

Every feed comes from the L{ExportCache} (built once per board seq, off the reactor)
with a strong C{ETag} (a digest of its bytes) and C{Last-Modified}; C{If-None-Match}
or C{If-Modified-Since} that match get C{304} with no body.  This app sits in front of
the pages (L{openspace.web.pages.app.Pages}): whatever it does not route, they do.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

from attrs import define, field
from klein import Klein, KleinRenderable
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource

from openspace.clock import utc_now
from openspace.exports import atom, c3voc_json, frab_xml, ical, pycon
from openspace.exports.document import Links
from openspace.fields import ID_ATTENDEE
from openspace.idempotency import Reply
from openspace.model import Board
from openspace.store.feeds import MAX_STARS, FeedStore, PersonalFeed, SQLFeedStore
from openspace.store.interface import Write
from openspace.store.sql import SQLBoardStore
from openspace.tokens import digest
from openspace.web.assets import accepts_gzip
from openspace.web.auth import bearer_token
from openspace.web.bodies import read_json
from openspace.web.cookies import read_cookie
from openspace.web.csrf import CSRFError
from openspace.web.errors import ApiError, write_error
from openspace.web.feedcache import Build, ExportCache, Runner, Served
from openspace.web.headers import security_headers
from openspace.web.idempotent import Writes, write_reply
from openspace.web.pages import calendar as calendar_pages
from openspace.web.pages.app import ATTENDEE_COOKIE, Pages, origin
from openspace.web.pages.attendee import message_page
from openspace.web.pages.html import form_value
from openspace.web.pages.page_error import PageError
from openspace.web.sessions import edit_key

#: How long shared caches and calendar apps may reuse a public feed without asking.
PUBLIC_MAX_AGE = 60


@define
class Feeds:
    """
    The feeds, in front of the pages' resource C{fallback}.

    @ivar feeds: the private feeds' store, or L{None} where there is none (no
        "my open spaces" then).
    """

    pages: Pages
    cache: ExportCache
    fallback: Resource
    feeds: FeedStore | None = None
    _private: dict[str, tuple[float, PersonalFeed | None]] = field(factory=dict)
    _writes: Writes = field(init=False)

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        self._writes = Writes(self.pages.store, self.pages.clock)

    @app.handle_errors(PageError)
    async def _page_error(self, request: IRequest, failure: Failure) -> bytes:
        error = failure.value
        assert isinstance(error, PageError)
        page = message_page(self.pages.assets, error.board, error.title, error.text)
        return await self.pages.send(request, page, error.status)

    @app.handle_errors(CSRFError)
    async def _csrf_error(self, request: IRequest, failure: Failure) -> bytes:
        page = message_page(
            self.pages.assets,
            None,
            "Please try again",
            "This form was too old or did not come from this site, so nothing was changed. "
            "Go back, reload the page and send it again.",
        )
        return await self.pages.send(request, page, 403)

    @app.handle_errors(ApiError)
    def _api_error(self, request: IRequest, failure: Failure) -> bytes:
        error = failure.value
        assert isinstance(error, ApiError)
        return write_error(request, error)

    @app.route("/", branch=True)
    def everything_else(self, request: IRequest) -> KleinRenderable:
        return self.fallback

    # --- public feeds ---

    @app.route("/e/<slug>/board.ics", methods=["GET", "HEAD"])
    async def board_ics(self, request: IRequest, slug: str) -> bytes:
        links, memo = self._links(request), self.cache.memo(slug)
        return await self._feed(
            request,
            slug,
            ("board.ics", links),
            lambda h, now: ical.board_calendar(h, links, now, memo),
        )

    @app.route("/e/<slug>/rooms/<room_id>.ics", methods=["GET", "HEAD"])
    async def room_ics(self, request: IRequest, slug: str, room_id: str) -> bytes:
        board = await self.pages.board(slug)
        if board.room(room_id) is None:
            raise PageError(404, "Not found", "There is no such room.", board)
        links, memo = self._links(request), self.cache.memo(slug)
        return await self._feed(
            request,
            slug,
            ("room.ics", room_id, links),
            lambda h, now: ical.room_calendar(h, links, now, room_id, memo),
        )

    @app.route("/e/<slug>/s/<session_id>.ics", methods=["GET", "HEAD"])
    async def session_ics(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board = await self.pages.board(slug)
        session = board.sessions.get(session_id)
        if session is None or session.hidden:
            raise PageError(404, "Not found", "There is no such session on the board.", board)
        links, memo = self._links(request), self.cache.memo(slug)
        request.setHeader(
            b"content-disposition", f'attachment; filename="{session_id}.ics"'.encode("ascii")
        )
        return await self._feed(
            request,
            slug,
            ("session.ics", session_id, links),
            lambda h, now: ical.session_calendar(h, links, now, session_id, memo),
        )

    @app.route("/e/<slug>/schedule.<any(xml, json):syntax>", methods=["GET", "HEAD"])
    async def schedule(self, request: IRequest, slug: str, syntax: str) -> bytes:
        links, official = self._links(request), _with_official(request)
        write = frab_xml.schedule_xml if syntax == "xml" else c3voc_json.schedule_json
        return await self._feed(
            request,
            slug,
            ("schedule", syntax, official, links),
            lambda h, now: write(h, links, official=official),
        )

    @app.route("/e/<slug>/pycon-open-spaces.json", methods=["GET", "HEAD"])
    async def pycon_json(self, request: IRequest, slug: str) -> bytes:
        return await self._feed(
            request, slug, ("pycon.json",), lambda h, now: pycon.open_spaces_json(h)
        )

    @app.route("/e/<slug>/changes.atom", methods=["GET", "HEAD"])
    async def changes(self, request: IRequest, slug: str) -> bytes:
        links = self._links(request)
        return await self._feed(
            request, slug, ("changes.atom", links), lambda h, now: atom.changes_atom(h, links)
        )

    # --- private feeds ---

    @app.route("/e/<slug>/my.ics", methods=["GET", "HEAD"])
    async def my_ics(self, request: IRequest, slug: str) -> bytes:
        """
        The token is in the query string, which the access log never records.
        """
        board = await self.pages.board(slug)
        token = form_value(request.args, "token")
        feed = await self._find(token)
        if feed is None or feed.slug != slug:
            raise PageError(
                404, "Not found", "This private calendar link does not work (any more)."
            )
        links, memo = self._links(request), self.cache.memo(slug)
        key = ("my.ics", digest(token), feed, links)
        served = await self.cache.document(
            board,
            key,
            lambda h, now: ical.personal_calendar(
                h,
                links,
                now,
                starred=feed.stars,
                attendee=feed.attendee,
                owner=feed.owner,
                memo=memo,
            ),
            going=True,
        )
        return self._send(request, served, private=True)

    @app.route("/e/<slug>/calendar", methods=["GET"])
    async def calendar_page(self, request: IRequest, slug: str) -> bytes:
        board = await self.pages.board(slug)
        board_feed = self._links(request).feed(board, "board.ics")
        page = calendar_pages.calendar_page(
            self.pages.assets, board, board_feed, self.pages.csrf.token(request)
        )
        return await self.pages.send(request, page)

    @app.route("/e/<slug>/calendar", methods=["POST"])
    async def make_feed(self, request: IRequest, slug: str) -> bytes:
        board = await self.pages.board(slug)
        self.pages.csrf.check(request)
        store = self._store(board)
        attendee = read_cookie(request, ATTENDEE_COOKIE)
        key = edit_key(request)
        feed = PersonalFeed(
            slug,
            attendee if attendee is not None and ID_ATTENDEE.match(attendee) else None,
            digest(key) if key else None,
            frozenset(_stars(board, form_value(request.args, "stars"))),
        )
        token = await store.create(feed, utc_now(self.pages.clock))
        url = self._links(request).feed(board, f"my.ics?token={token}")
        page = calendar_pages.personal_feed_page(
            self.pages.assets, board, url, token, self.pages.csrf.token(request)
        )
        return await self.pages.send(request, page, private=True)

    @app.route("/e/<slug>/calendar/revoke", methods=["POST"])
    async def revoke_form(self, request: IRequest, slug: str) -> bytes:
        board = await self.pages.board(slug)
        self.pages.csrf.check(request)
        token = form_value(request.args, "token")
        stopped = bool(token) and await self._revoke(board, token)
        page = calendar_pages.revoked_page(self.pages.assets, board, stopped)
        return await self.pages.send(request, page, private=True)

    @app.route("/e/<slug>/calendar/stars", methods=["PUT"])
    async def sync_stars(self, request: IRequest, slug: str) -> bytes:
        """
        The board's script keeps a private feed's stars in step with C{localStorage}:
        C{{"stars": [session ids]}}, with C{Authorization: Bearer <feed token>}.  The
        browser's edit key cookie, if any, makes its sessions part of the feed too.
        """
        board = await self._api_board(slug)
        token = _bearer(request)
        body = read_json(request)
        stars = body.get("stars")
        if not isinstance(stars, list) or not all(isinstance(s, str) for s in stars):
            raise ApiError(422, "invalid", "stars must be a list of session ids", "stars")
        if len(stars) > MAX_STARS:
            raise ApiError(422, "invalid", f"at most {MAX_STARS} stars", "stars")
        known = [s for s in stars if s in board.sessions]
        key = edit_key(request)
        owner = digest(key) if key else None
        work = self._store(board).starring(slug, token, known, utc_now(self.pages.clock), owner)
        return await self._feed_write(request, slug, token, work)

    @app.route("/e/<slug>/calendar", methods=["DELETE"])
    async def revoke(self, request: IRequest, slug: str) -> bytes:
        board = await self._api_board(slug)
        token = _bearer(request)
        return await self._feed_write(
            request, slug, token, self._store(board).revoking(slug, token)
        )

    async def _feed_write(
        self, request: IRequest, slug: str, token: str, work: Write[bool]
    ) -> bytes:
        """
        A private feed's change, in the board's transaction and, with an
        C{Idempotency-Key}, at most once (L{openspace.web.idempotent.Writes}).
        """

        def write(cursor: Any, board: Board | None) -> tuple[Reply, bool]:
            if not work(cursor, board):
                raise ApiError(404, "not_found", "no such private feed")
            return Reply(204), True

        done = await self._writes.run(request, slug, write)
        self._private.pop(digest(token), None)
        return write_reply(request, done.reply)

    # --- plumbing ---

    def _links(self, request: IRequest) -> Links:
        return Links(origin(request))

    async def _feed(
        self, request: IRequest, slug: str, key: tuple[Hashable, ...], build: Build
    ) -> bytes:
        board = await self.pages.board(slug)
        served = await self.cache.document(board, key, build)
        return self._send(request, served, private=False)

    def _send(self, request: IRequest, served: Served, *, private: bool) -> bytes:
        security_headers(request)
        request.setHeader(b"etag", served.etag)
        request.setHeader(b"last-modified", served.last_modified)
        request.setHeader(
            b"cache-control",
            b"private, no-cache" if private else f"public, max-age={PUBLIC_MAX_AGE}".encode(),
        )
        request.setHeader(b"vary", b"Accept-Encoding")
        if not private:
            # Public data: web-based schedule apps may read it from their own origin.
            request.setHeader(b"access-control-allow-origin", b"*")
        if _not_modified(request, served):
            request.setResponseCode(304)
            return b""
        request.setHeader(b"content-type", served.document.media_type.encode("ascii"))
        if accepts_gzip(request):
            request.setHeader(b"content-encoding", b"gzip")
            return served.gzipped
        return served.document.body

    def _store(self, board: Board) -> FeedStore:
        if self.feeds is None:
            raise PageError(404, "Not found", "Private calendars are not offered here.", board)
        return self.feeds

    async def _find(self, token: str) -> PersonalFeed | None:
        """
        The feed C{token} opens, remembered for L{PRIVATE_TTL} seconds so that polls
        do not each ask the database (a revocation on another node takes that long).
        """
        if self.feeds is None or not token:
            return None
        key = digest(token)
        now = self.pages.clock.seconds()
        known = self._private.get(key)
        if known is not None and now - known[0] < PRIVATE_TTL:
            return known[1]
        feed = await self.feeds.find(token)
        if len(self._private) >= MAX_PRIVATE:
            self._private.clear()
        self._private[key] = (now, feed)
        return feed

    async def _revoke(self, board: Board, token: str) -> bool:
        slug = board.info.slug
        stopped = await self.pages.store.write(slug, self._store(board).revoking(slug, token))
        self._private.pop(digest(token), None)
        return stopped

    async def _api_board(self, slug: str) -> Board:
        board = await self.pages.store.board(slug)
        if board is None:
            raise ApiError(404, "not_found", f"there is no event {slug!r}")
        if self.feeds is None:
            raise ApiError(404, "not_found", "private calendars are not offered here")
        return board


#: Seconds a private feed's row is remembered between polls.
PRIVATE_TTL = 30.0

#: How many private feeds' rows are remembered at once.
MAX_PRIVATE = 10_000


def _with_official(request: IRequest) -> bool:
    return form_value(request.args, "with") == "official"


def _stars(board: Board, text: str) -> list[str]:
    try:
        stars = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []
    if not isinstance(stars, list):
        return []
    return [s for s in stars[:MAX_STARS] if isinstance(s, str) and s in board.sessions]


def _bearer(request: IRequest) -> str:
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "unauthorized", "send the feed's token as Authorization: Bearer …")
    return token


def _not_modified(request: IRequest, served: Served) -> bool:
    """
    RFC 9110 §13.1: C{If-None-Match} decides when present, else C{If-Modified-Since}.
    """
    match = request.getHeader(b"if-none-match")
    if match is not None:
        candidates = [c.strip().removeprefix(b"W/") for c in match.split(b",")]
        return served.etag in candidates or b"*" in candidates
    since = request.getHeader(b"if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        return False
    return served.document.last_modified.replace(microsecond=0) <= moment


def feeds_in_front(pages: Pages, run: Runner, fallback: Resource) -> Feeds:
    """
    The feeds for C{pages}' store, in front of C{fallback}; private feeds where the
    store is an SQL one.
    """
    store = pages.store
    private = SQLFeedStore.beside(store) if isinstance(store, SQLBoardStore) else None
    return Feeds(pages, ExportCache(store, pages.clock, run), fallback, private)
