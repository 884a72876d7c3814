"""
Who is asking: the facilitator, a host with edit keys, or anyone, from the request.

API clients send C{Authorization: Bearer <token>}; the token is either the facilitator
token or a host's edit key.  Tokens are only compared as digests, in constant time.
"""

from __future__ import annotations

from twisted.web.iweb import IRequest

from openspace.commands import ATTENDEE, FACILITATOR, Actor, host
from openspace.tokens import FacilitatorKey, digest
from openspace.web.errors import ApiError


def bearer_token(request: IRequest) -> str | None:
    header: bytes | None = request.getHeader(b"authorization")
    if header is None:
        return None
    scheme, _, token = header.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def actor_for(token: str | None, facilitator: FacilitatorKey) -> Actor:
    if token is None:
        return ATTENDEE
    if facilitator.matches(token):
        return FACILITATOR
    return host([digest(token)])


def required_actor(request: IRequest, facilitator: FacilitatorKey) -> Actor:
    """
    The actor behind a request that must carry a token (401 without one).
    """
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "unauthenticated", "send an edit key or the facilitator token")
    return actor_for(token, facilitator)


def facilitator_only(request: IRequest, facilitator: FacilitatorKey) -> Actor:
    actor = required_actor(request, facilitator)
    if not actor.privileged:
        raise ApiError(403, "forbidden", "only a facilitator can do this")
    return actor
