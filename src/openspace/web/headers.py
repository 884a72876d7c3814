"""
The security headers every page and asset carries.

The Content-Security-Policy allows scripts and styles only from our own origin (no inline
script, no C{eval}), images from our origin and C{data:} (the kiosk's QR codes), and
network calls only back to us (C{'self'} covers the live WebSocket on the same host).
Pages refuse to be framed, except the kiosk, which signage systems may show in a frame.
Edit links carry the host's key in the URL, so no page ever sends a Referer.
"""

from __future__ import annotations

from twisted.web.iweb import IRequest

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; "
    # The web app manifest and the service worker (see openspace.web.offline).
    "manifest-src 'self'; worker-src 'self'"
)


def security_headers(request: IRequest, *, frameable: bool = False) -> None:
    policy = _POLICY if frameable else _POLICY + "; frame-ancestors 'none'"
    request.setHeader(b"content-security-policy", policy.encode("ascii"))
    request.setHeader(b"x-content-type-options", b"nosniff")
    request.setHeader(b"referrer-policy", b"no-referrer")
    if not frameable:
        # For browsers that predate frame-ancestors.
        request.setHeader(b"x-frame-options", b"DENY")
