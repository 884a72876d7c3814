"""
What facilitators do with hooks (register, list, pause, enable, new secret, remove),
for the JSON API and the desk alike: L{Webhooks}.

Rules: only C{http}/C{https} URLs with a host, no user or password in them (the
signature is how a receiver knows us; credentials in a URL would sit in the database),
no fragment, at most 2,000 characters; at most L{MAX_HOOKS} hooks per board.  A new hook
starts at the board's current seq: it gets the changes from its registration on.
Its secret is shown once, in the answer to the registration (or to a new secret); the
server derives it again whenever it signs (L{openspace.webhooks.signing}).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from attrs import define

from openspace.clock import Clock, utc_now
from openspace.commands import Refused
from openspace.feed import board_epoch
from openspace.model import Board
from openspace.store.interface import BoardStore, Write
from openspace.webhooks.dispatcher import Dispatcher
from openspace.webhooks.signing import hook_secret, key_check, new_hook_id, new_nonce
from openspace.webhooks.storage import Hook, HookStore

MAX_HOOKS = 10
MAX_URL = 2000
PAUSED = "paused by a facilitator"

JSON = dict[str, Any]
R = TypeVar("R")


def check_url(text: str) -> str:
    """
    C{text} as a hook URL, or L{Refused} saying what is wrong with it.
    """
    url = text.strip()

    def refuse(message: str) -> Refused:
        return Refused("invalid", message, "url")

    if not url:
        raise refuse("url is required")
    if len(url) > MAX_URL:
        raise refuse(f"url must be at most {MAX_URL} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise refuse("url must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as e:
        raise refuse(f"url is not a valid URL: {e}") from e
    if parts.scheme.lower() not in ("http", "https"):
        raise refuse("url must start with http:// or https://")
    if not parts.hostname:
        raise refuse("url needs a host name")
    if parts.username is not None or parts.password is not None:
        raise refuse("url must not hold a user or password: receivers check the signature")
    if parts.fragment or url.endswith("#"):
        raise refuse("url must not have a #fragment")
    return url


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@define
class Webhooks:
    """
    The hooks of every board, as facilitators manage them.

    @ivar server_key: derives each hook's secret; see L{openspace.webhooks.signing}.
    @ivar dispatcher: told of every change, so that this node, when it delivers, acts
        on it at once.
    """

    hooks: HookStore
    store: BoardStore
    clock: Clock
    server_key: bytes
    dispatcher: Dispatcher | None = None

    def status(self, hook: Hook) -> str:
        """
        C{"active"}, C{"failing"} (the last attempts failed) or C{"disabled"}.
        """
        if hook.disabled is not None:
            return "disabled"
        return "failing" if hook.failing_since is not None else "active"

    def secret_current(self, hook: Hook) -> bool:
        """
        Whether C{hook}'s secret was made with this server key: a new facilitator token
        changes every secret, and the receiver needs the new one (a new secret shows it).
        """
        return hook.key_check == key_check(self.server_key, hook.id)

    def to_json(self, hook: Hook, secret: str | None = None) -> JSON:
        shown: JSON = {
            "id": hook.id,
            "url": hook.url,
            "status": self.status(hook),
            "created": hook.created.isoformat(),
            "acked_seq": hook.acked,
            "epoch": hook.epoch,
            "last_success": _time(hook.last_success),
            "last_attempt": _time(hook.last_attempt),
            "failing_since": _time(hook.failing_since),
            "last_error": hook.last_error,
            "disabled_reason": hook.disabled,
            "secret_current": self.secret_current(hook),
        }
        if secret is not None:
            shown["secret"] = secret
        return shown

    # Each change is a write (L{openspace.store.interface.Write}) run in the board's
    # transaction, so that the API can keep an idempotent request's reply with it.

    def registration(self, slug: str, url: str) -> Write[tuple[Hook, str]]:
        """
        A new hook for board C{slug}, from its current seq on, and its secret.
        """
        url = check_url(url)
        created = utc_now(self.clock)

        def work(cursor: Any, board: Board | None) -> tuple[Hook, str]:
            if board is None:
                raise Refused("not_found", f"there is no event {slug!r}")
            if self.hooks.count_in(cursor, slug) >= MAX_HOOKS:
                raise Refused("invalid", f"an event can have at most {MAX_HOOKS} webhooks", "url")
            hook_id = new_hook_id()
            hook = Hook(
                id=hook_id,
                slug=slug,
                url=url,
                nonce=new_nonce(),
                key_check=key_check(self.server_key, hook_id),
                created=created,
                epoch=board_epoch(board),
                acked=board.seq,
            )
            self.hooks.add_in(cursor, hook)
            return hook, hook_secret(self.server_key, hook.id, hook.nonce)

        return work

    def removal(self, slug: str, hook_id: str) -> Write[Hook]:
        def work(cursor: Any, board: Board | None) -> Hook:
            hook = self._found(self.hooks.get_in(cursor, slug, hook_id), hook_id)
            self.hooks.remove_in(cursor, slug, hook_id)
            return hook

        return work

    def enabling(self, slug: str, hook_id: str, enabled: bool) -> Write[Hook]:
        """
        Resume deliveries (from the last acknowledged seq) or pause them.
        """

        def work(cursor: Any, board: Board | None) -> Hook:
            self.hooks.set_disabled_in(cursor, slug, hook_id, None if enabled else PAUSED)
            return self._found(self.hooks.get_in(cursor, slug, hook_id), hook_id)

        return work

    def renewal(self, slug: str, hook_id: str) -> Write[tuple[Hook, str]]:
        """
        Replace C{hook_id}'s secret; the old one signs nothing more.
        """
        nonce = new_nonce()

        def work(cursor: Any, board: Board | None) -> tuple[Hook, str]:
            check = key_check(self.server_key, hook_id)
            self.hooks.set_nonce_in(cursor, slug, hook_id, nonce, check)
            hook = self._found(self.hooks.get_in(cursor, slug, hook_id), hook_id)
            return hook, hook_secret(self.server_key, hook.id, nonce)

        return work

    def _found(self, hook: Hook | None, hook_id: str) -> Hook:
        if hook is None:
            raise Refused("not_found", f"there is no webhook {hook_id!r}")
        return hook

    async def run(self, slug: str, work: Write[R]) -> R:
        """
        Carry out one of the writes above in a transaction of its own.
        """
        result = await self.store.write(slug, work)
        await self.changed()
        return result

    async def register(self, slug: str, url: str) -> tuple[Hook, str]:
        return await self.run(slug, self.registration(slug, url))

    async def of_board(self, slug: str) -> list[Hook]:
        return await self.hooks.of_board(slug)

    async def get(self, slug: str, hook_id: str) -> Hook:
        return self._found(await self.hooks.get(slug, hook_id), hook_id)

    async def remove(self, slug: str, hook_id: str) -> None:
        await self.run(slug, self.removal(slug, hook_id))

    async def set_enabled(self, slug: str, hook_id: str, enabled: bool) -> Hook:
        return await self.run(slug, self.enabling(slug, hook_id, enabled))

    async def new_secret(self, slug: str, hook_id: str) -> tuple[Hook, str]:
        return await self.run(slug, self.renewal(slug, hook_id))

    async def changed(self) -> None:
        """
        Tell this node's dispatcher that the hooks changed.
        """
        if self.dispatcher is not None:
            await self.dispatcher.refresh()
