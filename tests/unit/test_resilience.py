"""rag/answering/resilience.py: the circuit breaker (with a fake clock), the budget transport
(over httpx2's MockTransport, a fake clock) and Retry-After. The client's retries themselves
are exercised over HTTP against the scripted server (tests/integration/test_llm_faults.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from rag.answering.resilience import (
    GAVE_UP,
    CircuitBreaker,
    Resilient,
    RetryBudget,
    retry_after,
)
from rag.errors import LLMError, LLMUnavailableError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def flaky(failures: int, result: str = "ok") -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def request() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise LLMUnavailableError("the LLM endpoint answered 503")
        return result

    return request, calls


# ---- the breaker ----------------------------------------------------------------------


def test_the_breaker_opens_after_n_failed_calls_and_half_opens_after_the_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=2, cooldown=10.0, clock=clock)
    runner = Resilient(breaker, clock=clock)
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


def test_an_answer_that_is_wrong_is_no_failure_of_the_endpoint() -> None:
    breaker = CircuitBreaker(failures=1, cooldown=10.0)

    def request() -> str:
        raise LLMError("the model's reply is not the JSON asked for")

    with pytest.raises(LLMError, match="JSON"):
        Resilient(breaker).call(request)
    assert breaker.state == "closed"


# ---- the budget transport -------------------------------------------------------------


class Endpoint:
    """An httpx2 MockTransport handler answering from a list, and moving the fake clock on
    by `seconds` per request (the time the endpoint takes)."""

    def __init__(self, clock: FakeClock, replies: list[httpx2.Response | Exception], seconds=0.0):
        self.clock, self.replies, self.seconds = clock, replies, seconds
        self.timeouts: list[float] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.timeouts.append(request.extensions["timeout"]["read"])
        self.clock.now += self.seconds
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def send(transport: RetryBudget, runner: Resilient, times: int) -> list[httpx2.Response]:
    """`times` requests inside one call, as the client's attempts would be."""
    with httpx2.Client(transport=transport, timeout=60.0) as client:
        return runner.call(
            lambda: [client.post("http://llm.test/v1/chat/completions") for _ in range(times)]
        )


def test_each_attempt_waits_at_most_the_time_left() -> None:
    clock = FakeClock()
    endpoint = Endpoint(clock, [httpx2.Response(503), httpx2.Response(200)], seconds=4.0)
    runner = Resilient(CircuitBreaker(5, 30), budget=10.0, clock=clock)

    responses = send(RetryBudget(httpx2.MockTransport(endpoint), clock), runner, 2)

    assert [r.status_code for r in responses] == [503, 200]
    assert endpoint.timeouts == [10.0, 6.0]


def test_no_attempt_starts_once_the_budget_is_spent() -> None:
    clock = FakeClock()
    endpoint = Endpoint(clock, [httpx2.Response(503, text="busy")], seconds=11.0)
    runner = Resilient(CircuitBreaker(5, 30), budget=10.0, clock=clock)

    first, second = send(RetryBudget(httpx2.MockTransport(endpoint), clock), runner, 2)

    assert len(endpoint.timeouts) == 1  # the second was never sent
    assert first.headers.get("x-should-retry") == "false"  # no time left: don't sleep on it
    assert (second.status_code, second.text) == (503, "busy")
    assert second.headers["x-should-retry"] == "false"


def test_a_retry_after_past_the_budget_ends_the_call_at_once() -> None:
    clock = FakeClock()
    replies = [httpx2.Response(429, headers={"retry-after": "60"}), httpx2.Response(429)]
    endpoint = Endpoint(clock, list(replies))
    runner = Resilient(CircuitBreaker(5, 30), budget=30.0, clock=clock)

    (response,) = send(RetryBudget(httpx2.MockTransport(endpoint), clock), runner, 1)
    assert response.headers["x-should-retry"] == "false"

    endpoint.replies = [httpx2.Response(429, headers={"retry-after": "2"})]
    (response,) = send(RetryBudget(httpx2.MockTransport(endpoint), clock), runner, 1)
    assert "x-should-retry" not in response.headers  # 2 s fit: the client may wait and retry


def test_a_timeout_with_no_time_left_is_answered_for_the_endpoint() -> None:
    clock = FakeClock()
    endpoint = Endpoint(clock, [httpx2.ReadTimeout("slow")], seconds=10.0)
    runner = Resilient(CircuitBreaker(5, 30), budget=10.0, clock=clock)

    (response,) = send(RetryBudget(httpx2.MockTransport(endpoint), clock), runner, 1)

    assert response.status_code == 504 and response.headers[GAVE_UP] == "timeout"
    assert response.headers["x-should-retry"] == "false"


def test_outside_a_call_requests_pass_untouched() -> None:
    clock = FakeClock()
    endpoint = Endpoint(clock, [httpx2.Response(503)], seconds=100.0)
    with httpx2.Client(transport=RetryBudget(httpx2.MockTransport(endpoint), clock)) as client:
        response = client.post("http://llm.test/v1/chat/completions", timeout=60.0)
    assert response.status_code == 503 and "x-should-retry" not in response.headers
    assert endpoint.timeouts == [60.0]


def test_a_failed_call_says_how_many_attempts_it_made() -> None:
    clock = FakeClock()
    transport = RetryBudget(httpx2.MockTransport(lambda request: httpx2.Response(503)), clock)
    runner = Resilient(CircuitBreaker(5, 30), budget=10.0, clock=clock)

    def call() -> None:
        with httpx2.Client(transport=transport) as client:
            for _ in range(3):
                client.get("http://llm.test/")
        raise LLMUnavailableError("the LLM endpoint answered 503")

    with pytest.raises(LLMUnavailableError, match="gave up after 3 attempts"):
        runner.call(call)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "Thu, 01 Jan 1970 00:00:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_seconds_or_as_a_date(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert retry_after(headers) == seconds
