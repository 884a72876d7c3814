"""
Webhook secrets and signatures: no I/O, no clock of its own.

Each hook's secret is derived, never stored: C{HMAC-SHA256(server_key, id ":" nonce)},
where the hook's id and a random nonce are in the database and C{server_key} is derived
from the facilitator token (L{openspace.tokens.FacilitatorKey.derive}), which the
database never holds.  A copy of the database therefore cannot sign (or verify) a single
delivery; every node that shares the token derives the same secrets.  The price: a new
facilitator token means new secrets for every hook; L{key_check} lets the desk see which
hooks were made with another token, and a new nonce (rotation) shows a new secret.

The signature recipe, as receivers implement it (see the README)::

    X-Openspace-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

Check that C{t} is recent (L{TOLERANCE}) and compare the hex digest in constant time;
several C{v1=} entries may appear (any one matching is enough).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Openspace-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that secret scanners recognise
TOLERANCE = 300
"""
Seconds a receiver should accept between a signature's timestamp and its own clock.
"""


class SignatureError(Exception):
    """
    A delivery's signature is missing, malformed, stale or wrong.
    """


def new_hook_id() -> str:
    return "wh_" + secrets.token_urlsafe(12)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def hook_secret(server_key: bytes, hook_id: str, nonce: str) -> str:
    """
    The secret that signs hook C{hook_id}'s deliveries while its nonce is C{nonce}.
    """
    mac = hmac.new(server_key, f"secret:{hook_id}:{nonce}".encode(), hashlib.sha256)
    return SECRET_PREFIX + mac.hexdigest()


def key_check(server_key: bytes, hook_id: str) -> str:
    """
    A short fingerprint of C{server_key} for one hook: stored beside the hook, it tells
    whether the secret was derived with the key in use, and reveals nothing of it.
    """
    return hmac.new(server_key, f"check:{hook_id}".encode(), hashlib.sha256).hexdigest()[:16]


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """
    The value of the L{SIGNATURE_HEADER} for C{body} sent at C{timestamp}.
    """
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: float) -> int:
    """
    Check a delivery as a receiver should; the signed timestamp if it is good.

    @raise SignatureError: no header, a malformed one, a timestamp more than
        L{TOLERANCE} seconds from C{now}, or no matching C{v1} digest.
    """
    if not header:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    timestamps: list[str] = []
    digests: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            digests.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not digests:
        raise SignatureError("the signature header is malformed")
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > TOLERANCE:
        raise SignatureError("the signature's timestamp is too old or in the future")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in digests):
        raise SignatureError("the signature does not match")
    return timestamp
