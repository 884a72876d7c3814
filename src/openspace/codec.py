"""
The stored JSON form of logged events and boards, with an explicit format version.

This is the storage encoding: complete (it keeps owners' key hashes and attendee ids) and
in UTC.  What clients see is built by L{openspace.views}.  Encoding walks the attrs
classes of L{openspace.model} and L{openspace.events} generically, so a new field is
stored without new code; a change that old data cannot be read into bumps
L{FORMAT_VERSION} and adds an upgrade step to L{_UPGRADES}.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, cast

import attrs

from openspace.events import Change, Logged
from openspace.model import Board

FORMAT_VERSION = 1

JSON = dict[str, Any]
T = TypeVar("T")


class FormatError(ValueError):
    """
    Stored data that this version of openspace cannot read.
    """


def _tag(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


_CHANGE_TYPES: Mapping[str, type] = {_tag(cls): cls for cls in typing.get_args(Change)}
_CHANGE_CLASSES = frozenset(_CHANGE_TYPES.values())


def change_type(change: Change) -> str:
    """
    The stable name of a change's type, e.g. C{"session_moved"}.
    """
    return _tag(type(change))


# Upgrades from older format versions: version -> function lifting a document one step.
_UPGRADES: Mapping[int, Callable[[JSON], JSON]] = {}


def _unstructure(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if attrs.has(type(value)):
        data = {
            a.name: _unstructure(getattr(value, a.name))
            for a in attrs.fields(cast(Any, type(value)))
        }
        if type(value) in _CHANGE_CLASSES:
            data["type"] = _tag(type(value))
        return data
    if isinstance(value, frozenset):
        return sorted((_unstructure(v) for v in value), key=json.dumps)
    if isinstance(value, tuple | list):
        return [_unstructure(v) for v in value]
    if isinstance(value, Mapping):
        return {key: _unstructure(v) for key, v in value.items()}
    return value


def _structure(data: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Change or (origin in (typing.Union, types.UnionType) and _is_change(hint)):
        cls = _CHANGE_TYPES.get(data.get("type", ""))
        if cls is None:
            raise FormatError(f"unknown event type {data.get('type')!r}")
        return _structure_attrs(data, cls)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if data is None:
            return None
        return _structure(data, options[0])
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_structure(v, item) for v in data)
    if origin is frozenset:
        item = typing.get_args(hint)[0]
        return frozenset(_structure(v, item) for v in data)
    if origin in (Mapping, dict, typing.Mapping):
        item = typing.get_args(hint)[1]
        return {key: _structure(v, item) for key, v in data.items()}
    if hint is datetime:
        moment = datetime.fromisoformat(data)
        if moment.tzinfo is None:
            raise FormatError(f"time {data!r} has no offset")
        return moment
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    if isinstance(hint, type) and attrs.has(hint):
        return _structure_attrs(data, hint)
    return data


def _is_change(hint: Any) -> bool:
    return set(typing.get_args(hint)) == set(typing.get_args(Change))


def _structure_attrs(data: JSON, cls: type[T]) -> T:
    hints = typing.get_type_hints(cls)
    kwargs = {
        a.name: _structure(data[a.name], hints[a.name])
        for a in attrs.fields(cast(Any, cls))
        if a.name in data
    }
    return cls(**kwargs)


def _versioned(data: JSON) -> JSON:
    version = data.get("v")
    if not isinstance(version, int):
        raise FormatError("stored data has no format version")
    if version > FORMAT_VERSION:
        raise FormatError(
            f"stored data is format {version}; this openspace reads up to {FORMAT_VERSION}"
        )
    while version < FORMAT_VERSION:
        data = _UPGRADES[version](data)
        version = data["v"]
    return data


def _encode(value: Logged | Board) -> JSON:
    return {"v": FORMAT_VERSION, **_unstructure(value)}


def _decode(data: JSON, cls: type[T], what: str) -> T:
    try:
        return _structure_attrs(_versioned(data), cls)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise FormatError(f"unreadable {what}: {e}") from e


def encode_logged(logged: Logged) -> JSON:
    return _encode(logged)


def decode_logged(data: JSON) -> Logged:
    return _decode(data, Logged, "event")


def encode_board(board: Board) -> JSON:
    return _encode(board)


def decode_board(data: JSON) -> Board:
    return _decode(data, Board, "board")


def dumps(data: JSON) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
