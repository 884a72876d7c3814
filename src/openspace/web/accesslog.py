"""
Access logging without secrets: query strings (edit links carry keys in them) are cut
from the logged URL and referrer.

The line is Twisted's combined log format (L{twisted.web.http.combinedLogFormatter}),
written directly rather than through a redacting view of the request: it is made once
for every request the server answers, and a view that forwards each attribute lookup
cost as much as the rest of a cached page's answer (bench/README.md, "304").
"""

from __future__ import annotations

import re

from twisted.web.http import Request
from twisted.web.iweb import IAccessLogFormatter
from zope.interface import provider

# Bytes that Python's repr() shows as themselves inside double quotes: printable ASCII
# but the backslash and both quotes.
_PLAIN = re.compile(rb"[ !#-&(-\[\]-~]*")


def _escape(value: bytes) -> str:
    """
    C{value} as Twisted's combined log format shows it: like C{repr()}, but always
    escaped as if inside double quotes.
    """
    if _PLAIN.fullmatch(value):
        return value.decode("ascii")
    text = repr(value)[1:]
    if text.startswith("'"):
        return text[1:-1].replace('"', '\\"').replace("\\'", "'")
    return text[1:-1]


def _without_query(value: bytes) -> bytes:
    return value.split(b"?", 1)[0]


@provider(IAccessLogFormatter)
def redacted_log_formatter(timestamp: str, request: Request) -> str:
    host = getattr(request.getClientAddress(), "host", None)
    ip = _escape(host.encode("ascii", "replace")) if isinstance(host, str) else "-"
    line = (
        f'"{ip}" - - {timestamp} "{_escape(request.method)} '
        f'{_escape(_without_query(request.uri))} {_escape(request.clientproto)}" '
        f"{request.code:d} {request.sentLength or '-'} "
        f'"{_escape(_without_query(request.getHeader(b"referer") or b"") or b"-")}" '
        f'"{_escape(request.getHeader(b"user-agent") or b"-")}"'
    )
    return line
