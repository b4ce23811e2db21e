"""Retry policy and circuit breaker, with a fake clock: no real waiting."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rag.answering.resilience import CircuitBreaker, Resilient, RetryPolicy
from rag.errors import LLMError, LLMUnavailableError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def flaky(
    failures: int, result: str = "ok", retry_after: float | None = None
) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def request() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise LLMUnavailableError("the LLM endpoint answered 503", retry_after=retry_after)
        return result

    return request, calls


def resilient(clock: FakeClock, policy: RetryPolicy, breaker: CircuitBreaker) -> Resilient:
    return Resilient(policy, breaker, sleep=clock.sleep, clock=clock, rand=lambda: 1.0)


def test_backoff_doubles_is_capped_and_jittered() -> None:
    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=5.0)
    assert [policy.backoff(n, lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert [policy.backoff(n, lambda: 0.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.5]


def test_transient_failures_are_retried_until_success() -> None:
    clock = FakeClock()
    request, calls = flaky(2)
    runner = resilient(clock, RetryPolicy(attempts=3, base_delay=1.0), CircuitBreaker(5, 10, clock))

    assert runner.call(request) == "ok"
    assert len(calls) == 3
    assert clock.slept == [1.0, 2.0]
    assert runner.breaker.state == "closed"


def test_attempts_are_bounded() -> None:
    clock = FakeClock()
    request, calls = flaky(10)
    runner = resilient(clock, RetryPolicy(attempts=3, base_delay=1.0), CircuitBreaker(5, 10, clock))

    with pytest.raises(LLMUnavailableError, match="gave up after 3 attempts"):
        runner.call(request)
    assert len(calls) == 3


def test_total_time_is_bounded() -> None:
    clock = FakeClock()
    request, calls = flaky(10)
    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=100, budget=5.0)
    runner = resilient(clock, policy, CircuitBreaker(5, 10, clock))

    with pytest.raises(LLMUnavailableError):
        runner.call(request)
    assert clock.slept == [1.0, 2.0]  # a wait of 4 more would end past the 5 s budget
    assert len(calls) == 3


def test_retry_after_is_honoured() -> None:
    clock = FakeClock()
    request, calls = flaky(1, retry_after=3.0)
    runner = resilient(clock, RetryPolicy(attempts=3, base_delay=0.1), CircuitBreaker(5, 10, clock))

    assert runner.call(request) == "ok"
    assert clock.slept == [3.0] and len(calls) == 2


def test_a_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    clock = FakeClock()
    request, calls = flaky(1, retry_after=60.0)
    runner = resilient(clock, RetryPolicy(attempts=3, budget=30), CircuitBreaker(5, 10, clock))

    with pytest.raises(LLMUnavailableError):
        runner.call(request)
    assert clock.slept == [] and len(calls) == 1


def test_other_errors_are_not_retried() -> None:
    clock = FakeClock()
    calls: list[int] = []

    def request() -> str:
        calls.append(1)
        raise LLMError("the model's reply is not the JSON asked for")

    runner = resilient(clock, RetryPolicy(attempts=3), CircuitBreaker(1, 10, clock))
    with pytest.raises(LLMError, match="JSON"):
        runner.call(request)
    assert len(calls) == 1
    assert runner.breaker.state == "closed"


def test_the_breaker_opens_after_n_failed_calls_and_half_opens_after_the_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=2, cooldown=10.0, clock=clock)
    runner = resilient(clock, RetryPolicy(attempts=1), breaker)
    request, calls = flaky(3)

    for _ in range(2):
        with pytest.raises(LLMUnavailableError):
            runner.call(request)
    assert breaker.state == "open"
    with pytest.raises(LLMUnavailableError, match="circuit breaker open"):
        runner.call(request)
    assert len(calls) == 2  # nothing went out while open

    clock.now += 10.0
    assert breaker.state == "half-open"
    with pytest.raises(LLMUnavailableError):  # the trial call fails: open again
        runner.call(request)
    assert len(calls) == 3 and breaker.state == "open"

    clock.now += 10.0
    assert runner.call(request) == "ok"  # the trial call succeeds: closed
    assert breaker.state == "closed"


def test_half_open_lets_one_trial_call_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown=5.0, clock=clock)
    breaker.failed()
    clock.now = 5.0
    assert breaker.allow()
    assert not breaker.allow()  # the trial is still out
    breaker.succeeded()
    assert breaker.allow() and breaker.state == "closed"
