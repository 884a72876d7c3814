"""
The site's request: every response carries the security headers, and whatever goes
wrong is answered in the shape the client expects.

 - The security headers (L{openspace.web.headers}) are set before any resource runs, so
   API answers, redirects, errors, assets and answers written by the server itself
   (413, 503, a path that is not UTF-8) all carry them; pages may still loosen them
   (the kiosk may be framed).
 - A path or a Host that is not UTF-8 is refused with 400 before routing.
 - A failure no handler took (a storage error, a bug) becomes the JSON error shape for
   the API and the health checks, and a short readable page for everything else,
   never Twisted's "Processing Failed".  Storage that cannot take a write (disk full,
   database unreachable) is a C{503} with C{Retry-After}: the transaction was rolled
   back, nothing was half-written, and the same request may simply be sent again.
"""

from __future__ import annotations

import html
import json
import sqlite3
import sys
from typing import Any
from urllib.parse import unquote_to_bytes

from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web import server
from twisted.web.iweb import IRequest

from openspace.web.errors import ApiError
from openspace.web.headers import security_headers

RETRY_AFTER = 30
_JSON_PATHS = (b"/healthz", b"/readyz")


def wants_json(path: bytes) -> bool:
    """
    Whether errors at C{path} are answered in JSON (the API, the health checks).
    """
    return path.startswith(b"/api/") or path == b"/api" or path in _JSON_PATHS


def storage_unavailable(failure: Failure) -> bool:
    """
    Whether C{failure} says the database cannot be used right now (full, read-only,
    locked, unreachable) rather than that the code is wrong.
    """
    kinds: list[type[BaseException]] = [sqlite3.OperationalError, OSError]
    # psycopg is loaded only for PostgreSQL; without it, none of its errors occur.
    psycopg: Any = sys.modules.get("psycopg")
    if psycopg is not None:
        kinds.append(psycopg.OperationalError)
    return failure.check(*kinds) is not None  # type: ignore[no-untyped-call]


def failure_error(failure: Failure) -> ApiError:
    if storage_unavailable(failure):
        return ApiError(
            503,
            "unavailable",
            "the server's storage cannot be used right now; nothing was changed, "
            f"try again in {RETRY_AFTER} seconds",
        )
    return ApiError(500, "internal", "something went wrong on the server; nothing was changed")


def error_page(title: str, text: str) -> bytes:
    """
    A short page for answers the server writes itself, without the page templates.
    """
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        '<p><a href="/">All events</a></p></main></body></html>\n'
    ).encode()


def _utf8(text: bytes) -> bool:
    if text.isascii():
        return True
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class HardenedRequest(server.Request):
    """
    Mixed in before the site's own request class (see L{hardened}).
    """

    _log = Logger()

    def process(self) -> None:
        security_headers(self)
        # Klein would answer these with a text/html line of its own.
        if not _utf8(unquote_to_bytes(self.path) if b"%" in self.path else self.path):
            self._answer(ApiError(400, "bad_path", "the path is not valid UTF-8"), "Bad address")
            return
        if not _utf8(self.getRequestHostname()):  # type: ignore[no-untyped-call]
            self._answer(ApiError(400, "bad_host", "the Host is not valid UTF-8"), "Bad address")
            return
        super().process()  # type: ignore[no-untyped-call]

    def processingFailed(self, reason: Failure) -> Failure:
        # The path, never the URI: edit links carry keys in their query.
        self._log.failure(
            "{method} {path} failed: {error}",
            reason,
            method=self.method.decode("ascii", "replace"),
            path=self.path.decode("utf-8", "replace"),
            error=reason.getErrorMessage(),
        )
        if self.startedWriting:
            # Too late to say so in the status: cut the answer short rather than let it
            # pass for complete.
            self.channel.loseConnection()
            return reason
        error = failure_error(reason)
        title = "Please try again" if error.status == 503 else "Something went wrong"
        self._answer(error, title)
        return reason

    def _answer(self, error: ApiError, title: str) -> None:
        # Whatever a resource set before failing does not belong to this answer.
        for name in (b"content-encoding", b"etag", b"location", b"set-cookie"):
            self.responseHeaders.removeHeader(name)
        self.cookies.clear()
        self._encoder = None
        request: IRequest = self
        request.setResponseCode(error.status)
        if error.status == 503:
            request.setHeader(b"retry-after", str(RETRY_AFTER).encode("ascii"))
        request.setHeader(b"cache-control", b"no-store")
        if wants_json(self.path):
            request.setHeader(b"content-type", b"application/json; charset=utf-8")
            body = json.dumps(error.body()).encode("utf-8")
        else:
            request.setHeader(b"content-type", b"text/html; charset=utf-8")
            body = error_page(title, error.message[:1].upper() + error.message[1:] + ".")
        request.setHeader(b"content-length", str(len(body)).encode("ascii"))
        request.write(body)
        request.finish()


def hardened(request_factory: type[server.Request]) -> type[server.Request]:
    """
    C{request_factory} with L{HardenedRequest} in front of it.
    """
    return type("HardenedRequest", (HardenedRequest, request_factory), {})
