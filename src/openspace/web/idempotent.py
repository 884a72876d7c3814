"""
The API's side of idempotent writes: the C{Idempotency-Key} header, the request's
fingerprint, keys in flight on this node, and how kept replies are written back.

The rules themselves are in L{openspace.idempotency}; the replies are kept by the store
(L{openspace.store.interface.BoardStore.write_once}), for board commands and for
the tables beside the boards (L{Writes}) alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from attrs import define, field
from twisted.web.iweb import IRequest

from openspace.clock import Clock, utc_now
from openspace.idempotency import BadKey, IdempotencyKey, KeyReused, Reply, fingerprint
from openspace.store.interface import BoardStore, Done, Once, Write
from openspace.web.auth import bearer_token
from openspace.web.errors import ApiError, write_json

HEADER = b"idempotency-key"
REPLAYED = b"idempotent-replayed"

R = TypeVar("R")


def key_of(request: IRequest) -> IdempotencyKey | None:
    """
    The request's key, if it sent one (400 if it is unusable).
    """
    header = request.getHeader(HEADER)
    if header is None:
        return None
    try:
        return IdempotencyKey.parse(header.decode("latin-1"))
    except BadKey as e:
        raise ApiError(400, "bad_idempotency_key", str(e), "Idempotency-Key") from e


def fingerprint_of(request: IRequest) -> str:
    body = b""
    if request.content is not None:
        request.content.seek(0)
        body = request.content.read()
    return fingerprint(
        request.method.decode("ascii"),
        request.uri.decode("latin-1"),
        bearer_token(request),
        body,
    )


def write_reply(request: IRequest, reply: Reply) -> bytes:
    if reply.body is None:
        request.setResponseCode(reply.status)
        return b""
    return write_json(request, reply.status, reply.body)


@define
class InFlight:
    """
    The keys this node is carrying out now: a second request with one of them gets 409
    at once instead of queueing behind the first.  (On two nodes, the board's row lock
    orders them and the second gets the first one's reply.)
    """

    _keys: set[tuple[str, str]] = field(factory=set)

    async def once(
        self,
        request: IRequest,
        slug: str,
        key: IdempotencyKey,
        execute: Callable[[Once], Awaitable[Done[R]]],
    ) -> Done[R]:
        held = (slug, key.lookup)
        if held in self._keys:
            raise ApiError(
                409,
                "idempotency_key_in_flight",
                "a request with this Idempotency-Key is still being carried out; retry",
                "Idempotency-Key",
            )
        self._keys.add(held)
        try:
            done = await execute(Once(key, fingerprint_of(request)))
        except KeyReused as e:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was first used for a different request",
                "Idempotency-Key",
            ) from e
        finally:
            self._keys.discard(held)
        if done.outcome is None:
            request.setHeader(REPLAYED, b"true")
        return done


@define
class Writes:
    """
    Writes of tables beside the boards (webhooks, private calendars) as the API does
    them: in the board's transaction, and with an C{Idempotency-Key}, at most once, by
    the very mechanism board commands use (L{BoardStore.write_once}).
    """

    store: BoardStore
    clock: Clock
    in_flight: InFlight = field(factory=InFlight)

    async def run(self, request: IRequest, slug: str, work: Write[tuple[Reply, R]]) -> Done[R]:
        """
        Run C{work}; with a key, the reply of a replay comes back with no result.
        """
        key = key_of(request)
        if key is None:
            reply, result = await self.store.write(slug, work)
            return Done(reply, result)
        now = utc_now(self.clock)
        return await self.in_flight.once(
            request, slug, key, lambda once: self.store.write_once(slug, now, once, work)
        )
