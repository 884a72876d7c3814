"""
The OpenAPI description of the moderation routes: meetup keys, reports, bulk actions,
moderation settings and placement suggestions (merged into L{openspace.web.openapi}).
"""

from __future__ import annotations

from typing import Any

from openspace.web.openapi_parts import error as _error
from openspace.web.openapi_parts import json_content as _json
from openspace.web.openapi_parts import operation
from openspace.web.openapi_parts import ref as _ref

JSON = dict[str, Any]

_STR = {"type": "string"}
_INT = {"type": "integer"}


_ERRORS = {
    "401": _error("no token sent"),
    "403": _error("this token may not do that"),
    "404": _error("no such event, session or meetup"),
    "422": _error("invalid input"),
}
_CONFLICT = {"409": _error("refused by the board's rules (taken, stale, frozen, …)")}


def _operation(
    summary: str,
    responses: JSON,
    params: tuple[str, ...],
    *,
    body: JSON | None = None,
    auth: bool = True,
    query: tuple[tuple[str, str], ...] = (),
) -> JSON:
    """
    L{operation}, facilitator-only unless told, with optional string query parameters.
    """
    return operation(
        summary,
        responses,
        body=body,
        auth=auth,
        params=params,
        query=tuple(
            {"name": name, "in": "query", "required": False, "description": text, "schema": _STR}
            for name, text in query
        ),
    )


_SLUG = ("slug",)
_MEETUP = ("slug", "meetup_id")
_BULK_RESULT = _json(
    {
        "type": "object",
        "required": ["seq", "events"],
        "properties": {
            "seq": _INT,
            "events": {"type": "integer", "description": "1, or 0 when nothing changed"},
            "warnings": {"type": "array", "items": _ref("Warning")},
        },
    },
    "done as one event (one undo)",
)
_MODERATION = {
    "type": "object",
    "properties": {
        "auto_hide": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "hide an item after this many distinct reports; null: never",
        },
        "freeze_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
    },
}

DESK_SCHEMAS: JSON = {
    "ReportQueue": {
        "type": "object",
        "required": ["reports"],
        "properties": {
            "reports": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["item", "kind", "title", "count", "reasons", "hidden"],
                    "properties": {
                        "item": _STR,
                        "kind": {"enum": ["session", "meetup"]},
                        "title": _STR,
                        "count": _INT,
                        "reasons": {"type": "array", "items": _STR},
                        "hidden": {"type": "boolean"},
                        "latest": {"type": "string", "format": "date-time"},
                    },
                },
            }
        },
    },
    "Placement": {
        "type": "object",
        "required": ["seq", "moves", "fit_before", "fit_after", "expected"],
        "properties": {
            "seq": _INT,
            "moves": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "session": _STR,
                        "title": _STR,
                        "slot": _STR,
                        "going": _INT,
                        "from": _STR,
                        "from_seats": {"type": ["integer", "null"]},
                        "to": _STR,
                        "to_seats": {"type": ["integer", "null"]},
                    },
                },
            },
            "fit_before": {"type": "integer", "description": "people expected who get a seat"},
            "fit_after": _INT,
            "expected": _INT,
        },
    },
}

DESK_PATHS: JSON = {
    "/api/events/{slug}/meetups/{meetup_id}/end": {
        "post": _operation(
            "End a running meetup now, or take off one not started (its edit key or the "
            "facilitator token)",
            {"200": _json({"type": "object"}, "ended"), **_ERRORS},
            _MEETUP,
        ),
    },
    "/api/events/{slug}/meetups/{meetup_id}/hidden": {
        method: _operation(summary, {"200": _json({"type": "object"}, "done"), **_ERRORS}, _MEETUP)
        for method, summary in (
            ("put", "Hide a meetup (facilitator)"),
            ("delete", "Show a hidden meetup again (facilitator)"),
        )
    },
    "/api/events/{slug}/reports": {
        "post": _operation(
            "Report a session or meetup (an attendee; once per attendee and item; private)",
            {"202": _json({"type": "object"}, "noted"), **_ERRORS},
            _SLUG,
            body={
                "type": "object",
                "required": ["item", "attendee"],
                "properties": {
                    "item": {"type": "string", "description": "a session or meetup id"},
                    "attendee": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                    "reason": {"type": "string", "maxLength": 500},
                },
            },
            auth=False,
        ),
        "get": _operation(
            "The report queue, most reported first (facilitator only)",
            {"200": _json(_ref("ReportQueue"), "the queue"), **_ERRORS},
            _SLUG,
        ),
    },
    "/api/events/{slug}/reports/{item}": {
        "delete": _operation(
            "Dismiss an item's reports; ?hide=1 hides the item too, as one event (facilitator)",
            {"200": _json({"type": "object"}, "dismissed"), **_ERRORS},
            ("slug", "item"),
            query=(("hide", "1 to hide the item as well"),),
        ),
    },
    "/api/events/{slug}/moderation": {
        "get": _operation(
            "Moderation settings (facilitator)",
            {"200": _json(_MODERATION, "the settings"), **_ERRORS},
            _SLUG,
        ),
        "put": _operation(
            "Change moderation settings; fields left out keep their value (facilitator)",
            {"200": _json(_MODERATION, "the settings"), **_ERRORS},
            _SLUG,
            body=_MODERATION,
        ),
    },
    "/api/events/{slug}/blocked": {
        "post": _operation(
            "Block or unblock a whole slot or a whole room as one event (facilitator); "
            "cells holding a session stay open and are named in warnings",
            {"200": _BULK_RESULT, **_ERRORS},
            _SLUG,
            body={
                "type": "object",
                "properties": {"room": _STR, "slot": _STR, "blocked": {"type": "boolean"}},
            },
        ),
    },
    "/api/events/{slug}/hidden": {
        "post": _operation(
            "Hide or show several sessions as one event (facilitator)",
            {"200": _BULK_RESULT, **_ERRORS},
            _SLUG,
            body={
                "type": "object",
                "required": ["sessions"],
                "properties": {
                    "sessions": {"type": "array", "items": _STR, "maxItems": 500},
                    "hidden": {"type": "boolean"},
                },
            },
        ),
    },
    "/api/events/{slug}/placement": {
        "get": _operation(
            "Suggest room moves that seat more of the people going, for ?slot= or ?day= "
            "(facilitator)",
            {"200": _json(_ref("Placement"), "the suggestion"), **_ERRORS},
            _SLUG,
            query=(("slot", "a slot id"), ("day", "a local date, YYYY-MM-DD")),
        ),
        "post": _operation(
            "Apply a plan's moves as one event (one undo); refused whole if any move is "
            "stale, frozen or blocked (facilitator)",
            {"200": _BULK_RESULT, **_CONFLICT, **_ERRORS},
            _SLUG,
            body={
                "type": "object",
                "required": ["moves"],
                "properties": {
                    "moves": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["session", "from", "to"],
                            "properties": {"session": _STR, "from": _STR, "to": _STR},
                        },
                    }
                },
            },
        ),
    },
}
