"""
The OpenAPI 3.1 description of the JSON API, served at C{/api/openapi.json}.

Kept by hand next to L{openspace.web.api}; C{tests/web/test_openapi.py} fails when a
route exists on one side only.
"""

from __future__ import annotations

from typing import Any

from openspace.describe import WHO
from openspace.fields import (
    DESCRIPTION_MAX,
    HOST_MAX,
    MEETUP_MINUTES,
    PLACE_MAX,
    TAGS_MAX,
    TITLE_MAX,
)
from openspace.web.feeds_openapi import FEED_PATHS
from openspace.web.openapi_desk import DESK_PATHS, DESK_SCHEMAS
from openspace.web.openapi_parts import body_of
from openspace.web.openapi_parts import error as _error
from openspace.web.openapi_parts import json_content as _json
from openspace.web.openapi_parts import operation as _operation
from openspace.web.openapi_parts import ref as _ref

JSON = dict[str, Any]


_STR = {"type": "string"}
# What the server keeps of a text is cleaned (white space folded, control and bidi
# characters dropped) before it is measured: a text must have something else in it.
VISIBLE_TEXT = "[^\\s\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]"


def _text(most: int, *, required: bool = True) -> JSON:
    schema: JSON = {"type": "string", "maxLength": most}
    if required:
        schema["pattern"] = VISIBLE_TEXT
    return schema


_SLUG = ("slug",)
_SESSION = ("slug", "session_id")
_COMMON_ERRORS = {"404": _error("no such event or session"), "422": _error("invalid input")}
_AUTH_ERRORS = {"401": _error("no token sent"), "403": _error("this token may not do that")}
_LIMITED = {"429": _error("too many requests from this client or address: see Retry-After")}

_SESSION_INPUT: JSON = {
    "type": "object",
    "properties": {
        "title": _text(TITLE_MAX),
        "description": _text(DESCRIPTION_MAX, required=False),
        "host": _text(HOST_MAX),
        "tags": {"type": "array", "items": _STR, "maxItems": TAGS_MAX},
        "room": _STR,
        "slot": _STR,
    },
}

SCHEMAS: JSON = {
    "Status": {
        "type": "object",
        "required": ["live"],
        "properties": {
            "live": {
                "type": "object",
                "required": ["connections", "boards"],
                "properties": {
                    "connections": {"type": "integer"},
                    "boards": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "subscribers": {"type": "integer"},
                                "seq": {"type": ["integer", "null"]},
                            },
                        },
                    },
                },
            }
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": _STR,
                    "message": _STR,
                    "field": {"type": ["string", "null"]},
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Room": {
        "type": "object",
        "required": ["id", "name", "capacity", "where", "kind"],
        "properties": {
            "id": _STR,
            "name": _STR,
            "capacity": {"type": ["integer", "null"]},
            "where": _STR,
            "access": _STR,
            "kind": {"enum": ["room", "hallway"]},
        },
    },
    "Slot": {
        "type": "object",
        "required": ["id", "start", "end"],
        "properties": {
            "id": _STR,
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
        },
    },
    "Cell": {
        "type": "object",
        "required": ["room", "slot"],
        "properties": {"room": _STR, "slot": _STR},
    },
    "Session": {
        "type": "object",
        "required": ["id", "title", "description", "host", "tags", "room", "slot", "going"],
        "properties": {
            "id": _STR,
            "title": _STR,
            "description": _STR,
            "host": _STR,
            "tags": {"type": "array", "items": _STR},
            "room": _STR,
            "slot": _STR,
            "going": {"type": "integer", "minimum": 0},
            "seats": {"type": ["integer", "null"], "description": "its room's capacity"},
            "fill": {
                "enum": ["roomy", "filling", "full", None],
                "description": "going vs seats: filling from 80 %, full from 100 %; "
                "null when the room's capacity is unknown",
            },
            "hidden": {"type": "boolean", "description": "only in facilitators' views"},
        },
    },
    "Meetup": {
        "type": "object",
        "required": ["id", "title", "place", "spot", "starts", "ends"],
        "properties": {
            "id": _STR,
            "title": _STR,
            "place": _STR,
            "spot": {"type": ["string", "null"]},
            "starts": {"type": "string", "format": "date-time"},
            "ends": {"type": "string", "format": "date-time"},
            "hidden": {"type": "boolean", "description": "only in facilitators' views"},
        },
    },
    "Warning": {
        "type": "object",
        "required": ["code", "message", "sessions"],
        "properties": {
            "code": _STR,
            "message": _STR,
            "sessions": {"type": "array", "items": _STR},
        },
    },
    "OfficialTalk": {
        "type": "object",
        "required": ["id", "source", "title", "start", "end", "room", "speakers"],
        "properties": {
            "id": _STR,
            "source": {"type": "string", "description": "the URL of its source"},
            "title": _STR,
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "room": _STR,
            "speakers": {"type": "array", "items": _STR},
            "track": _STR,
            "kind": {"type": "string", "description": "talk, keynote, break, … as upstream"},
            "url": _STR,
        },
    },
    "SourceStatus": {
        "type": "object",
        "description": "an official schedule source and how its polling goes",
        "required": ["url", "format", "status", "last_success", "last_error"],
        "properties": {
            "url": _STR,
            "format": {"type": "string", "description": "the parser used, or auto"},
            "status": {
                "type": "string",
                "enum": ["ok", "stale", "pending"],
                "description": "stale: the latest poll failed; the last good schedule "
                "stays on the board",
            },
            "last_success": {"type": ["string", "null"], "format": "date-time"},
            "last_error": {"type": ["string", "null"]},
        },
    },
    "Board": {
        "type": "object",
        "required": [
            "seq",
            "event",
            "rooms",
            "slots",
            "blocked",
            "sessions",
            "meetups",
            "warnings",
            "official",
            "sources",
        ],
        "properties": {
            "seq": {"type": "integer"},
            "event": {
                "type": "object",
                "required": ["slug", "name", "timezone", "days"],
                "properties": {
                    "slug": _STR,
                    "name": _STR,
                    "timezone": _STR,
                    "days": {"type": "array", "items": {"type": "string", "format": "date"}},
                },
            },
            "rooms": {"type": "array", "items": _ref("Room")},
            "slots": {"type": "array", "items": _ref("Slot")},
            "blocked": {"type": "array", "items": _ref("Cell")},
            "sessions": {"type": "array", "items": _ref("Session")},
            "meetups": {"type": "array", "items": _ref("Meetup")},
            "official": {"type": "array", "items": _ref("OfficialTalk")},
            "sources": {"type": "array", "items": _ref("SourceStatus")},
            "warnings": {"type": "array", "items": _ref("Warning")},
        },
    },
}


