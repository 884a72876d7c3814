"""
Reading JSON request bodies: the object itself, and its fields checked by type, each
refusal a 422 naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from twisted.web.iweb import IRequest

from openspace.web.errors import ApiError

T = TypeVar("T")
JSON = dict[str, Any]


def read_json(request: IRequest) -> JSON:
    """
    The request's JSON object body (400 when it is not one).
    """
    raw = request.content.read() if request.content is not None else b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {e}") from e
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return body


def take(body: Mapping[str, Any], name: str, kind: type[T], default: Any = ...) -> T:
    """
    Field C{name} of C{body}, checked to be a C{kind} (422 naming the field if not).
    """
    if name not in body or body[name] is None:
        if default is ...:
            raise ApiError(422, "invalid", f"{name} is required", name)
        result: T = default
        return result
    value = body[name]
    if kind is int and isinstance(value, float) and value.is_integer():
        # JSON has one kind of number: 30.0 is the integer 30, as JSON Schema has it.
        value = int(value)
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ApiError(422, "invalid", f"{name} must be a {_KIND_NAMES[kind]}", name)
    return value


_KIND_NAMES: Mapping[type, str] = {str: "string", int: "number", list: "list", bool: "boolean"}


def take_tags(body: Mapping[str, Any]) -> list[str] | None:
    tags = take(body, "tags", object, None)
    if tags is None:
        return None
    if isinstance(tags, str):
        return tags.split(",")
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        return tags
    raise ApiError(422, "invalid", "tags must be a list of strings", "tags")


def take_time(body: Mapping[str, Any], name: str) -> datetime | None:
    text = take(body, name, str, None)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise ApiError(422, "invalid", f"{name} must be an ISO 8601 time", name) from e
    if moment.tzinfo is None:
        raise ApiError(422, "invalid", f"{name} needs a time zone offset", name)
    return moment
