"""
CSRF protection for the pages' forms: the browser's own word on where a request came
from, and, where a browser does not say, a signed double-submit token.

Browsers say where a POST comes from: C{Sec-Fetch-Site} (every current browser) and
C{Origin}.  A request that says it is same-origin is accepted without a token, so shared
pages (the board, the same bytes for everyone) need no per-visitor token in their
forms; one that says it is cross-site, same-site (a sibling subdomain) or from another
origin is refused even with a valid token.  Only a request that says nothing (an old
browser, a script) must carry the token.

The token:

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
        @raise CSRFError: the request says it comes from elsewhere; or it does not say,
            and the cookie or the form field is missing or they do not match.
        """
        said = same_origin(request)
        if said is False:
            raise CSRFError("cross-origin form")
        if said is None:
            self.check_token(request)

    def check_token(self, request: IRequest) -> None:
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


def _netloc(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].lower()
    default = {"http": ":80", "https": ":443"}.get(scheme.lower(), "")
    return host.removesuffix(default) if default else host


def same_origin(request: IRequest) -> bool | None:
    """
    Whether the browser says C{request} comes from a page of this site: L{True} or
    L{False}, or L{None} when it says nothing (no C{Sec-Fetch-Site}, no C{Origin}).

    The origin is compared with the C{Host} the browser sent (a proxy in front keeps it),
    scheme aside: behind a TLS-terminating proxy the server itself speaks plain HTTP.
    """
    site = request.getHeader(b"sec-fetch-site")
    if site is not None:
        # "none": the person typed or bookmarked it; a POST cannot arrive that way from a
        # page, so let the token decide.
        return {b"same-origin": True, b"none": None}.get(site.strip().lower(), False)
    origin = request.getHeader(b"origin")
    if origin is None:
        return None
    text = origin.decode("ascii", "replace")
    if "://" not in text:
        return False  # "null": a sandboxed frame, a file, a privacy-redirected form
    host = (request.getHeader(b"host") or b"").decode("ascii", "replace")
    scheme = text.partition("://")[0]
    return _netloc(text) == _netloc(f"{scheme}://{host}")
