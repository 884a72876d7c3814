"""
The hooks and their progress, in the C{webhooks} table beside the boards.

A hook is not board state: registering one is not a change attendees should see, and
its URL must not travel with the event's log (exports, the live protocol, webhooks).
The row keeps what delivery needs to resume after a restart or on another node: the
board incarnation (C{epoch}) and the last seq the receiver acknowledged (C{acked}),
written after every acknowledged delivery, so the log itself is the queue.

No secret is stored: only the nonce it is derived from (L{openspace.webhooks.signing}).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from openspace.store.sql import SQLBoardStore

_COLUMNS = (
    "id, slug, url, nonce, key_check, created, epoch, acked, "
    "failing_since, last_error, last_attempt, last_success, disabled"
)


@frozen
class Hook:
    """
    One registered receiver of a board's changes.

    @ivar epoch: the board incarnation (L{openspace.feed.board_epoch}) C{acked} is in.
    @ivar acked: the last seq the receiver acknowledged (2xx).
    @ivar failing_since: when the current run of failed attempts began, or L{None}.
    @ivar disabled: why deliveries stopped, in words for the desk, or L{None}.
    """

    id: str
    slug: str
    url: str
    nonce: str
    key_check: str
    created: datetime
    epoch: int
    acked: int
    failing_since: datetime | None = None
    last_error: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    disabled: str | None = None


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _text(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _hook(row: Sequence[Any]) -> Hook:
    created = datetime.fromisoformat(row[5])
    return Hook(
        id=row[0],
        slug=row[1],
        url=row[2],
        nonce=row[3],
        key_check=row[4],
        created=created,
        epoch=int(row[6]),
        acked=int(row[7]),
        failing_since=_time(row[8]),
        last_error=row[9],
        last_attempt=_time(row[10]),
        last_success=_time(row[11]),
        disabled=row[12],
    )


@frozen
class HookStore:
    """
    Reads and writes hooks through the board store's connection pool (off the reactor).
    """

    store: SQLBoardStore

    def _run(self, statement: str, parameters: tuple[object, ...]) -> Any:
        def work(cursor: Any) -> int:
            cursor.execute(self.store.dialect.sql(statement), parameters)
            return int(cursor.rowcount)

        return self.store.transaction(work, writes=True)

    def _select(self, where: str, parameters: tuple[object, ...]) -> Any:
        # where is one of this module's constant clauses, never input.
        statement = f"SELECT {_COLUMNS} FROM webhooks {where} ORDER BY created, id"  # noqa: S608

        def read(cursor: Any) -> list[Hook]:
            cursor.execute(self.store.dialect.sql(statement), parameters)
            return [_hook(row) for row in cursor.fetchall()]

        return self.store.transaction(read)

    # --- inside a board's write transaction (L{openspace.store.sql.SQLBoardStore.write}),
    # so that an idempotent request's reply is kept with what it changed ---

    def _change(self, cursor: Any, statement: str, parameters: tuple[object, ...]) -> bool:
        cursor.execute(self.store.dialect.sql(statement), parameters)
        return int(cursor.rowcount) > 0

    def add_in(self, cursor: Any, hook: Hook) -> None:
        self._change(
            cursor,
            f"INSERT INTO webhooks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                hook.id,
                hook.slug,
                hook.url,
                hook.nonce,
                hook.key_check,
                hook.created.isoformat(),
                hook.epoch,
                hook.acked,
                _text(hook.failing_since),
                hook.last_error,
                _text(hook.last_attempt),
                _text(hook.last_success),
                hook.disabled,
            ),
        )

    def count_in(self, cursor: Any, slug: str) -> int:
        cursor.execute(
            self.store.dialect.sql("SELECT COUNT(*) FROM webhooks WHERE slug = ?"), (slug,)
        )
        return int(cursor.fetchone()[0])

    def get_in(self, cursor: Any, slug: str, hook_id: str) -> Hook | None:
        statement = f"SELECT {_COLUMNS} FROM webhooks WHERE slug = ? AND id = ?"  # noqa: S608
        cursor.execute(self.store.dialect.sql(statement), (slug, hook_id))
        row = cursor.fetchone()
        return None if row is None else _hook(row)

    def remove_in(self, cursor: Any, slug: str, hook_id: str) -> bool:
        return self._change(
            cursor, "DELETE FROM webhooks WHERE slug = ? AND id = ?", (slug, hook_id)
        )

    def set_disabled_in(self, cursor: Any, slug: str, hook_id: str, disabled: str | None) -> bool:
        """
        Stop (a reason) or resume (L{None}) deliveries; resuming forgets past failures.
        """
        return self._change(
            cursor,
            "UPDATE webhooks SET disabled = ?, failing_since = NULL WHERE slug = ? AND id = ?",
            (disabled, slug, hook_id),
        )

    def set_nonce_in(self, cursor: Any, slug: str, hook_id: str, nonce: str, check: str) -> bool:
        return self._change(
            cursor,
            "UPDATE webhooks SET nonce = ?, key_check = ? WHERE slug = ? AND id = ?",
            (nonce, check, slug, hook_id),
        )

    # --- in transactions of their own ---

    async def all(self) -> list[Hook]:
        hooks: list[Hook] = await self._select("", ())
        return hooks

    async def of_board(self, slug: str) -> list[Hook]:
        hooks: list[Hook] = await self._select("WHERE slug = ?", (slug,))
        return hooks

    async def get(self, slug: str, hook_id: str) -> Hook | None:
        found: list[Hook] = await self._select("WHERE slug = ? AND id = ?", (slug, hook_id))
        return found[0] if found else None

    async def acknowledged(self, hook: Hook, epoch: int, seq: int, at: datetime) -> None:
        """
        The receiver took everything up to C{seq} of incarnation C{epoch}.

        Progress never goes back within an incarnation, so a node that led a moment too
        long (see L{openspace.leadership}) cannot undo another's acknowledgements.
        """
        await self._run(
            "UPDATE webhooks SET epoch = ?, acked = ?, failing_since = NULL, "
            "last_error = NULL, last_attempt = ?, last_success = ? "
            "WHERE id = ? AND (epoch <> ? OR acked < ?)",
            (epoch, seq, at.isoformat(), at.isoformat(), hook.id, epoch, seq),
        )

    async def restarted(self, hook: Hook, epoch: int) -> None:
        """
        The board was created again: deliver the new incarnation from its first event.
        """
        await self._run(
            "UPDATE webhooks SET epoch = ?, acked = 0 WHERE id = ? AND epoch <> ?",
            (epoch, hook.id, epoch),
        )

    async def failed(
        self, hook: Hook, failing_since: datetime, error: str, at: datetime, disabled: str | None
    ) -> None:
        await self._run(
            "UPDATE webhooks SET failing_since = ?, last_error = ?, last_attempt = ?, "
            "disabled = COALESCE(?, disabled) WHERE id = ?",
            (failing_since.isoformat(), error, at.isoformat(), disabled, hook.id),
        )
