"""
Tests for L{openspace.official.detect}.
"""

from __future__ import annotations

import pytest

from openspace.official.detect import PARSERS, detect_format, parse_any
from openspace.official.parsed import ParseError


def test_every_format_is_recognised_whatever_the_content_type(
    documents: dict[str, bytes],
) -> None:
    assert set(documents) == set(PARSERS)
    for name, body in documents.items():
        for content_type in (None, "text/plain", "text/html; charset=utf-8"):
            assert detect_format(body, content_type) == name


def test_a_byte_order_mark_and_whitespace_are_skipped(documents: dict[str, bytes]) -> None:
    assert detect_format(b"\xef\xbb\xbf\n  " + documents["frab-json"], None) == "frab-json"


def test_parse_any_records_the_format_it_chose(documents: dict[str, bytes]) -> None:
    result = parse_any(documents["frab-xml"], "application/xml", source="s", timezone=None)
    assert result.format == "frab-xml"


def test_a_configured_format_is_used_as_is(documents: dict[str, bytes]) -> None:
    with pytest.raises(ParseError, match="no talks list"):
        parse_any(documents["frab-json"], None, source="s", timezone=None, format="pretalx-widget")
    with pytest.raises(ParseError, match="unknown format 'yaml'; known: frab-json, frab-xml"):
        parse_any(documents["frab-json"], None, source="s", timezone=None, format="yaml")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<!DOCTYPE html><html>Sign in</html>", "text/html", "an HTML page"),
        (b"Service unavailable", "text/html", "an HTML page"),
        (b"Service unavailable", None, "unrecognised schedule format"),
        (b'{"hello": "world"}', "application/json", "JSON, but not a schedule"),
        (b"[]", "application/json", "JSON, but not a schedule"),
        (b"{not json", "application/json", "not valid JSON"),
        (b"", None, "unrecognised schedule format"),
    ],
)
def test_unrecognised_documents(body: bytes, content_type: str | None, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_any(body, content_type, source="s", timezone=None)
