"""Retries with backoff and a circuit breaker around calls to the LLM endpoint.

The `openai` client's own retries are off (`max_retries=0`), so what happens on a failure is
decided here, explicitly, and can be tested with a fake clock:

- A call that fails with `LLMUnavailableError` (timeout, connection lost, 429, 5xx) is tried
  again, at most `RetryPolicy.attempts` times in all, after an exponential wait with jitter,
  or after the endpoint's Retry-After when it sent one; never past `RetryPolicy.budget`
  seconds since the first attempt. Other errors (a 400, a reply that is not JSON) are not
  retried: asking again would get the same answer.
- A `CircuitBreaker` counts calls that failed after their retries. After `failures` in a row
  it opens: calls fail at once, reaching no endpoint, for `cooldown` seconds; then it is
  half-open: one call is let through, and its outcome closes or reopens the breaker.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from rag.errors import LLMUnavailableError

T = TypeVar("T")
Clock = Callable[[], float]
State = Literal["closed", "open", "half-open"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    """Requests per call at most, the first included."""
    base_delay: float = 0.5
    """The wait after the first failure, before jitter; it doubles after each one."""
    max_delay: float = 8.0
    budget: float = 30.0
    """Seconds from the first attempt after which no new attempt is started."""

    def backoff(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after `failures` failed attempts: half fixed, half random ("equal jitter"),
        so that clients that failed together do not retry together."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(failures - 1, 0))
        return ceiling / 2 + rand() * ceiling / 2


class CircuitBreaker:
    """Closed, open after `failures` failed calls in a row, half-open after `cooldown`."""

    def __init__(self, failures: int, cooldown: float, clock: Clock = time.monotonic) -> None:
        self._threshold = failures
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> State:
        with self._lock:
            return self._state()

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self._cooldown:
            return "open"
        return "half-open"

    def retry_in(self) -> float:
        """Seconds until the breaker lets a trial call through (0 unless open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self._opened_at + self._cooldown - self._clock())

    def allow(self) -> bool:
        """Whether a call may go out now; half-open, only one at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "open" or self._trial:
                return False
            self._trial = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self._threshold:
                self._opened_at = self._clock()
            self._trial = False


class Resilient:
    """Runs calls under a retry policy and a circuit breaker (one per answerer)."""

    def __init__(
        self,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.breaker = breaker
        self._sleep = sleep
        self._clock = clock
        self._rand = rand

    def call(self, request: Callable[[], T]) -> T:
        if not self.breaker.allow():
            raise LLMUnavailableError(
                "the LLM endpoint failed repeatedly, so it is not asked for another "
                f"{self.breaker.retry_in():.1f} s (circuit breaker open)",
                hint="check the endpoint; RAG_LLM_BREAKER_COOLDOWN_SECONDS sets the pause",
            )
        started, failures = self._clock(), 0
        while True:
            try:
                result = request()
            except LLMUnavailableError as exc:
                failures += 1
                wait = (
                    exc.retry_after
                    if exc.retry_after is not None
                    else self.policy.backoff(failures, self._rand)
                )
                elapsed = self._clock() - started
                if failures >= self.policy.attempts or elapsed + wait > self.policy.budget:
                    self.breaker.failed()
                    raise LLMUnavailableError(
                        f"{exc.message} (gave up after {failures} "
                        f"attempt{'s' if failures > 1 else ''} in {elapsed:.1f} s)",
                        hint=exc.hint,
                    ) from exc
                self._sleep(wait)
            except Exception:
                self.breaker.succeeded()  # the endpoint answered: only the answer was wrong
                raise
            else:
                self.breaker.succeeded()
                return result
