"""
An HTTP request that refuses bodies over a size limit with 413, without buffering them.

twisted.web reads a whole request body before any resource sees it; this request
counts the body as it arrives, drops it past the limit, and answers 413 itself.
"""

from __future__ import annotations

from typing import Any

from twisted.web import http, server

from openspace.web.accesslog import redacted_log_formatter

MAX_BODY = 64 * 1024


class LimitedRequest(server.Request):
    max_body = MAX_BODY
    _received = 0
    _too_large = False

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > self.max_body:
            self._too_large = True
            length = 0
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._too_large:
            return
        self._received += len(data)
        if self._received > self.max_body:
            self._too_large = True
            if self.content is not None:
                self.content.seek(0)
                self.content.truncate()
            return
        super().handleContentChunk(data)

    def process(self) -> None:
        if not self._too_large:
            super().process()
            return
        self.setResponseCode(http.REQUEST_ENTITY_TOO_LARGE)
        self.setHeader(b"content-type", b"application/json")
        self.setHeader(b"connection", b"close")
        self.write(
            b'{"error": {"code": "too_large", "message": "request bodies are limited to '
            + str(self.max_body // 1024).encode()
            + b' KiB", "field": null}}'
        )
        self.finish()


def limited_site(resource: Any, max_body: int = MAX_BODY) -> server.Site:
    site = server.Site(resource, logFormatter=redacted_log_formatter)
    site.requestFactory = _factory(max_body)
    return site


def _factory(max_body: int) -> type[LimitedRequest]:
    return type("LimitedRequest", (LimitedRequest,), {"max_body": max_body})
