"""
The desk's webhooks section: the board's hooks and how each is doing (with the reason a
failing or disabled one gives), a form to add one, and per hook: pause or enable, a new
secret, remove.  A new secret is shown once, on the page that answers the form (which is
never stored or compressed).

L{act} turns the section's form into a registry call; L{section} renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrs import frozen
from twisted.web.template import Tag, tags

from openspace.model import Board
from openspace.web.pages.html import Errors, field, form_value, hidden
from openspace.webhooks.registry import MAX_URL, Webhooks
from openspace.webhooks.storage import Hook

FIELD = "webhook_url"


@frozen
class Revealed:
    """
    A secret to show once: the hook's URL and its secret.
    """

    url: str
    secret: str


def _action(board: Board) -> str:
    return f"/e/{board.info.slug}/desk/webhooks"


async def act(
    webhooks: Webhooks, slug: str, args: Mapping[bytes, list[bytes]] | None
) -> Revealed | None:
    """
    Do what the section's form asks: C{add} (with C{webhook_url}), C{pause}, C{enable},
    C{secret} or C{remove} (with a hook id).  Raises L{openspace.commands.Refused}.
    """
    if form_value(args, "add"):
        hook, secret = await webhooks.register(slug, form_value(args, FIELD))
        return Revealed(hook.url, secret)
    if hook_id := form_value(args, "secret"):
        hook, secret = await webhooks.new_secret(slug, hook_id)
        return Revealed(hook.url, secret)
    if hook_id := form_value(args, "pause"):
        await webhooks.set_enabled(slug, hook_id, False)
    elif hook_id := form_value(args, "enable"):
        await webhooks.set_enabled(slug, hook_id, True)
    elif hook_id := form_value(args, "remove"):
        await webhooks.remove(slug, hook_id)
    return None


def _state(webhooks: Webhooks, hook: Hook) -> list[Tag | str]:
    zone_free = "%Y-%m-%d %H:%M UTC"
    if hook.disabled is not None:
        shown: list[Tag | str] = [tags.strong("Disabled: "), hook.disabled]
    elif hook.failing_since is not None:
        shown = [
            tags.strong("Failing "),
            f"since {hook.failing_since:{zone_free}}: {hook.last_error or 'no answer'}",
        ]
    else:
        shown = ["Active"]
    shown.append(f" · delivered up to #{hook.acked}")
    if not webhooks.secret_current(hook):
        shown.append(
            tags.p(class_="error")(
                "The facilitator token changed since this secret was made, so the secret "
                "changed too: make a new secret and give it to the receiver."
            )
        )
    return shown


def _row(webhooks: Webhooks, hook: Hook) -> Tag:
    paused = hook.disabled is not None
    return tags.tr(**{"data-webhook-id": hook.id})(
        tags.td(tags.code(hook.url)),
        tags.td(_state(webhooks, hook)),
        tags.td(
            tags.button(
                form="webhooks-form",
                name="enable" if paused else "pause",
                value=hook.id,
                **{"aria-label": f"{'Enable' if paused else 'Pause'} {hook.url}"},
            )("Enable" if paused else "Pause"),
            " ",
            tags.button(
                form="webhooks-form",
                name="secret",
                value=hook.id,
                **{"aria-label": f"New secret for {hook.url}"},
            )("New secret"),
            " ",
            tags.button(
                form="webhooks-form",
                name="remove",
                value=hook.id,
                class_="danger",
                **{"aria-label": f"Remove {hook.url}"},
            )("Remove"),
        ),
    )


def section(
    webhooks: Webhooks,
    board: Board,
    csrf: str,
    hooks: Sequence[Hook],
    errors: Errors,
    revealed: Revealed | None = None,
) -> Tag:
    notice: Tag | str = ""
    if revealed is not None:
        notice = tags.div(class_="notice", role="status")(
            tags.p(
                "The secret for ", tags.code(revealed.url), " (copy it now: it is not shown again):"
            ),
            tags.p(tags.code(id="webhook-secret", class_="edit-link")(revealed.secret)),
        )
    table: Tag = (
        tags.table(
            tags.thead(
                tags.tr(
                    tags.th(scope="col")("URL"),
                    tags.th(scope="col")("State"),
                    # The buttons say what they do; a screen reader still needs a header.
                    tags.th(scope="col")(tags.span(class_="visually-hidden")("Actions")),
                )
            ),
            tags.tbody([_row(webhooks, hook) for hook in hooks]),
        )
        if hooks
        else tags.p("No webhooks yet.")
    )
    return tags.section(**{"aria-labelledby": "webhooks-title"})(
        tags.h2(id="webhooks-title")("Webhooks"),
        notice,
        tags.form(id="webhooks-form", method="post", action=_action(board))(hidden("csrf", csrf)),
        table,
        tags.form(method="post", action=_action(board))(
            hidden("csrf", csrf),
            field(
                FIELD,
                "Send every change to",
                tags.input(type="url", maxlength=str(MAX_URL), required="", placeholder="https://"),
                errors,
                hint="Each change is POSTed as JSON, signed with the hook's own secret "
                "(see the README); a receiver that fails for a day is disabled.",
            ),
            tags.button(type="submit", name="add", value="1", class_="primary")("Add webhook"),
        ),
    )
