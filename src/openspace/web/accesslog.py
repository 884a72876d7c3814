"""
Access logging without secrets: query strings (edit links carry keys in them) are cut
from the logged URL and referrer.
"""

from __future__ import annotations

from typing import Any

from twisted.web.http import combinedLogFormatter
from twisted.web.iweb import IAccessLogFormatter, IRequest
from zope.interface import provider


class _Redacted:
    """
    A view of a request for the log line: everything but the query strings.
    """

    def __init__(self, request: IRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    @property
    def uri(self) -> bytes:
        uri: bytes = self._request.uri
        return uri.split(b"?", 1)[0]

    def getHeader(self, name: bytes) -> bytes | None:
        value: bytes | None = self._request.getHeader(name)
        if value is not None and name.lower() == b"referer":
            return value.split(b"?", 1)[0]
        return value


@provider(IAccessLogFormatter)
def redacted_log_formatter(timestamp: str, request: IRequest) -> str:
    line: str = combinedLogFormatter(timestamp, _Redacted(request))
    return line
