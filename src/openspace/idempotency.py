"""
Idempotent writes: one C{Idempotency-Key}, one execution, the same reply every time.

This follows draft-ietf-httpapi-idempotency-key-header: a write sent with a key is
carried out once; the same key with the same request gets the first reply again (status
and body) for L{EXPIRY} after it; the same key with a different request is refused
(422); a key whose first request is still being carried out is refused too (409).  The
replies are kept in the database, written in the very transaction that changed the
board, so a replay finds them after a restart and on any node.

Secrets in a reply (a proposal's C{edit_token}, a new webhook's C{secret}) must never be
readable from a copy of the database, yet a replay must return them. So they are stored
I{sealed}: encrypted with AES-GCM under a key derived (HKDF-SHA256) from the
Idempotency-Key itself, which the database never holds (rows are found by a SHA-256
digest of the key). Only the client that holds the key can have the secret back, which
is exactly who could replay the request anyway. Keys must therefore be unguessable:
clients use random UUIDs, and keys shorter than L{MIN_KEY_LENGTH} are refused.

Everything here is pure: values, digests and sealing; no I/O.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from attrs import frozen
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

EXPIRY = timedelta(hours=72)
"""
How long a reply is kept for replays: a conference weekend, so that a phone that was
offline since Friday evening still sends its queued writes exactly once on Monday.
"""

MIN_KEY_LENGTH = 16
MAX_KEY_LENGTH = 255
_KEY = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # visible ASCII but '"' and '\'

_NONCE_BYTES = 12
_SEALING = b"openspace idempotent reply sealing v1"
_LOOKUP = b"openspace idempotency lookup v1\x00"


class BadKey(ValueError):
    """
    An C{Idempotency-Key} header that is not a usable key; the message never shows it.
    """


class KeyReused(Exception):
    """
    The key was first used for a different request.
    """


class KeyInFlight(Exception):
    """
    The key's first request is still being carried out.
    """


@frozen(repr=False)
class IdempotencyKey:
    """
    A client's key: it is looked up only as a digest and used to seal secrets.
    """

    _secret: bytes

    @classmethod
    def parse(cls, header: str) -> IdempotencyKey:
        """
        The key in an C{Idempotency-Key} header: a structured-field string
        (C{"…"}) or, as many clients send it, the bare token.
        """
        text = header.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        if not MIN_KEY_LENGTH <= len(text) <= MAX_KEY_LENGTH or not _KEY.fullmatch(text):
            raise BadKey(
                f"Idempotency-Key must be {MIN_KEY_LENGTH} to {MAX_KEY_LENGTH} visible ASCII "
                "characters (use a random UUID)"
            )
        return cls(text.encode("ascii"))

    @property
    def lookup(self) -> str:
        """
        The digest the database finds the key's reply by.
        """
        return hashlib.sha256(_LOOKUP + self._secret).hexdigest()

    def _cipher(self) -> AESGCM:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEALING)
        return AESGCM(derived.derive(self._secret))

    def seal(self, secrets: Mapping[str, Any]) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(dict(secrets)).encode("utf-8")
        sealed = self._cipher().encrypt(nonce, plain, self.lookup.encode("ascii"))
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, sealed: str) -> dict[str, Any]:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        plain = self._cipher().decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self.lookup.encode("ascii")
        )
        opened: dict[str, Any] = json.loads(plain)
        return opened

    def __repr__(self) -> str:
        return "<IdempotencyKey>"


def fingerprint(method: str, target: str, credential: str | None, body: bytes) -> str:
    """
    What makes two requests "the same": method, target (path and query), who sends it
    (a digest of the bearer token) and the JSON body, compared after canonical
    re-encoding so that key order and spacing do not matter.
    """
    text = body.decode("utf-8", "replace").strip()
    if text:
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    who = hashlib.sha256(credential.encode("utf-8")).hexdigest() if credential else ""
    parts = "\x00".join((method.upper(), target, who, text))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@frozen
class Reply:
    """
    A write's answer: status, JSON body (L{None} for no content) and where in the body
    its secrets are, stored only sealed: top-level field names, or dotted paths into
    nested objects (C{"webhook.secret"}).
    """

    status: int
    body: Mapping[str, Any] | None = None
    secret: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        """
        Only successes are kept: a refusal changed nothing and is decided afresh.
        """
        return 200 <= self.status < 300


def _take_secrets(body: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """
    Remove the secrets at C{paths} from C{body} (a deep copy), by path.
    """
    taken: dict[str, Any] = {}
    for path in paths:
        *parents, name = path.split(".")
        holder: Any = body
        for parent in parents:
            holder = holder.get(parent) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and name in holder:
            taken[path] = holder.pop(name)
    return taken


def _put_secrets(body: dict[str, Any], secrets: Mapping[str, Any]) -> None:
    for path, value in secrets.items():
        *parents, name = path.split(".")
        holder = body
        for parent in parents:
            holder = holder[parent]
        holder[name] = value


@frozen
class StoredReply:
    """
    A reply as the database keeps it: public part in clear, secrets sealed.
    """

    fingerprint: str
    status: int
    public: str
    sealed: str | None

    @classmethod
    def of(cls, reply: Reply, key: IdempotencyKey, print_: str) -> StoredReply:
        if reply.body is None:
            return cls(print_, reply.status, "", None)
        body: dict[str, Any] = json.loads(json.dumps(reply.body))
        secrets = _take_secrets(body, reply.secret)
        return cls(
            print_,
            reply.status,
            json.dumps(body, ensure_ascii=False),
            key.seal(secrets) if secrets else None,
        )

    def open(self, key: IdempotencyKey) -> Reply:
        if not self.public:
            return Reply(self.status)
        body: dict[str, Any] = json.loads(self.public)
        if self.sealed is not None:
            _put_secrets(body, key.unseal(self.sealed))
        return Reply(self.status, body)
