"""
The database schema and its forward migrations, shared by SQLite and PostgreSQL.

One migration history serves both engines: each step is a list of statements in the
common subset of their SQL.  The version a database is at lives in C{schema_version};
a database newer than L{MIGRATIONS} knows is refused (L{SchemaTooNew}), never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openspace.store.interface import SchemaTooNew, SchemaTooOld

MIGRATIONS: Sequence[Sequence[str]] = (
    # 1: boards with their materialised state, and their event logs.
    (
        """
        CREATE TABLE boards (
            slug TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            state TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE events (
            slug TEXT NOT NULL REFERENCES boards (slug) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (slug, seq)
        )
        """,
    ),
    # 2: replies kept for idempotent writes (openspace.idempotency), found by a digest
    # of the client's key; secrets in them are sealed under that key.
    (
        """
        CREATE TABLE replies (
            slug TEXT NOT NULL REFERENCES boards (slug) ON DELETE CASCADE,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            sealed TEXT,
            expires BIGINT NOT NULL,
            PRIMARY KEY (slug, key)
        )
        """,
        "CREATE INDEX replies_expiry ON replies (slug, expires)",
    ),
    # 3: private "my open spaces" calendar feeds, by the digest of their token.
    (
        """
        CREATE TABLE calendar_feeds (
            digest TEXT PRIMARY KEY,
            slug TEXT NOT NULL REFERENCES boards (slug) ON DELETE CASCADE,
            attendee TEXT,
            owner TEXT,
            stars TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
    ),
    # 4: webhooks (openspace.webhooks.storage): where each board's changes are POSTed
    # and the last seq each receiver acknowledged.  Secrets are not stored: only the
    # nonce they are derived from with a key the database does not hold.
    (
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            slug TEXT NOT NULL,
            url TEXT NOT NULL,
            nonce TEXT NOT NULL,
            key_check TEXT NOT NULL,
            created TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            acked INTEGER NOT NULL,
            failing_since TEXT,
            last_error TEXT,
            last_attempt TEXT,
            last_success TEXT,
            disabled TEXT
        )
        """,
        "CREATE INDEX webhooks_by_slug ON webhooks (slug)",
    ),
)

LATEST = len(MIGRATIONS)


def current_version(cursor: Any) -> int:
    """
    The schema version of the database behind C{cursor} (0 for an empty one).
    """
    cursor.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    cursor.execute("SELECT MAX(version) FROM schema_version")
    row = cursor.fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


def check_version(version: int) -> None:
    if version > LATEST:
        raise SchemaTooNew(
            f"the database has schema version {version}, but this openspace knows only "
            f"up to {LATEST}: upgrade openspace before serving it"
        )


def require_latest(version: int) -> None:
    if version < LATEST:
        raise SchemaTooOld(
            f"the database has schema version {version}, but this openspace needs {LATEST}: "
            "run `openspace migrate` with the same --db first"
        )


def migrate(cursor: Any) -> tuple[int, int]:
    """
    Bring the database up to L{LATEST}, inside the caller's transaction.

    @return: the versions before and after.
    """
    before = current_version(cursor)
    check_version(before)
    for version in range(before + 1, LATEST + 1):
        for statement in MIGRATIONS[version - 1]:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO schema_version (version) VALUES ({version:d})")  # noqa: S608
    return before, LATEST
