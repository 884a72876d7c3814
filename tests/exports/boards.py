"""
Boards with a history for the export tests: commands run through the real board rules
(L{openspace.board.decide}) and folded into an L{openspace.exports.history.History}.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import define, field

from openspace.board import decide
from openspace.commands import FACILITATOR, Command, Decision, SetLayout
from openspace.events import Logged
from openspace.exports.document import Links
from openspace.exports.history import History, advance
from openspace.replay import record
from tests.support import conference_layout

LINKS = Links("https://board.example.org")


@define
class Story:
    """
    A board being changed step by step, one minute apart, and its history.
    """

    now: datetime
    history: History | None = None
    log: list[Logged] = field(factory=list)

    @classmethod
    def start(cls, now: datetime, slug: str = "conf") -> Story:
        story = cls(now)
        story.do(SetLayout(conference_layout(slug)))
        return story

    def do(self, command: Command) -> Decision:
        board = self.history.board if self.history is not None else None
        decision = decide(board, command, FACILITATOR, self.now)
        _, logged = record(board, decision, FACILITATOR, self.now)
        for entry in logged:
            self.history = advance(self.history, entry)
            self.log.append(entry)
        self.now += timedelta(minutes=1)
        return decision

    @property
    def current(self) -> History:
        assert self.history is not None
        return self.history
