"""
Token buckets on a moved clock: bursts, refills, waits, and a table that stays bounded.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.task import Clock

from openspace.web.limits import DEFAULT_LIMITS, LimitOptions
from openspace.web.ratelimit import Buckets, Rate, TokenBucket, admit


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait() -> None:
    clock = Clock()
    bucket = TokenBucket.full(Rate(3, 30), clock.seconds())
    for _ in range(3):
        assert admit([bucket], clock.seconds()) == 0
    assert admit([bucket], clock.seconds()) == pytest.approx(10.0)
    clock.advance(9.9)
    assert admit([bucket], clock.seconds()) == pytest.approx(0.1)
    clock.advance(0.1)
    assert admit([bucket], clock.seconds()) == 0
    assert admit([bucket], clock.seconds()) > 0


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket.full(Rate(2, 1), clock.seconds())
    clock.advance(3600)
    assert bucket.level(clock.seconds()) == 2
    assert [admit([bucket], clock.seconds()) == 0 for _ in range(3)] == [True, True, False]


def test_a_refusal_by_one_bucket_spends_nothing_from_the_others() -> None:
    clock = Clock()
    generous = TokenBucket.full(Rate(100, 1), clock.seconds())
    strict = TokenBucket.full(Rate(1, 60), clock.seconds())
    assert admit([generous, strict], clock.seconds()) == 0
    assert admit([generous, strict], clock.seconds()) == pytest.approx(60)
    assert generous.level(clock.seconds()) == 99


def test_the_table_forgets_full_buckets_first_and_stays_bounded() -> None:
    clock = Clock()
    table = Buckets(Rate(1, 10), clock, max_keys=3)
    table.bucket("a").take(clock.seconds())
    table.bucket("b")
    table.bucket("c").take(clock.seconds())
    table.bucket("d")
    assert len(table) == 3
    # "b" was full (as good as new) and went; "a" and "c" are still spent.
    assert table.bucket("a").wait(clock.seconds()) > 0
    assert table.bucket("c").wait(clock.seconds()) > 0


@given(st.lists(st.floats(min_value=0, max_value=100), max_size=60))
def test_no_client_gets_more_than_burst_plus_refill(gaps: list[float]) -> None:
    clock = Clock()
    rate = Rate(5, 10)
    bucket = TokenBucket.full(rate, clock.seconds())
    allowed = 0
    for gap in gaps:
        clock.advance(gap)
        allowed += admit([bucket], clock.seconds()) == 0
    assert allowed <= rate.count + sum(gaps) * rate.per_second + 1e-9


def test_rates_are_written_count_per_time() -> None:
    assert Rate.parse("600/30s") == Rate(600, 30)
    assert Rate.parse("60/5m") == Rate(60, 300)
    assert Rate.parse("10/1h") == Rate(10, 3600)
    for wrong in ("", "ten/1s", "0/1s", "5/0s", "5/1d"):
        with pytest.raises(ValueError):
            Rate.parse(wrong)


def test_limits_are_set_by_name() -> None:
    options = LimitOptions().with_rates(["going.client=5/1m"])
    assert options.limits["going"].client == Rate(5, 60)
    assert options.limits["going"].address == DEFAULT_LIMITS["going"].address
    with pytest.raises(ValueError, match="unknown limit"):
        LimitOptions().with_rates(["gong.client=5/1m"])
