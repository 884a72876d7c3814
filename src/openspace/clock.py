"""
The clock every timed thing is given, so tests can move time.

It is the part of Twisted's C{IReactorTime} that openspace uses, as a typed Protocol: a
reactor or a L{twisted.internet.task.Clock} both fit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from twisted.internet.interfaces import IDelayedCall


class Clock(Protocol):
    def seconds(self) -> float: ...

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: object, **kwargs: object
    ) -> IDelayedCall: ...


def utc_now(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock.seconds(), UTC)
