"""
Personal calendar feeds ("my open spaces"): who may read which private feed.

A feed is a capability: whoever holds its URL reads it, so its token is a secret.  Only
the token's SHA-256 digest is stored (a copy of the database cannot be used to read
anyone's feed), looked up by that digest, and revoking deletes the row.  A feed knows
the attendee id that says "I'm going" for its owner, the digest of their edit key (the
sessions they host) and the sessions they starred.  It is a separate secret from the
attendee id, which pages and the API see every day.

Making and reading a feed are statements that stand alone (the pool's connections are
in autocommit mode); changing or revoking one is a write in the board's transaction, so
that an idempotent request's reply is kept with it.  Feeds disappear with their event
(C{ON DELETE CASCADE}).  The
table is made by a step of L{openspace.store.schema.MIGRATIONS}.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from attrs import frozen
from twisted.enterprise import adbapi
from twisted.internet.defer import Deferred

from openspace.model import Board
from openspace.store.interface import Write
from openspace.store.sql import Dialect, SQLBoardStore
from openspace.tokens import digest

#: The most sessions a feed may star (a board has a few hundred at most).
MAX_STARS = 500


@frozen
class PersonalFeed:
    """
    What one private feed holds: the starred sessions, and whose "going" and hosted
    sessions join them.
    """

    slug: str
    attendee: str | None
    owner: str | None
    stars: frozenset[str]


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class FeedStore(Protocol):
    def create(self, feed: PersonalFeed, now: datetime) -> Deferred[str]:
        """
        Store C{feed} under a new random token; fires with the token (the only copy).
        """

    def find(self, token: str) -> Deferred[PersonalFeed | None]:
        """
        The feed C{token} opens, if any.
        """

    def starring(
        self, slug: str, token: str, stars: Sequence[str], now: datetime, owner: str | None
    ) -> Write[bool]:
        """
        Replace the feed's starred sessions, and its host key's digest when C{owner}
        is given (a host who proposed after asking for the feed); L{False} if C{slug}
        has no such feed.  A write in the board's transaction (L{BoardStore.write}), so
        that an idempotent request's reply is kept with it.
        """

    def revoking(self, slug: str, token: str) -> Write[bool]:
        """
        Delete the feed (L{False} if C{slug} has no such feed), as a write in the
        board's transaction.
        """


class SQLFeedStore:
    """
    L{FeedStore} in the board store's database.
    """

    def __init__(self, pool: adbapi.ConnectionPool, dialect: Dialect) -> None:
        self._pool = pool
        self._sql = dialect.sql

    @classmethod
    def beside(cls, store: SQLBoardStore) -> SQLFeedStore:
        return cls(store.pool, store.dialect)

    def create(self, feed: PersonalFeed, now: datetime) -> Deferred[str]:
        token = new_feed_token()
        stamp = now.astimezone(UTC).isoformat()
        done: Deferred[Any] = self._pool.runOperation(
            self._sql(
                "INSERT INTO calendar_feeds (digest, slug, attendee, owner, stars, created, "
                "updated) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ),
            (
                digest(token),
                feed.slug,
                feed.attendee,
                feed.owner,
                _stars_text(feed.stars),
                stamp,
                stamp,
            ),
        )
        return done.addCallback(lambda _: token)

    def find(self, token: str) -> Deferred[PersonalFeed | None]:
        rows: Deferred[list[tuple[Any, ...]]] = self._pool.runQuery(
            self._sql("SELECT slug, attendee, owner, stars FROM calendar_feeds WHERE digest = ?"),
            (digest(token),),
        )
        return rows.addCallback(_feed_of)

    def starring(
        self, slug: str, token: str, stars: Sequence[str], now: datetime, owner: str | None
    ) -> Write[bool]:
        return self._changing(
            "UPDATE calendar_feeds SET stars = ?, owner = COALESCE(?, owner), updated = ? "
            "WHERE digest = ? AND slug = ?",
            (_stars_text(stars), owner, now.astimezone(UTC).isoformat(), digest(token), slug),
        )

    def revoking(self, slug: str, token: str) -> Write[bool]:
        return self._changing(
            "DELETE FROM calendar_feeds WHERE digest = ? AND slug = ?", (digest(token), slug)
        )

    def _changing(self, statement: str, parameters: tuple[object, ...]) -> Write[bool]:
        def work(cursor: Any, board: Board | None) -> bool:
            cursor.execute(self._sql(statement), parameters)
            return bool(cursor.rowcount)

        return work


def _stars_text(stars: Sequence[str] | frozenset[str]) -> str:
    return json.dumps(sorted(set(stars)))


def _feed_of(rows: list[tuple[Any, ...]]) -> PersonalFeed | None:
    if not rows:
        return None
    slug, attendee, owner, stars = rows[0]
    return PersonalFeed(slug, attendee, owner, frozenset(json.loads(stars)))
