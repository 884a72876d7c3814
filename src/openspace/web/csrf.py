"""
CSRF protection for the pages' forms: a signed double-submit token.

A browser gets a random nonce in an HttpOnly cookie (C{os_csrf}); each form carries
C{HMAC(key, nonce)}, masked with a fresh random pad on every response so that gzip of a
page never leaks the token bit by bit (BREACH).  A POST whose form token does not unmask
to the HMAC of its cookie's nonce is refused with 403 before anything else happens.

The token is not a session id: it proves only that the form came from one of our pages
in this browser, and it says nothing about who is signed in.  The nonce cookie is
C{SameSite=Lax}, so a cross-site POST arrives without it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from typing import cast

from attrs import frozen
from twisted.web.http import Request
from twisted.web.iweb import IRequest

from openspace.web.cookies import read_cookie, set_cookie

COOKIE = "os_csrf"
FIELD = "csrf"
_SIZE = 16


class CSRFError(Exception):
    """
    A state-changing request without a valid CSRF token.
    """


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


@frozen(repr=False)
class CSRF:
    """
    @ivar key: the signing key (see L{openspace.tokens.FacilitatorKey.derive}).
    """

    key: bytes

    def _expected(self, nonce: str) -> bytes:
        return hmac.digest(self.key, nonce.encode("ascii"), "sha256")[:_SIZE]

    def token(self, request: IRequest) -> str:
        """
        A token for the forms of this response; sets the nonce cookie if it is missing.
        """
        nonce = read_cookie(request, COOKIE)
        if nonce is None or _unb64(nonce) is None:
            nonce = _b64(secrets.token_bytes(_SIZE))
            set_cookie(request, COOKIE, nonce)
            # Later calls while rendering this response must see the same nonce.
            cast(Request, request).received_cookies[COOKIE.encode()] = nonce.encode()
        pad = secrets.token_bytes(_SIZE)
        masked = bytes(a ^ b for a, b in zip(pad, self._expected(nonce), strict=True))
        return _b64(pad + masked)

    def check(self, request: IRequest) -> None:
        """
        @raise CSRFError: the cookie or the form field is missing or they do not match.
        """
        nonce = read_cookie(request, COOKIE)
        values = (request.args or {}).get(FIELD.encode())
        if nonce is None or not values:
            raise CSRFError("missing CSRF cookie or token")
        raw = _unb64(values[0].decode("ascii", "replace"))
        if raw is None or len(raw) != 2 * _SIZE:
            raise CSRFError("malformed CSRF token")
        pad, masked = raw[:_SIZE], raw[_SIZE:]
        unmasked = bytes(a ^ b for a, b in zip(pad, masked, strict=True))
        if not hmac.compare_digest(unmasked, self._expected(nonce)):
            raise CSRFError("wrong CSRF token")