def _object(**properties: JSON) -> JSON:
    """
    An object with exactly these properties, all of them always there.
    """
    return {"type": "object", "required": list(properties), "properties": properties}


_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}

_SESSION_RESULT = {
    "type": "object",
    "properties": {
        "session": _ref("Session"),
        "warnings": {"type": "array", "items": _ref("Warning")},
    },
}

PATHS: JSON = {
    "/api/openapi.json": {
        "get": _operation("This document", {"200": _json({"type": "object"}, "OpenAPI")}),
    },
    "/api/status": {
        "get": _operation(
            "Live connections: how many, and subscribers and last seq per board "
            "(facilitator, unless the server runs with --public-status)",
            {"200": _json(_ref("Status"), "the counts"), **_AUTH_ERRORS},
            auth=True,
        ),
    },
    "/api/events/{slug}/live": {
        "get": _operation(
            "WebSocket upgrade: live board events (protocol in README); ?since=N&epoch=E "
            "resumes after seq N",
            {
                "101": {"description": "switching to the WebSocket protocol"},
                "400": {"description": "the Origin is not allowed, or a bad handshake"},
                "404": _error("no such event"),
                "426": _error("not a WebSocket upgrade"),
            },
            params=_SLUG,
        ),
    },
    "/api/events": {
        "get": _operation(
            "List events",
            {
                "200": _json(
                    _object(
                        events={
                            "type": "array",
                            "items": _object(slug=_STR, name=_STR, seq=_INT),
                        }
                    ),
                    "the events",
                )
            },
        ),
    },
    "/api/events/{slug}/board": {
        "get": _operation(
            "The whole board; ETag is derived from seq, If-None-Match gives 304",
            {
                "200": _json(_ref("Board"), "the board"),
                "304": {"description": "unchanged"},
                "404": _error("no such event"),
            },
            params=_SLUG,
        ),
    },
    "/api/events/{slug}/sessions": {
        "post": _operation(
            "Propose a session; Bearer with an existing edit key reuses that key (the "
            "facilitator token gets a new edit key, never itself)",
            {
                "201": _json(
                    {
                        "type": "object",
                        "required": ["session", "edit_token"],
                        "properties": {
                            "session": _ref("Session"),
                            "edit_token": _STR,
                            "warnings": {"type": "array", "items": _ref("Warning")},
                        },
                    },
                    "proposed",
                ),
                "409": _error("the cell is taken, blocked or over, or the host's quota is full"),
                **_COMMON_ERRORS,
                **_LIMITED,
            },
            body={**_SESSION_INPUT, "required": ["title", "host", "room", "slot"]},
            params=_SLUG,
        ),
    },
    "/api/events/{slug}/sessions/{session_id}": {
        "get": _operation(
            "One session",
            {"200": _json(_SESSION_RESULT, "the session"), **_COMMON_ERRORS},
            params=_SESSION,
        ),
        "patch": _operation(
            "Edit and/or move a session (its edit key or the facilitator token)",
            {
                "200": _json(_SESSION_RESULT, "edited"),
                "409": _error("target cell not free"),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            body=_SESSION_INPUT,
            auth=True,
            params=_SESSION,
        ),
        "delete": _operation(
            "Cancel a session",
            {"204": {"description": "cancelled"}, **_AUTH_ERRORS, **_COMMON_ERRORS},
            auth=True,
            params=_SESSION,
        ),
    },
    "/api/events/{slug}/swaps": {
        "post": _operation(
            "Swap the cells of two sessions in one step",
            {
                "200": _json(
                    _object(
                        sessions={"type": "array", "items": _ref("Session")},
                        warnings={"type": "array", "items": _ref("Warning")},
                    ),
                    "swapped",
                ),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            body={
                "type": "object",
                "required": ["first", "second"],
                "properties": {"first": _STR, "second": _STR},
            },
            auth=True,
            params=_SLUG,
        ),
    },
    "/api/events/{slug}/sessions/{session_id}/going": {
        method: _operation(
            summary,
            {
                "200": _json(
                    _object(session=_STR, going={**_INT, "minimum": 0}, attending=_BOOL),
                    "the new count",
                ),
                **_COMMON_ERRORS,
                **_LIMITED,
            },
            body={
                "type": "object",
                "required": ["attendee"],
                "properties": {"attendee": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}},
            },
            params=_SESSION,
        )
        for method, summary in (
            ("post", "Say I'm going (idempotent)"),
            ("delete", "Say I'm no longer going (idempotent)"),
        )
    },
    "/api/events/{slug}/meetups": {
        "post": _operation(
            "Start a hallway meetup now or later (no token needed); the answer's "
            "edit_token ends or edits it (Bearer with an existing edit key reuses that key)",
            {
                "201": _json(
                    {
                        "type": "object",
                        "required": ["meetup", "edit_token"],
                        "properties": {"meetup": _ref("Meetup"), "edit_token": _STR},
                    },
                    "started",
                ),
                "409": _error("the starter or the place has as many meetups as it may"),
                **_COMMON_ERRORS,
                **_LIMITED,
            },
            body={
                "type": "object",
                "required": ["title", "place"],
                "properties": {
                    "title": _text(TITLE_MAX),
                    "place": _text(PLACE_MAX),
                    "starts": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": "(Z|z|[+-][0-9]{2}:[0-9]{2})$",
                        "description": "with its time zone offset",
                    },
                    "minutes": {
                        "type": "integer",
                        "minimum": MEETUP_MINUTES[0],
                        "maximum": MEETUP_MINUTES[1],
                    },
                    "attendee": {
                        "type": "string",
                        "description": "the starter's attendee id, for the per-person quota",
                    },
                },
            },
            params=_SLUG,
        ),
    },
    "/api/events/{slug}/meetups/{meetup_id}": {
        "patch": _operation(
            "Edit a meetup's title, place or length (its edit key or the facilitator token)",
            {
                "200": _json({"type": "object", "properties": {"meetup": _ref("Meetup")}}, "ok"),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            body={
                "type": "object",
                "properties": {
                    "title": _STR,
                    "place": _STR,
                    "minutes": {"type": "integer", "minimum": 5, "maximum": 240},
                },
            },
            auth=True,
            params=("slug", "meetup_id"),
        ),
        "delete": _operation(
            "Remove a meetup (facilitator), or end it (its edit key: see …/end)",
            {"204": {"description": "removed"}, **_AUTH_ERRORS, **_COMMON_ERRORS},
            auth=True,
            params=("slug", "meetup_id"),
        ),
    },
    "/api/events/{slug}/blocked/{room}/{slot}": {
        method: _operation(
            summary,
            {
                "200": _json(_object(room=_STR, slot=_STR, blocked=_BOOL, seq=_INT), "done"),
                "409": _error("a session holds the cell"),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            auth=True,
            params=("slug", "room", "slot"),
        )
        for method, summary in (
            ("put", "Block a cell (facilitator)"),
            ("delete", "Unblock a cell (facilitator)"),
        )
    },
    "/api/events/{slug}/sessions/{session_id}/hidden": {
        method: _operation(
            summary,
            {
                "200": _json(_object(session=_STR, hidden=_BOOL, seq=_INT), "done"),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            auth=True,
            params=_SESSION,
        )
        for method, summary in (
            ("put", "Hide a session (facilitator)"),
            ("delete", "Show a hidden session again (facilitator)"),
        )
    },
    "/api/events/{slug}/undo": {
        "post": _operation(
            "Undo the last N changes ({count}), change #N alone ({seq, only: true}) or "
            "back to #N ({seq}); attendees' going and reports are never undone and never "
            "in the way; the undo is itself a new event (facilitator)",
            {
                "200": _json(_object(undone={"type": "array", "items": _INT}, seq=_INT), "undone"),
                "409": _error("cannot be undone"),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            body={
                "type": "object",
                "properties": {
                    "count": {"type": "integer", "minimum": 1, "maximum": 50},
                    "seq": {"type": "integer", "minimum": 1},
                    "only": {"type": "boolean"},
                },
            },
            auth=True,
            params=_SLUG,
        ),
    },
    "/api/events/{slug}/log": {
        "get": _operation(
            "The last changes, newest first, with who (host, facilitator, attendee, official "
            "schedule), the host's name, a summary naming sessions by title, and whether "
            "each can be undone; attendees' going and reports only with ?going=1 "
            "(facilitator)",
            {
                "200": _json(
                    _object(
                        entries={
                            "type": "array",
                            "items": _object(
                                seq=_INT,
                                at={"type": "string", "format": "date-time"},
                                actor=_STR,
                                type=_STR,
                                who={"enum": [*WHO]},
                                name=_STR,
                                summary=_STR,
                                undoable={"type": "boolean"},
                            ),
                        }
                    ),
                    "log entries, newest first",
                ),
                **_AUTH_ERRORS,
                **_COMMON_ERRORS,
            },
            auth=True,
            params=_SLUG,
            query=(
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                },
                {
                    "name": "going",
                    "in": "query",
                    "description": "1: include attendees' going and reports",
                    "schema": {"type": "string", "enum": ["0", "1"]},
                },
            ),
        ),
    },
}

# --- webhooks (openspace.webhooks): registering them, and what they receive ---

_HOOK = ("slug", "hook_id")
_TIME_OR_NULL: JSON = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS["Webhook"] = {
    "type": "object",
    "required": ["id", "url", "status", "created", "acked_seq", "disabled_reason"],
    "properties": {
        "id": _STR,
        "url": {"type": "string", "format": "uri", "description": "http or https"},
        "status": {"enum": ["active", "failing", "disabled"]},
        "created": {"type": "string", "format": "date-time"},
        "acked_seq": {
            "type": "integer",
            "description": "the last seq the receiver acknowledged; delivery resumes after it",
        },
        "epoch": {"type": "integer", "description": "the board incarnation of acked_seq"},
        "last_success": _TIME_OR_NULL,
        "last_attempt": _TIME_OR_NULL,
        "failing_since": _TIME_OR_NULL,
        "last_error": {"type": ["string", "null"]},
        "disabled_reason": {
            "type": ["string", "null"],
            "description": "why deliveries stopped (failing for a day, or paused)",
        },
        "secret_current": {
            "type": "boolean",
            "description": "false when the facilitator token changed since the secret was made",
        },
        "secret": {
            "type": "string",
            "description": "only in the answers to registering and to a new secret",
        },
    },
}
SCHEMAS["WebhookDelivery"] = {
    "type": "object",
    "description": "the body POSTed to a webhook: the live protocol's events frame",
    "required": ["type", "event", "epoch", "events"],
    "properties": {
        "type": {"const": "events"},
        "event": {"type": "string", "description": "the event's slug"},
        "epoch": {"type": "integer"},
        "events": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["seq", "at", "actor", "type", "put", "drop"],
                "properties": {
                    "seq": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"},
                    "actor": {"enum": ["facilitator", "host", "attendee", "system"]},
                    "type": _STR,
                    "put": {"type": "object"},
                    "drop": {"type": "object"},
                    "layout": {"type": "object"},
                    "official": {"type": "array", "items": _ref("OfficialTalk")},
                },
            },
        },
    },
}

_ONE_HOOK = {"type": "object", "properties": {"webhook": _ref("Webhook")}}

WEBHOOK_PATHS: JSON = {}
_NO_HOOK = {"404": _error("no such event or webhook"), **_AUTH_ERRORS}

WEBHOOK_PATHS["/api/events/{slug}/webhooks"] = {
    "get": _operation(
        "The event's webhooks and how each is doing (facilitator)",
        {
            "200": _json(
                {
                    "type": "object",
                    "properties": {"webhooks": {"type": "array", "items": _ref("Webhook")}},
                },
                "the webhooks",
            ),
            **_AUTH_ERRORS,
            **_COMMON_ERRORS,
        },
        auth=True,
        params=_SLUG,
    ),
    "post": _operation(
        "Register a webhook from the current seq on; the answer holds its secret, once "
        "(facilitator)",
        {"201": _json(_ONE_HOOK, "registered"), **_AUTH_ERRORS, **_COMMON_ERRORS},
        body={
            "type": "object",
            "required": ["url"],
            "properties": {"url": {"type": "string", "format": "uri", "maxLength": 2000}},
        },
        auth=True,
        params=_SLUG,
    ),
}
WEBHOOK_PATHS["/api/events/{slug}/webhooks/{hook_id}"] = {
    "get": _operation(
        "One webhook (facilitator)",
        {"200": _json(_ONE_HOOK, "the webhook"), **_NO_HOOK},
        auth=True,
        params=_HOOK,
    ),
    "delete": _operation(
        "Remove a webhook (facilitator)",
        {"204": {"description": "removed"}, **_NO_HOOK},
        auth=True,
        params=_HOOK,
    ),
}
WEBHOOK_PATHS["/api/events/{slug}/webhooks/{hook_id}/enabled"] = {
    method: _operation(
        summary, {"200": _json(_ONE_HOOK, "done"), **_NO_HOOK}, auth=True, params=_HOOK
    )
    for method, summary in (
        ("put", "Enable a webhook again: delivery resumes after its acked seq (facilitator)"),
        ("delete", "Pause a webhook (facilitator)"),
    )
}
WEBHOOK_PATHS["/api/events/{slug}/webhooks/{hook_id}/secret"] = {
    "post": _operation(
        "A new secret, shown once; the old one signs nothing more (facilitator)",
        {"200": _json(_ONE_HOOK, "the webhook with its new secret"), **_NO_HOOK},
        auth=True,
        params=_HOOK,
    ),
}

WEBHOOKS: JSON = {
    "boardChanged": {
        "post": {
            "summary": "Committed changes of a board, in order, at least once (drop seqs "
            "you have); signed: X-Openspace-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "
            "'<t>.' + body with the webhook's secret>",
            "parameters": [
                {"name": name, "in": "header", "required": True, "schema": _STR}
                for name in ("X-Openspace-Signature", "X-Openspace-Hook", "X-Openspace-Event")
            ],
            "requestBody": body_of(_ref("WebhookDelivery")),
            "responses": {
                "2XX": {"description": "acknowledged: the next batch follows"},
                "default": {
                    "description": "not acknowledged: sent again later, with backoff "
                    "(Retry-After is honoured)"
                },
            },
        }
    }
}

_IDEMPOTENCY_KEY: JSON = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "draft-ietf-httpapi-idempotency-key-header: a random UUID. The same key with the "
        "same request returns the first reply (marked `Idempotent-Replayed: true`) for 72 "
        "hours, on any node; with a different request: 422 `idempotency_key_reused`; while "
        "the first is still being carried out: 409 `idempotency_key_in_flight`."
    ),
    "schema": {"type": "string", "minLength": 16, "maxLength": 255},
}


_KEY_ERRORS = {
    "400": _error("not JSON, or an unusable Idempotency-Key"),
    "409": _error("a request with this Idempotency-Key is still being carried out"),
    "422": _error("invalid input, or this Idempotency-Key was first used for another request"),
}


def _idempotent(paths: JSON) -> JSON:
    """
    Every write takes an C{Idempotency-Key} (see L{openspace.idempotency}), and may
    answer the key's own errors.
    """
    for item in paths.values():
        for method, operation in item.items():
            if method != "get":
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
                responses = operation["responses"]
                for status, response in _KEY_ERRORS.items():
                    responses.setdefault(status, response)
    return paths


OPENAPI: JSON = {
    "openapi": "3.1.0",
    "info": {"title": "openspace", "version": "1"},
    "paths": _idempotent({**PATHS, **DESK_PATHS, **FEED_PATHS, **WEBHOOK_PATHS}),
    "webhooks": WEBHOOKS,
    "components": {
        "schemas": {**SCHEMAS, **DESK_SCHEMAS},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}
