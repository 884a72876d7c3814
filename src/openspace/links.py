"""
Which links from outside (official schedules) may become an C{href}: absolute C{http} and
C{https} URLs only, checked when a schedule is read and again when a link is shown.

Anything else (C{javascript:}, C{data:}, scheme-relative or relative links, or a URL with
spaces or control characters that a browser would strip and re-read differently)
becomes no link at all: the title still shows, as plain text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_WEB = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def web_link(url: str) -> str:
    """
    C{url} if it is an absolute http(s) URL with a host, else the empty string.
    """
    if not _WEB.fullmatch(url):
        return ""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return ""
    return url if host else ""
