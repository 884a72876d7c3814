"""
A real upstream for schedule tests: a twisted.web server on 127.0.0.1 (free port) that
serves one document with a real ETag (and 304 to a matching C{If-None-Match}), which a
test can change, break or take down between polls.  Plus a small frab C{schedule.json}
builder for documents about the test conference day of L{tests.support}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from attrs import define
from twisted.internet.defer import maybeDeferred
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IListeningPort
from twisted.web import http
from twisted.web.resource import Resource
from twisted.web.server import Site


class Document(Resource):
    """
    One schedule document at every path, answering like a careful server: C{ETag},
    304 when it matches, or the C{status} a test sets.

    @ivar answers: the status code of every answer, in order.
    @ivar conditional: the C{If-None-Match} of every request, in order.
    """

    isLeaf = True

    def __init__(self, body: bytes = b"", content_type: bytes = b"application/json") -> None:
        super().__init__()
        self.body = body
        self.content_type = content_type
        self.status = 200
        self.answers: list[int] = []
        self.conditional: list[bytes | None] = []

    def render_GET(self, request: http.Request) -> bytes:
        self.conditional.append(request.getHeader(b"if-none-match"))
        if self.status != 200:
            request.setResponseCode(self.status)
            self.answers.append(self.status)
            return b"<h1>not today</h1>"
        request.setHeader(b"content-type", self.content_type)
        tag = b'"' + hashlib.sha256(self.body).hexdigest()[:20].encode() + b'"'
        if request.setETag(tag) == http.CACHED:
            self.answers.append(304)
            return b""
        self.answers.append(200)
        return self.body


@define
class Upstream:
    url: str
    port: IListeningPort

    async def stop(self) -> None:
        await maybeDeferred(self.port.stopListening)


@asynccontextmanager
async def serving(resource: Resource) -> AsyncIterator[Upstream]:
    """
    Serve C{resource} on 127.0.0.1 at a free port while the block runs.
    """
    from twisted.internet import reactor

    port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(Site(resource))
    try:
        yield Upstream(f"http://127.0.0.1:{port.getHost().port}", port)
    finally:
        await maybeDeferred(port.stopListening)


def folder(path: Path) -> Resource:
    """
    Every file of the folder C{path}, each as a L{Document} under its name.
    """
    root = Resource()
    for file in sorted(path.iterdir()):
        if file.is_file():
            root.putChild(file.name.encode(), Document(file.read_bytes(), b"text/plain"))
    return root


def frab(*talks: dict[str, object]) -> bytes:
    """
    A frab C{schedule.json} for the test conference day (2030-05-15, Europe/Berlin).

    Each talk gives C{id}, C{start} ("12:00"), C{room}, and optionally C{title},
    C{duration} ("00:45") and C{speakers}.
    """
    rooms: dict[str, list[dict[str, object]]] = {}
    for talk in talks:
        speakers: Sequence[str] = talk.get("speakers", ())  # type: ignore[assignment]
        rooms.setdefault(str(talk["room"]), []).append(
            {
                "guid": talk["id"],
                "id": talk["id"],
                "date": f"2030-05-15T{talk['start']}:00+02:00",
                "start": talk["start"],
                "duration": talk.get("duration", "00:45"),
                "room": talk["room"],
                "title": talk.get("title", f"Talk {talk['id']}"),
                "type": "Talk",
                "persons": [{"public_name": name} for name in speakers],
            }
        )
    day = {"index": 1, "date": "2030-05-15", "rooms": rooms}
    conference = {"title": "Test", "time_zone_name": "Europe/Berlin", "days": [day]}
    return json.dumps({"schedule": {"version": "1", "conference": conference}}).encode()
