"""
Token buckets: how many writes (or connections) a client may make, and when it may
try again.

A L{Rate} is "C{count} per C{seconds}": a bucket holds at most C{count} tokens (the
burst a client may spend at once) and refills at C{count / seconds} tokens a second.
L{TokenBucket} is pure arithmetic on the times its clock gives; L{Buckets} keeps one
bucket per key (an address, an attendee id) in a bounded table.  Nothing here does I/O:
L{openspace.web.throttle} applies them to requests.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from attrs import define, field, frozen

from openspace.clock import Clock

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


@frozen
class Rate:
    """
    At most C{count} at once, refilled at C{count} per C{seconds}.
    """

    count: int
    seconds: float

    def __attrs_post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError("a rate needs a count of at least 1 per a positive time")

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """
        C{"600/30s"}, C{"60/5m"} or C{"10/1h"} (no unit: seconds).

        @raise ValueError: C{text} is not a rate.
        """
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"not a rate (COUNT/SECONDS, e.g. 60/5m): {text!r}")
        count, amount, unit = match.groups()
        return cls(int(count), float(amount) * _UNITS[unit])

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}s"


@define
class TokenBucket:
    """
    One client's allowance under one L{Rate}.

    @ivar tokens: what was left at C{updated} (seconds on the clock).
    """

    rate: Rate
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: Rate, now: float) -> TokenBucket:
        return cls(rate, float(rate.count), now)

    def level(self, now: float) -> float:
        """
        The tokens there are at C{now}: what was left, plus the refill since, up to
        the burst.
        """
        elapsed = max(0.0, now - self.updated)
        return min(float(self.rate.count), self.tokens + elapsed * self.rate.per_second)

    def wait(self, now: float, cost: float = 1.0) -> float:
        """
        Seconds until C{cost} tokens are there (0 when they are now).
        """
        missing = cost - self.level(now)
        return 0.0 if missing <= 0 else missing / self.rate.per_second

    def take(self, now: float, cost: float = 1.0) -> None:
        """
        Spend C{cost} tokens (callers check L{wait} first).
        """
        self.tokens = self.level(now) - cost
        self.updated = now

    def is_full(self, now: float) -> bool:
        return self.level(now) >= self.rate.count


@define
class Buckets:
    """
    One L{TokenBucket} per key, all under one L{Rate}.

    A bucket that has refilled is the same as a new one, so full buckets are forgotten
    when the table grows past C{max_keys}; if that is not enough, the least recently
    used go (they are forgiven, never wrongly refused).
    """

    rate: Rate
    clock: Clock
    max_keys: int = 100_000
    _table: OrderedDict[Hashable, TokenBucket] = field(factory=OrderedDict, init=False)

    def bucket(self, key: Hashable) -> TokenBucket:
        now = self.clock.seconds()
        bucket = self._table.get(key)
        if bucket is None:
            if len(self._table) >= self.max_keys:
                self._shrink(now)
            bucket = self._table[key] = TokenBucket.full(self.rate, now)
        else:
            self._table.move_to_end(key)
        return bucket

    def __len__(self) -> int:
        return len(self._table)

    def _shrink(self, now: float) -> None:
        for key in [key for key, bucket in self._table.items() if bucket.is_full(now)]:
            del self._table[key]
        while len(self._table) >= self.max_keys:
            self._table.popitem(last=False)


def admit(buckets: Sequence[TokenBucket], now: float) -> float:
    """
    Take a token from every one of C{buckets} if each has one, and answer 0; else take
    none and answer the seconds until all of them will (a client refused by one limit
    does not spend its allowance under the others).
    """
    wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
    if wait == 0:
        for bucket in buckets:
            bucket.take(now)
    return wait
