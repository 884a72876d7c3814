"""
The facilitator's token and hosts' edit keys: made, hashed and compared safely.

Secrets are only ever kept as SHA-256 digests, compared with L{hmac.compare_digest}, and
never logged.  Signing keys (desk cookies, CSRF tokens) come from the facilitator token
through HKDF, never from its digest: digests of keys are what the database stores, so no
value of a database, an export or a backup can sign anything.  The facilitator token
comes from a file or an environment variable (see L{load_facilitator_key}); the edit
keys of hosts are random, 192 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from attrs import frozen
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

TOKEN_ENV = "OPENSPACE_FACILITATOR_TOKEN"  # noqa: S105 - a variable name, not a secret
TOKEN_FILE_ENV = "OPENSPACE_FACILITATOR_TOKEN_FILE"  # noqa: S105
MIN_TOKEN_LENGTH = 16
# HKDF's salt: a fixed label that keeps these keys apart from any other use of the token.
_SIGNING_SALT = b"openspace signing keys v1"
_KEY_LENGTH = 32


class SecretError(Exception):
    """
    A secret is missing, unreadable or too weak; the message never contains it.
    """


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_edit_key() -> str:
    return secrets.token_urlsafe(24)


@frozen(repr=False)
class FacilitatorKey:
    """
    The digest of the facilitator token, to recognise it, and the HKDF pseudo-random key
    that signing keys expand from; its repr shows neither.
    """

    _digest: str
    _signing: bytes

    @classmethod
    def from_token(cls, token: str) -> FacilitatorKey:
        token = token.strip()
        if len(token) < MIN_TOKEN_LENGTH:
            raise SecretError(
                f"the facilitator token must be at least {MIN_TOKEN_LENGTH} characters"
            )
        # HKDF's extract step (RFC 5869 2.2), done once: only its output stays in memory.
        prk = hmac.digest(_SIGNING_SALT, token.encode("utf-8"), "sha256")
        return cls(digest(token), prk)

    def matches(self, presented: str) -> bool:
        return hmac.compare_digest(self._digest, digest(presented))

    def derive(self, purpose: str) -> bytes:
        """
        A signing key for C{purpose} (cookies, CSRF tokens): HKDF-SHA256 of the token.

        Every node that shares the token derives the same keys, and a new token makes
        every signed cookie invalid at once: rotating it signs everybody out.  The token's
        digest, which is all a database ever could hold, derives nothing.
        """
        return HKDFExpand(SHA256(), _KEY_LENGTH, purpose.encode("utf-8")).derive(self._signing)

    def __repr__(self) -> str:
        return "<FacilitatorKey>"


def load_facilitator_key(
    environ: Mapping[str, str], token_file: Path | None, fallback_file: Path
) -> tuple[FacilitatorKey, str]:
    """
    Find the facilitator token: C{token_file}, else the file named by
    C{OPENSPACE_FACILITATOR_TOKEN_FILE}, else C{OPENSPACE_FACILITATOR_TOKEN}, else
    C{fallback_file}, which is created with a new random token (mode 0600) if missing.

    @return: the key, and where it came from in words (never the token itself).
    """
    path = token_file or (Path(environ[TOKEN_FILE_ENV]) if environ.get(TOKEN_FILE_ENV) else None)
    if path is not None:
        return FacilitatorKey.from_token(_read(path)), f"the file {path}"
    if environ.get(TOKEN_ENV):
        return FacilitatorKey.from_token(environ[TOKEN_ENV]), f"${TOKEN_ENV}"
    if not fallback_file.exists():
        fd = os.open(fallback_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        return FacilitatorKey.from_token(_read(fallback_file)), f"the new file {fallback_file}"
    return FacilitatorKey.from_token(_read(fallback_file)), f"the file {fallback_file}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise SecretError(f"cannot read the facilitator token file {path}: {e.strerror}") from e
