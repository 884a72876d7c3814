"""
Waiting, without sleeps of fixed length, for what other nodes and threads will do.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from twisted.internet import task

STEP = 0.02


async def until(condition: Callable[[], bool | Awaitable[bool]], seconds: float = 10.0) -> None:
    """
    Return once C{condition()} (which may be async) is true; fail after C{seconds}.
    """
    from twisted.internet import reactor

    for _ in range(int(seconds / STEP)):
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        await task.deferLater(reactor, STEP)
    raise AssertionError(f"still not true after {seconds} s: {condition!r}")
