"""
The table of kept replies to idempotent writes (see L{openspace.idempotency}).

Every function runs inside the caller's write transaction, after the board's row is
locked, so that two requests with one key on any two nodes are decided one after the
other and the second finds the first one's reply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from openspace.idempotency import EXPIRY, StoredReply

Sql = Callable[[str], str]


def forget_expired(cursor: Any, sql: Sql, slug: str, now: datetime) -> None:
    cursor.execute(
        sql("DELETE FROM replies WHERE slug = ? AND expires <= ?"), (slug, int(now.timestamp()))
    )


def find(cursor: Any, sql: Sql, slug: str, lookup: str) -> StoredReply | None:
    cursor.execute(
        sql("SELECT fingerprint, status, body, sealed FROM replies WHERE slug = ? AND key = ?"),
        (slug, lookup),
    )
    row = cursor.fetchone()
    return None if row is None else StoredReply(row[0], int(row[1]), row[2], row[3])


def keep(cursor: Any, sql: Sql, slug: str, lookup: str, stored: StoredReply, now: datetime) -> None:
    cursor.execute(
        sql(
            "INSERT INTO replies (slug, key, fingerprint, status, body, sealed, expires) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        (
            slug,
            lookup,
            stored.fingerprint,
            stored.status,
            stored.public,
            stored.sealed,
            int((now + EXPIRY).timestamp()),
        ),
    )
