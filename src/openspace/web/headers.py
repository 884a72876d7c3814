"""
The security headers every response carries (L{openspace.web.hardened} sets them on
every request; pages set them again to loosen them), and C{Allow} on a 405.

The Content-Security-Policy allows scripts and styles only from our own origin (no inline
script, no C{eval}), images from our origin and C{data:} (the kiosk's QR codes), and
network calls only back to us (C{'self'} covers the live WebSocket on the same host).
Pages refuse to be framed, except the kiosk, which signage systems may show in a frame.
Edit links carry the host's key in the URL, so no page ever sends a Referer.
"""

from __future__ import annotations

from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; "
    # The web app manifest and the service worker (see openspace.web.offline).
    "manifest-src 'self'; worker-src 'self'"
)


# Made once, set without re-encoding on every response.
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_REFERRER = (b"referrer-policy", b"no-referrer")
_STRICT = (
    (b"content-security-policy", (_POLICY + "; frame-ancestors 'none'").encode("ascii")),
    _NOSNIFF,
    _NO_REFERRER,
    # For browsers that predate frame-ancestors.
    (b"x-frame-options", b"DENY"),
)
_FRAMEABLE = ((b"content-security-policy", _POLICY.encode("ascii")), _NOSNIFF, _NO_REFERRER)


def security_headers(request: IRequest, *, frameable: bool = False) -> None:
    headers = request.responseHeaders
    for name, value in _FRAMEABLE if frameable else _STRICT:
        headers.setRawHeaders(name, (value,))
    if frameable:
        headers.removeHeader(b"x-frame-options")


def allow_header(request: IRequest, failure: Failure) -> None:
    """
    Say which methods the path takes, as a 405 must (RFC 9110 15.5.6).
    """
    refusal = failure.value
    assert isinstance(refusal, MethodNotAllowed)
    methods = sorted(refusal.valid_methods or ())
    request.setHeader(b"allow", ", ".join(methods).encode("ascii"))
