"""
Filtering the board: by a tag (C{?tag=}) and by words in a session's title, host or
description (C{?q=}).

Without JavaScript the server renders the filtered board: another shared rendering per
board state and filter (L{openspace.web.pages.shared}, whose cache is bounded), with the
sessions that do not match marked C{out} (hidden by the stylesheet).  With JavaScript,
C{static/grid.js} applies the same rule in the browser as one types; the two must agree
(C{tests/browser/test_grid.py} checks it).
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen
from twisted.web.template import Tag, tags

from openspace.model import Session
from openspace.web.pages.html import shown_if

MAX_QUERY = 80
MAX_TAG = 40


def _arg(args: Mapping[bytes, list[bytes]] | None, name: bytes, limit: int) -> str:
    values = (args or {}).get(name)
    text = values[0].decode("utf-8", "replace") if values else ""
    return " ".join(text.split())[:limit]


@frozen
class BoardFilter:
    """
    What a visitor asked to see: sessions with C{tag} (if any) whose text holds every
    word of C{words} (if any), compared in lower case.
    """

    tag: str = ""
    words: str = ""

    @classmethod
    def from_args(cls, args: Mapping[bytes, list[bytes]] | None) -> BoardFilter:
        tag = _arg(args, b"tag", MAX_TAG).lstrip("#").lower()
        return cls(tag, _arg(args, b"q", MAX_QUERY))

    @property
    def active(self) -> bool:
        return bool(self.tag or self.words)

    def query(self) -> dict[str, str]:
        return {"tag": self.tag, "q": self.words}

    def matches(self, session: Session) -> bool:
        if self.tag and self.tag not in (tag.lower() for tag in session.tags):
            return False
        text = f"{session.title}\n{session.host}\n{session.description}".lower()
        return all(word in text for word in self.words.lower().split())


def search_form(board_filter: BoardFilter, day: str) -> Tag:
    """
    The search box (a plain GET form) and the tag being filtered by, with a way out.
    """
    return tags.form(class_="search", role="search", method="get", action="./")(
        tags.label(for_="q")("Search sessions"),
        " ",
        tags.input(type="search", id="q", name="q", value=board_filter.words, maxlength="80"),
        tags.input(type="hidden", name="tag", value=board_filter.tag) if board_filter.tag else "",
        tags.input(type="hidden", name="day", value=day) if day else "",
        " ",
        tags.button(type="submit")("Search"),
        shown_if(
            tags.p(class_="tag-filter")(
                "Only sessions tagged ",
                tags.strong(f"#{board_filter.tag}"),
                " · ",
                tags.a(href="./", class_="clear")("show all"),
            ),
            bool(board_filter.tag),
        ),
    )
