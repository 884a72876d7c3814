"""
How C{openspace serve} writes its log: Twisted's text lines (the default) or, with
C{--log-format json}, one JSON object per line for log shippers.

JSON lines are Twisted's own event serialisation (L{jsonFileLogObserver}) without the
RFC 7464 record separator, which most shippers do not expect.  Neither format ever
holds a secret: the facilitator token is never logged (only where it was read from),
access lines drop query strings (edit links carry keys there), and request headers,
cookies and bodies are not logged at all.
"""

from __future__ import annotations

from typing import TextIO

from twisted.logger import ILogObserver, jsonFileLogObserver, textFileLogObserver

FORMATS = ("text", "json")


def log_observer(log_format: str, stream: TextIO) -> ILogObserver:
    if log_format == "json":
        return jsonFileLogObserver(stream, recordSeparator="")
    return textFileLogObserver(stream)
