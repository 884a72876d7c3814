"""
Decoding JSON a piece at a time gives exactly what C{json.loads} gives: the same value
for every document, the same error for every broken one, whatever the piece size.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openspace.official.json_pieces import decode

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=60,
)


def _outcome(text: str, piece: int | None) -> tuple[str, object]:
    try:
        value = json.loads(text) if piece is None else decode(text, piece)
    except (ValueError, RecursionError) as e:
        return ("error", f"{type(e).__name__}: {e}")
    return ("value", value)


@given(VALUES, st.sampled_from([None, 0, 2]), st.integers(min_value=1, max_value=64))
def test_every_document_decodes_as_json_loads_does(
    value: object, indent: int | None, piece: int
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert decode(text, piece) == json.loads(text)


@given(VALUES, st.integers(min_value=0), st.text(max_size=3), st.integers(1, 32))
def test_a_broken_document_fails_as_json_loads_does(
    value: object, where: int, insert: str, piece: int
) -> None:
    text = json.dumps(value, indent=1)
    at = where % (len(text) + 1)
    broken = text[:at] + insert + text[at + 1 :]
    assert _outcome(broken, piece) == _outcome(broken, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "[1,]",
        '{"a" 1}',
        "[1] x",
        "\ufeff[1]",
        '{"a": 1, "a": 2}',
        '[1, {"b": [}]',
        "[" * 5000,
    ],
)
def test_odd_documents_as_json_loads(text: str) -> None:
    for piece in (1, 3, 64):
        assert _outcome(text, piece) == _outcome(text, None)


def test_literals_json_loads_accepts_are_kept() -> None:
    decoded = decode("[NaN, -Infinity, 1e400]", 2)
    assert isinstance(decoded, list)
    assert math.isnan(decoded[0]) and decoded[1:] == [-math.inf, math.inf]


def test_a_large_document_is_the_same_decoded_in_pieces() -> None:
    events = [{"id": n, "title": f"Talk {n}", "persons": [{"name": "x" * 50}]} for n in range(3000)]
    text = json.dumps({"schedule": {"days": [{"rooms": {"Hall": events}}]}})
    assert decode(text, 1024) == json.loads(text)
