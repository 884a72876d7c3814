"""
The OpenAPI description of the feeds' JSON routes (L{openspace.web.feeds}), merged
into the API's document (L{openspace.web.openapi}).  The calendar, XML and Atom feeds
are documented in the README: OpenAPI describes them no better than their formats do.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

_SLUG = [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]
_ERROR = {"$ref": "#/components/schemas/Error"}
_CONDITIONAL = [
    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
    {"name": "If-Modified-Since", "in": "header", "schema": {"type": "string"}},
]
_NOT_MODIFIED = {"description": "unchanged since the ETag or date sent"}


def _json(schema: JSON, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Outside /api/ these come as the pages' HTML error page, not JSON.
_SERVER_ERRORS = {
    "500": {"description": "a bug: nothing was changed"},
    "503": {"description": "storage cannot be used right now (e.g. disk full); see Retry-After"},
}

_SCHEDULE = {
    "type": "object",
    "required": ["schedule"],
    "description": "a c3voc/frab schedule.json, valid against "
    "https://c3voc.de/schedule/schema.json",
}

_OPEN_SPACE = {
    "type": "object",
    "required": ["title", "start", "end", "room_display", "description", "conf_key"],
    "properties": {
        "title": {"type": "string"},
        "start": {"type": "string", "format": "date-time", "description": "UTC"},
        "end": {"type": "string", "format": "date-time", "description": "UTC"},
        "room_display": {"type": "string"},
        "description": {"type": "string"},
        "conf_key": {"type": "integer", "description": "stable across moves and edits"},
        "image_url": {"type": "null"},
    },
}

FEED_PATHS: JSON = {
    "/e/{slug}/schedule.json": {
        "get": {
            "summary": "The open spaces as a c3voc/frab schedule.json (valid against "
            "https://c3voc.de/schedule/schema.json); ?with=official adds the official talks",
            "parameters": [
                *_SLUG,
                {
                    "name": "with",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["official"]},
                },
                *_CONDITIONAL,
            ],
            "responses": {
                "200": _json(_SCHEDULE, "the schedule"),
                "304": _NOT_MODIFIED,
                "404": {"description": "no such event"},
                **_SERVER_ERRORS,
            },
        },
    },
    "/e/{slug}/pycon-open-spaces.json": {
        "get": {
            "summary": "The open-spaces array the PyCon US mobile app reads",
            "parameters": [*_SLUG, *_CONDITIONAL],
            "responses": {
                "200": _json({"type": "array", "items": _OPEN_SPACE}, "the open spaces"),
                "304": _NOT_MODIFIED,
                "404": {"description": "no such event"},
                **_SERVER_ERRORS,
            },
        },
    },
    "/e/{slug}/calendar/stars": {
        "put": {
            "summary": "Replace the starred sessions of a private 'my open spaces' calendar "
            "(Bearer: the feed's token); unknown session ids are ignored",
            "parameters": _SLUG,
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["stars"],
                            "properties": {
                                "stars": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "maxItems": 500,
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "204": {"description": "stored"},
                "400": _json(_ERROR, "not JSON"),
                "401": _json(_ERROR, "no token sent"),
                "404": _json(_ERROR, "no such event or private calendar"),
                "422": _json(_ERROR, "stars is not a list of strings"),
                **_SERVER_ERRORS,
            },
        },
    },
    "/e/{slug}/calendar": {
        "delete": {
            "summary": "Stop a private 'my open spaces' calendar (Bearer: the feed's token)",
            "parameters": _SLUG,
            "security": [{"bearer": []}],
            "responses": {
                "204": {"description": "the link no longer works"},
                "401": _json(_ERROR, "no token sent"),
                "404": _json(_ERROR, "no such event or private calendar"),
                **_SERVER_ERRORS,
            },
        },
    },
}
