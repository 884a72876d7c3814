"""
Setting and reading the few cookies the pages use, always with safe attributes.

Every cookie is C{SameSite=Lax} (not sent on cross-site POSTs), C{Secure} when the page
came over TLS, and C{HttpOnly} unless a script must read it (only the anonymous
attendee id, which the board's script shares with its C{localStorage}).  Values are
URL-safe base64 or ASCII digits and dots, so they need no quoting.
"""

from __future__ import annotations

from typing import cast

from twisted.web.http import Request
from twisted.web.iweb import IRequest


def read_cookie(request: IRequest, name: str) -> str | None:
    raw: bytes | None = request.getCookie(name.encode("ascii"))
    if raw is None:
        return None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def set_cookie(
    request: IRequest,
    name: str,
    value: str,
    *,
    path: str = "/",
    max_age: int | None = None,
    http_only: bool = True,
) -> None:
    """
    Set a cookie; C{max_age=0} deletes it, L{None} keeps it for the browser session.
    """
    # IRequest's addCookie predates the httpOnly and sameSite arguments Request takes.
    cast(Request, request).addCookie(
        name.encode("ascii"),
        value.encode("ascii"),
        path=path.encode("ascii"),
        max_age=None if max_age is None else str(max_age).encode("ascii"),
        secure=request.isSecure(),
        httpOnly=http_only,
        sameSite="lax",
    )
