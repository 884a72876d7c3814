"""
Secrets and signatures: derived, never stored; verifiable with the README's recipe; any
change to the body, the timestamp or the secret is caught; a stale timestamp is refused.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openspace.webhooks.signing import (
    TOLERANCE,
    SignatureError,
    hook_secret,
    key_check,
    new_hook_id,
    new_nonce,
    signature,
    verify,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
NOW = 1_900_000_000


def test_secrets_are_derived_from_the_server_key_the_id_and_the_nonce() -> None:
    hook_id, nonce = new_hook_id(), new_nonce()
    secret = hook_secret(KEY, hook_id, nonce)
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 64
    assert secret == hook_secret(KEY, hook_id, nonce)
    others = {
        hook_secret(OTHER_KEY, hook_id, nonce),
        hook_secret(KEY, new_hook_id(), nonce),
        hook_secret(KEY, hook_id, new_nonce()),
    }
    assert secret not in others and len(others) == 3
    # What is stored (id, nonce, key check) never holds the secret itself.
    assert secret.removeprefix("whsec_") not in (hook_id, nonce, key_check(KEY, hook_id))
    assert key_check(KEY, hook_id) != key_check(OTHER_KEY, hook_id)


@given(body=st.binary(max_size=2000), secret=st.text(min_size=1, max_size=80))
def test_the_header_is_the_documented_recipe(body: bytes, secret: str) -> None:
    header = signature(secret, NOW, body)
    expected = hmac.new(secret.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert verify(secret, header, body, NOW) == NOW


@given(body=st.binary(min_size=1, max_size=500), flip=st.integers(min_value=0))
def test_any_change_to_the_body_is_caught(body: bytes, flip: int) -> None:
    header = signature("whsec_x", NOW, body)
    index = flip % len(body)
    tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    with pytest.raises(SignatureError, match="does not match"):
        verify("whsec_x", header, tampered, NOW)


def test_wrong_secrets_stale_times_and_bad_headers_are_refused() -> None:
    body = b'{"type":"events"}'
    header = signature("whsec_right", NOW, body)
    with pytest.raises(SignatureError, match="does not match"):
        verify("whsec_wrong", header, body, NOW)
    with pytest.raises(SignatureError, match="too old"):
        verify("whsec_right", header, body, NOW + TOLERANCE + 1)
    assert verify("whsec_right", header, body, NOW + TOLERANCE) == NOW
    replayed = header.replace(f"t={NOW}", f"t={NOW + 60}")
    with pytest.raises(SignatureError, match="does not match"):
        verify("whsec_right", replayed, body, NOW + 60)
    for bad in (None, "", "v1=abc", "t=x,v1=abc", f"t={NOW}", f"t={NOW},t={NOW},v1=a"):
        with pytest.raises(SignatureError):
            verify("whsec_right", bad, body, NOW)
    # Several v1 entries (a receiver during a change of secret): any match will do.
    both = f"{header},v1={'0' * 64}"
    assert verify("whsec_right", both, body, NOW) == NOW
