"""
The pure rules of idempotent writes: keys, request fingerprints, sealed replies.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from openspace.idempotency import BadKey, IdempotencyKey, Reply, StoredReply, fingerprint

KEYS = st.builds(lambda: str(uuid.uuid4())) | st.text(
    st.characters(min_codepoint=0x23, max_codepoint=0x7E, exclude_characters="\\"),
    min_size=16,
    max_size=255,
)
JSON_OBJECTS = st.dictionaries(
    st.text(max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=8,
    ),
    max_size=6,
)


@given(JSON_OBJECTS)
def test_a_fingerprint_ignores_key_order_and_spacing(body: dict[str, Any]) -> None:
    compact = json.dumps(body, separators=(",", ":")).encode()
    spaced = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    assert fingerprint("POST", "/x", None, compact) == fingerprint("POST", "/x", None, spaced)


@given(JSON_OBJECTS, JSON_OBJECTS)
def test_different_bodies_have_different_fingerprints(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    same = json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    one = fingerprint("POST", "/x", None, json.dumps(first).encode())
    other = fingerprint("POST", "/x", None, json.dumps(second).encode())
    assert (one == other) == same


def test_method_target_and_credentials_are_part_of_the_request() -> None:
    prints = {
        fingerprint("POST", "/a", None, b"{}"),
        fingerprint("PUT", "/a", None, b"{}"),
        fingerprint("POST", "/a?x=1", None, b"{}"),
        fingerprint("POST", "/a", "some-token", b"{}"),
    }
    assert len(prints) == 4


EDIT_TOKENS = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
    min_size=32,
    max_size=32,
)


@given(KEYS, EDIT_TOKENS)
def test_a_sealed_secret_opens_only_with_its_key(text: str, secret: str) -> None:
    key = IdempotencyKey.parse(text)
    reply = Reply(201, {"session": {"id": "s1"}, "edit_token": secret}, secret=("edit_token",))
    stored = StoredReply.of(reply, key, "print")
    assert secret not in stored.public
    assert stored.sealed is not None and secret not in stored.sealed
    assert stored.open(key) == Reply(201, {"session": {"id": "s1"}, "edit_token": secret})
    other = IdempotencyKey.parse(str(uuid.uuid4()))
    with pytest.raises(InvalidTag):
        stored.open(other)


@given(KEYS, EDIT_TOKENS, JSON_OBJECTS)
def test_a_nested_secret_is_sealed_and_put_back_in_place(
    text: str, secret: str, rest: dict[str, Any]
) -> None:
    key = IdempotencyKey.parse(text)
    body = {"webhook": {**rest, "id": "wh_1", "secret": secret}}
    stored = StoredReply.of(Reply(200, body, secret=("webhook.secret", "absent")), key, "print")
    assert secret not in stored.public
    assert json.loads(stored.public) == {"webhook": {**rest, "id": "wh_1"}}
    assert stored.open(key) == Reply(200, body)
    assert body["webhook"]["secret"] == secret  # the reply itself is left whole


def test_keys_are_never_shown() -> None:
    key = IdempotencyKey.parse("8e03978e-40d5-43e8-bc93-6894a57f9324")
    assert "8e03978e" not in repr(key)
    assert "8e03978e" not in key.lookup
    for bad in ("", "short", "x" * 256, "with space 0123456789", "naïve-0123456789abc"):
        with pytest.raises(BadKey):
            IdempotencyKey.parse(bad)
