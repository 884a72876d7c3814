"""
Choosing the parser for a document: by configuration, or by looking at it.

L{detect_format} looks at the body and uses the C{Content-Type} only to explain a
failure: servers routinely serve JSON as C{text/plain} or C{text/html} and XML as
C{application/octet-stream}, while the first bytes of every supported format are
distinctive.  L{parse_any}
runs the chosen parser; the format it used is L{ParseResult.format}.  A JSON document
is decoded once, both to detect its format and to parse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from openspace.official import (
    frab_json,
    frab_xml,
    ical,
    pretalx_widget,
    pyconus,
    sessionize,
)
from openspace.official.parsed import ParseError, ParseResult, load_json
from openspace.official.precount import ITEMS_MAX, refuse_oversized


class Parser(Protocol):
    """
    The signature every format module's C{parse} has.

    C{body} is the raw document; C{source} the source's URL, recorded on every talk;
    C{timezone} the IANA zone configured for the source, used for local times when
    the document declares no zone of its own.  A parser raises L{ParseError} only for
    a document it cannot use at all; bad items are skipped and listed in
    L{ParseResult.skipped}.
    """

    def __call__(self, body: bytes, *, source: str, timezone: str | None) -> ParseResult: ...


#: Every known format name and its parser.
PARSERS: Mapping[str, Parser] = MappingProxyType(
    {
        frab_json.FORMAT: frab_json.parse,
        frab_xml.FORMAT: frab_xml.parse,
        pretalx_widget.FORMAT: pretalx_widget.parse,
        ical.FORMAT: ical.parse,
        pyconus.FORMAT: pyconus.parse,
        sessionize.FORMAT: sessionize.parse,
    }
)


class DocumentParser(Protocol):
    """
    A JSON format's C{parse_document}: L{Parser} for a document already decoded.
    """

    def __call__(self, document: object, *, source: str, timezone: str | None) -> ParseResult: ...


#: The JSON formats' parsers of decoded documents: L{parse_any} decodes only once.
JSON_PARSERS: Mapping[str, DocumentParser] = MappingProxyType(
    {
        module.FORMAT: module.parse_document
        for module in (frab_json, pretalx_widget, pyconus, sessionize)
    }
)


def _head(body: bytes) -> bytes:
    return body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def detect_format(body: bytes, content_type: str | None) -> str:
    """
    The name of the format (a key of L{PARSERS}) that C{body} is written in.

    @raise ParseError: when the body is none of them; an HTML page (the usual answer
        of a misconfigured URL or a login wall) gets its own message.
    """
    head = _head(body)
    media_type = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise ParseError("the source sent an HTML page, not a schedule")
    if head.startswith(b"begin:vcalendar"):
        return ical.FORMAT
    if head.startswith(b"<"):
        return frab_xml.FORMAT
    if head.startswith((b"{", b"[")):
        return _json_format(load_json(body))
    if media_type == "text/html":
        raise ParseError("the source sent an HTML page, not a schedule")
    raise ParseError(f"unrecognised schedule format (Content-Type {content_type!r})")


def _json_format(document: object) -> str:
    if isinstance(document, Mapping):
        schedule = document.get("schedule")
        if isinstance(schedule, Mapping) and "conference" in schedule:
            return frab_json.FORMAT
        if isinstance(schedule, list):
            return pyconus.FORMAT
        if isinstance(document.get("talks"), list):
            return pretalx_widget.FORMAT
        if isinstance(document.get("sessions"), list):
            return sessionize.FORMAT
    if isinstance(document, list) and document and isinstance(document[0], Mapping):
        if "groupId" in document[0] or "sessions" in document[0]:
            return sessionize.FORMAT
        if "conf_key" in document[0] or "kind" in document[0]:
            return pyconus.FORMAT
    raise ParseError("JSON, but not a schedule format this program knows")


def parse_any(
    body: bytes,
    content_type: str | None,
    *,
    source: str,
    timezone: str | None,
    format: str | None = None,
) -> ParseResult:
    """
    Parse C{body} with the parser for C{format}, or the detected one when L{None}.

    @raise ParseError: for an unknown format name, an unrecognised document, or a
        document its parser rejects.
    """
    refuse_oversized(body, ITEMS_MAX)
    document: object = None
    decoded = False
    chosen = format
    if chosen is None and _head(body).startswith((b"{", b"[")):
        document, decoded = load_json(body), True
        chosen = _json_format(document)
    chosen = chosen or detect_format(body, content_type)
    reader = JSON_PARSERS.get(chosen)
    if reader is not None:
        if not decoded:
            document = load_json(body)
        return reader(document, source=source, timezone=timezone)
    parser = PARSERS.get(chosen)
    if parser is None:
        raise ParseError(f"unknown format {chosen!r}; known: {', '.join(sorted(PARSERS))}")
    return parser(body, source=source, timezone=timezone)
