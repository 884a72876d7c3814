"""
The one exception every page route raises for a short answer page (403, 404).
"""

from __future__ import annotations

from openspace.model import Board


class PageError(Exception):
    """
    A request answered with a short page: 403, 404.
    """

    def __init__(self, status: int, title: str, text: str, board: Board | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.title = title
        self.text = text
        self.board = board
