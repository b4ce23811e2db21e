"""The rate limiter and batch check (rag.interfaces.limits), on an injected clock."""

from __future__ import annotations

import pytest

from rag.errors import RateLimitedError, TooLargeError
from rag.interfaces.limits import RateLimiter, check_batch


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_429_then_recovery() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("key:a")
    with pytest.raises(RateLimitedError) as caught:
        limiter.take("key:a")
    assert caught.value.retry_after == 1
    assert "60 a minute" in caught.value.message
    limiter.take("key:b")  # each caller has its own bucket
    clock.now += 1.0
    limiter.take("key:a")
    with pytest.raises(RateLimitedError):
        limiter.take("key:a")


def test_retry_after_is_whole_seconds_until_a_token() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=1, clock=clock)
    limiter.take("x")
    clock.now += 4.5
    with pytest.raises(RateLimitedError) as caught:
        limiter.take("x")
    assert caught.value.retry_after == 6  # 5.5 s to go, rounded up


def test_tokens_do_not_pile_up_beyond_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    clock.now += 3600
    limiter.take("x")
    limiter.take("x")
    with pytest.raises(RateLimitedError):
        limiter.take("x")


def test_a_batch_over_the_limit_names_the_field_and_limit() -> None:
    check_batch(100, 100)
    with pytest.raises(TooLargeError) as caught:
        check_batch(101, 100)
    assert caught.value.field == "statements"
    assert "101" in caught.value.message and "100" in caught.value.message


def test_a_charge_puts_the_bucket_into_debt_that_is_waited_off() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=5, clock=clock)
    limiter.take("x")
    limiter.charge("x", 7)  # a request that took 8 units: 4 left - 7 = -3
    with pytest.raises(RateLimitedError) as caught:
        limiter.take("x")
    assert caught.value.retry_after == 4  # 4 tokens to earn, one a second
    clock.now += 4
    limiter.take("x")


def test_debt_is_never_more_than_one_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=5, clock=clock)
    limiter.charge("x", 1000)
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("x")
    assert caught.value.retry_after == 6  # from -5 to 1


def test_check_spends_nothing_and_says_what_is_counted() -> None:
    clock = Clock()
    limiter = RateLimiter(
        per_minute=3,
        burst=3,
        clock=clock,
        counts="failed authentications from this address",
        setting="RAG_AUTH_FAILURES_PER_MINUTE",
    )
    for _ in range(10):
        limiter.check("address:a")
    limiter.charge("address:a", 3)
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("address:a")
    assert caught.value.message.startswith("too many failed authentications from this address")
    assert caught.value.hint is not None and "RAG_AUTH_FAILURES_PER_MINUTE" in caught.value.hint
