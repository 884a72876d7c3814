"""
Rate limits on writes, sign-in attempts and live connections, in front of every route.

L{RULES} says which requests spend from which limit (L{openspace.web.limits}); a new
route that writes needs one line there.  Each request a rule matches spends a token from
its client address's bucket and, when it names a client (an edit key, an attendee id),
from that client's bucket too, so that one venue address shared by thousands of
attendees gets a generous allowance while each of them gets an ordinary one.
Facilitators are never limited.

A refused request is answered 429 with C{Retry-After}: the JSON error shape under
C{/api/}, a readable page elsewhere.  Nothing behind the throttle runs for it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from attrs import define, field, frozen
from twisted.internet.defer import Deferred
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from twisted.web.server import NOT_DONE_YET

from openspace.clock import Clock
from openspace.tokens import FacilitatorKey, digest
from openspace.web.auth import bearer_token
from openspace.web.clientaddr import ClientAddresses
from openspace.web.cookies import read_cookie
from openspace.web.errors import ApiError, write_error
from openspace.web.limits import Limit
from openspace.web.pages.app import ATTENDEE_COOKIE
from openspace.web.ratelimit import Buckets, admit
from openspace.web.sessions import EDIT_COOKIE


@frozen
class Rule:
    """
    Requests with one of C{methods} whose path matches C{path} spend from C{limit}.

    @ivar attendee_in_body: the JSON body's C{attendee} names the client.
    """

    limit: str
    methods: frozenset[bytes]
    path: re.Pattern[bytes]
    attendee_in_body: bool = False


def rule(limit: str, methods: str, path: str, *, attendee_in_body: bool = False) -> Rule:
    return Rule(
        limit,
        frozenset(m.encode("ascii") for m in methods.split()),
        re.compile(path.encode("ascii")),
        attendee_in_body,
    )


_E = r"^/e/[^/]+"
_API = r"^/api/events/[^/]+"

RULES: tuple[Rule, ...] = (
    rule("propose", "POST", _API + r"/sessions$"),
    rule("propose", "POST", _E + r"/propose$"),
    rule("meetup", "POST", _API + r"/meetups$"),
    rule("meetup", "POST", _E + r"/meetup$"),
    rule("going", "POST DELETE", _API + r"/sessions/[^/]+/going$", attendee_in_body=True),
    rule("going", "POST", _E + r"/going$"),
    # Reports of sessions or meetups, through the API or a form.
    rule("report", "POST", _API + r"/reports$", attendee_in_body=True),
    rule("report", "POST", _E + r"/report$"),
    rule("signin", "POST", _E + r"/desk/signin$"),
    rule("live", "GET", _API + r"/live$"),
    rule("write", "POST PUT PATCH DELETE", r"^/"),
)


def matching_rule(method: bytes, path: bytes) -> Rule | None:
    for candidate in RULES:
        if method in candidate.methods and candidate.path.match(path):
            return candidate
    return None


@frozen
class Refusal:
    limit: str
    retry_after: float

    @property
    def retry_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


@define
class Throttle:
    """
    The buckets of every limit, and the decision for each request.

    @ivar refused: told the limit's name each time a request is refused (metrics).
    """

    limits: Mapping[str, Limit]
    clock: Clock
    addresses: ClientAddresses
    facilitator: FacilitatorKey
    is_facilitator: Callable[[IRequest], bool] = lambda request: False
    refused: Callable[[str], None] = lambda limit: None
    _by_address: dict[str, Buckets] = field(init=False, factory=dict)
    _by_client: dict[str, Buckets] = field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        for name, limit in self.limits.items():
            self._by_address[name] = Buckets(limit.address, self.clock)
            if limit.client is not None:
                self._by_client[name] = Buckets(limit.client, self.clock)

    def check(self, request: IRequest) -> Refusal | None:
        """
        Spend what C{request} costs, or say which limit refuses it and for how long.
        """
        path = request.path.split(b"?", 1)[0]
        found = matching_rule(request.method, path)
        if found is None or found.limit not in self.limits or self._exempt(request):
            return None
        buckets = [self._by_address[found.limit].bucket(self.addresses.client(request))]
        client = self._client(request, found)
        if client is not None and found.limit in self._by_client:
            buckets.append(self._by_client[found.limit].bucket(client))
        wait = admit(buckets, self.clock.seconds())
        if wait == 0:
            return None
        self.refused(found.limit)
        return Refusal(found.limit, wait)

    def _exempt(self, request: IRequest) -> bool:
        token = bearer_token(request)
        if token is not None and self.facilitator.matches(token):
            return True
        return self.is_facilitator(request)

    def _client(self, request: IRequest, found: Rule) -> str | None:
        """
        Who the request says it comes from, as a key that shows no secret.
        """
        token = bearer_token(request)
        if token is not None:
            return "key:" + digest(token)
        if found.attendee_in_body:
            attendee = _body_attendee(request)
            if attendee is not None:
                return "attendee:" + attendee
        attendee = read_cookie(request, ATTENDEE_COOKIE)
        if attendee:
            return "attendee:" + attendee
        key = read_cookie(request, EDIT_COOKIE)
        return None if key is None else "key:" + digest(key)


def _body_attendee(request: IRequest) -> str | None:
    content = request.content
    if content is None:
        return None
    try:
        body = json.loads(content.read())
    except ValueError:
        return None
    finally:
        content.seek(0)
    attendee = body.get("attendee") if isinstance(body, dict) else None
    return attendee if isinstance(attendee, str) else None


PageRenderer = Callable[[IRequest, int, str, str], Awaitable[bytes]]


class ThrottledResource(Resource):
    """
    C{inner}, for the requests the throttle lets through; 429 for the others.
    """

    isLeaf = True

    def __init__(self, inner: IResource, throttle: Throttle, page: PageRenderer) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._inner = inner
        self._throttle = throttle
        self._page = page

    def render(self, request: IRequest) -> Any:
        refusal = self._throttle.check(request)
        if refusal is None:
            return self._inner.render(request)
        request.setHeader(b"retry-after", str(refusal.retry_seconds).encode("ascii"))
        if request.path.startswith(b"/api/"):
            message = f"too many requests: try again in {refusal.retry_seconds} s"
            error = ApiError(
                429,
                "rate_limited",
                message,
                details={"limit": refusal.limit, "retry_after": refusal.retry_seconds},
            )
            request.setHeader(b"cache-control", b"no-store")
            return write_error(request, error)
        text = (
            "This was sent too often from here, so nothing was changed. "
            f"Wait {refusal.retry_seconds} seconds, then go back and send it again."
        )
        rendering = Deferred.fromCoroutine(_await(self._page(request, 429, "Slow down", text)))
        rendering.addCallback(_finish, request)
        return NOT_DONE_YET


async def _await(page: Awaitable[bytes]) -> bytes:
    return await page


def _finish(body: bytes, request: IRequest) -> None:
    request.write(body)
    request.finish()
