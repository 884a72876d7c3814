"""
Who is using a page: a signed-in facilitator, a host with an edit key, or anyone.

Facilitator sessions are stateless signed cookies, C{os_desk=<nonce>.<expiry>.<mac>}:
any node that knows the facilitator token can check them, nothing is stored, and a new
token ends every session.  Signing out deletes the cookie; a copied cookie stays valid
until it expires (L{DESK_HOURS}), so keep that short rather than keeping a server-side
list of revoked sessions.

Hosts prove ownership with their edit key, from the private edit link (C{?key=…}) or
from the C{os_edit} cookie the link (or proposing) sets, scoped to the event's pages.
The key itself is the cookie value: the board only knows its digest.
"""

from __future__ import annotations

import hmac
import secrets

from attrs import frozen
from twisted.web.iweb import IRequest

from openspace.clock import Clock
from openspace.tokens import FacilitatorKey, digest
from openspace.web.cookies import read_cookie, set_cookie

DESK_COOKIE = "os_desk"
EDIT_COOKIE = "os_edit"
DESK_HOURS = 12
EDIT_DAYS = 60


@frozen(repr=False)
class DeskSessions:
    """
    Sign facilitators in and out, and recognise their cookie.
    """

    facilitator: FacilitatorKey
    clock: Clock

    @property
    def _key(self) -> bytes:
        return self.facilitator.derive("desk-session")

    def _mac(self, payload: str) -> str:
        return hmac.digest(self._key, payload.encode("ascii"), "sha256").hex()

    def sign_in(self, request: IRequest, token: str) -> bool:
        """
        Set the session cookie if C{token} is the facilitator token.
        """
        if not self.facilitator.matches(token.strip()):
            return False
        expiry = int(self.clock.seconds()) + DESK_HOURS * 3600
        payload = f"{secrets.token_hex(8)}.{expiry}"
        value = f"{payload}.{self._mac(payload)}"
        set_cookie(request, DESK_COOKIE, value, max_age=DESK_HOURS * 3600)
        return True

    def sign_out(self, request: IRequest) -> None:
        set_cookie(request, DESK_COOKIE, "", max_age=0)

    def signed_in(self, request: IRequest) -> bool:
        value = read_cookie(request, DESK_COOKIE)
        if value is None or value.count(".") != 2:
            return False
        payload, _, mac = value.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return False
        expiry = payload.partition(".")[2]
        return expiry.isdigit() and int(expiry) > self.clock.seconds()


def edit_keys(request: IRequest, presented: str | None = None) -> frozenset[str]:
    """
    The digests of the edit keys this request carries: the cookie's and C{presented}.
    """
    keys = {key for key in (read_cookie(request, EDIT_COOKIE), presented) if key}
    return frozenset(digest(key) for key in keys)


def edit_key(request: IRequest) -> str | None:
    return read_cookie(request, EDIT_COOKIE)


def remember_edit_key(request: IRequest, slug: str, key: str) -> None:
    set_cookie(request, EDIT_COOKIE, key, path=f"/e/{slug}/", max_age=EDIT_DAYS * 24 * 3600)


#: Names the session this browser has just proposed, for the page after the redirect:
#: it shows the private edit link once, and a reload only says the session is listed.
JUST_PROPOSED_COOKIE = "os_new"
JUST_PROPOSED_SECONDS = 600


def remember_just_proposed(request: IRequest, slug: str, session_id: str) -> None:
    set_cookie(
        request, JUST_PROPOSED_COOKIE, session_id, path=f"/e/{slug}/", max_age=JUST_PROPOSED_SECONDS
    )


def just_proposed(request: IRequest) -> str | None:
    return read_cookie(request, JUST_PROPOSED_COOKIE)


def forget_just_proposed(request: IRequest, slug: str) -> None:
    set_cookie(request, JUST_PROPOSED_COOKIE, "", path=f"/e/{slug}/", max_age=0)
