"""
A session page's "share" box: its public address as a link, a button that shares it
(the Web Share API where the browser has one, else it copies the link: C{static/forms.js})
and a QR code of it, to scan from a phone or from a printout on the wall.

The QR code is an SVG data URI in an C{<img>} (no file, no script, allowed by the CSP:
see L{openspace.web.headers}), made once per address and kept in a small LRU
(L{QRCodes}), so that a page everyone opens costs each viewer no QR encoding.  It holds
the public address only: the page it sits on may also show a host their private edit
link, which never goes into a picture.  Black on white with the standard four-module
quiet zone, so that it scans in dark mode and when printed.

Without JavaScript the box still shows the link and the QR code; the button stays
hidden, since there is nothing it could do.
"""

from __future__ import annotations

from collections import OrderedDict

import segno
from attrs import define, field
from twisted.web.template import Tag, tags

CACHED_CODES = 256
QUIET_ZONE = 4
"""Modules of white around the code, as ISO/IEC 18004 asks."""
PIXELS_PER_MODULE = 4


def qr_code(url: str) -> segno.QRCode:
    """
    The QR code of C{url}: error correction at least M (segno raises it when that
    costs no size), for codes on screens and on paper.
    """
    return segno.make(url, error="m")


def qr_tag(url: str) -> Tag:
    """
    An C{<img>} of C{url}'s QR code, sized by its C{viewBox} (the SVG has no size of its
    own) so that CSS can scale it without blurring.
    """
    code = qr_code(url)
    side = code.symbol_size(scale=PIXELS_PER_MODULE, border=QUIET_ZONE)[0]
    uri = code.svg_data_uri(
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass=None,
        lineclass=None,
        encode_minimal=True,
    )
    return tags.img(
        class_="qr",
        src=uri,
        width=str(side),
        height=str(side),
        alt=f"QR code of this session's address, {url}",
    )


@define
class QRCodes:
    """
    QR codes by address, the most recently asked kept; for one server.
    """

    size: int = CACHED_CODES
    _codes: OrderedDict[str, Tag] = field(factory=OrderedDict, init=False)

    def __call__(self, url: str) -> Tag:
        code = self._codes.get(url)
        if code is None:
            code = self._codes[url] = qr_tag(url)
            while len(self._codes) > self.size:
                self._codes.popitem(last=False)
        else:
            self._codes.move_to_end(url)
        return code


def share_box(url: str, qr: Tag) -> Tag:
    """
    The session's address, its share button and its QR code C{qr}.  The button shares
    the session's current title, which C{forms.js} reads from the page when pressed
    (live updates may have changed it since the page loaded).
    """
    return tags.section(class_="share", **{"aria-labelledby": "share-title"})(
        tags.h2(id="share-title")("Share this session"),
        tags.p(class_="link-box")(
            tags.a(class_="share-link", id="share-link", href=url)(url),
            " ",
            tags.button(
                type="button",
                class_="copy",
                hidden="",
                **{"data-share": "share-link", "data-title": "session-title"},
            )("Share"),
            tags.span(class_="copy-status", role="status"),
        ),
        qr,
    )
