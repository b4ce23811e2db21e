"""What happens when the LLM endpoint fails: the `openai` client's retries, a time budget over
them, and a circuit breaker.

- **Retries are the client's** (`max_retries` on the client: RAG_LLM_MAX_ATTEMPTS - 1).
  It retries timeouts, lost connections, 408, 409, 429 and 5xx, waits between attempts
  with exponential backoff and jitter (0.5 s doubling to 8 s, up to a quarter less) or for
  the endpoint's Retry-After / retry-after-ms, obeys the endpoint's `x-should-retry`, and
  sends one idempotency key for all attempts of a request. Other 4xx are not retried.
- **The budget** (`RetryBudget`, the HTTP transport under the client) keeps one call's
  attempts within `budget` seconds of its first: each attempt waits at most the time left;
  a failure that leaves no time, or whose Retry-After reaches past the budget, is passed on
  with `x-should-retry: false`, so the client gives up at once instead of sleeping for
  nothing; and an attempt that would start with no time left (the client's backoff ran past
  the budget) is not sent: the transport answers for the endpoint with the last failure and
  `x-should-retry: false`. A call therefore ends within the budget plus at most one of the
  client's backoff waits (8 s at most).
- **The breaker** (`CircuitBreaker`) counts calls that failed after their retries. After
  `failures` in a row it opens: calls fail at once, reaching no endpoint, for `cooldown`
  seconds; then it is half-open: one call is let through, and its outcome closes or reopens
  the breaker.

`Resilient.call` runs one call under the breaker and the budget.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar

import httpx2

from rag.errors import LLMUnavailableError

T = TypeVar("T")
Clock = Callable[[], float]
State = Literal["closed", "open", "half-open"]

GAVE_UP = "x-rag-gave-up"
"""Marks the answer `RetryBudget` gives in the endpoint's place; its value says what the last
attempt came to: "timeout" or "connection"."""


@dataclass(slots=True)
class _Call:
    """One call's attempts, as the transport sees them."""

    deadline: float
    sent: int = 0
    last: httpx2.Response | Literal["timeout", "connection"] | None = None


_CURRENT: ContextVar[_Call | None] = ContextVar("rag_llm_call", default=None)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from retry-after-ms, or Retry-After in seconds or as an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class RetryBudget(httpx2.BaseTransport):
    """An HTTP transport that keeps the client's retries of one call within its budget (see
    the module docstring). Outside `Resilient.call` it only passes requests on."""

    def __init__(self, inner: httpx2.BaseTransport | None = None, clock: Clock = time.monotonic):
        self._inner = inner or httpx2.HTTPTransport()
        self._clock = clock

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        call = _CURRENT.get()
        if call is None:
            return self._inner.handle_request(request)
        left = call.deadline - self._clock()
        if call.sent and left <= 0:
            return _given_up(request, call.last)
        timeouts = request.extensions.get("timeout")
        if isinstance(timeouts, dict):
            request.extensions["timeout"] = {
                k: v if v is None else min(v, max(left, 0.001)) for k, v in timeouts.items()
            }
        call.sent += 1
        try:
            response = self._inner.handle_request(request)
        except (httpx2.TimeoutException, httpx2.TransportError) as exc:
            call.last = "timeout" if isinstance(exc, httpx2.TimeoutException) else "connection"
            if call.deadline - self._clock() <= 0:
                return _given_up(request, call.last)
            raise
        if response.status_code < 400:
            return response
        response.read()
        response.close()
        call.last = httpx2.Response(
            response.status_code, headers=response.headers, content=response.content
        )
        wait = retry_after(response.headers) or 0.0
        if wait >= call.deadline - self._clock():  # no retry could start within the budget
            return _replay(call.last, request)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            content=response.content,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


def _replay(failure: httpx2.Response, request: httpx2.Request) -> httpx2.Response:
    """`failure` again, telling the client not to try again."""
    headers = httpx2.Headers(failure.headers)
    headers["x-should-retry"] = "false"
    return httpx2.Response(
        failure.status_code, headers=headers, content=failure.content, request=request
    )


def _given_up(
    request: httpx2.Request, last: httpx2.Response | Literal["timeout", "connection"] | None
) -> httpx2.Response:
    if isinstance(last, httpx2.Response):
        return _replay(last, request)
    what = last or "timeout"
    message = f"no time left in the retry budget; the last attempt ended in a {what}"
    body = json.dumps({"error": {"message": message, "type": "retry_budget_spent"}})
    return httpx2.Response(
        504,
        headers={"content-type": "application/json", "x-should-retry": "false", GAVE_UP: what},
        content=body.encode(),
        request=request,
    )


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
    """Runs calls to the endpoint under a circuit breaker and a time budget (one per
    endpoint). The budget only holds for requests sent through a `RetryBudget` transport."""

    def __init__(
        self, breaker: CircuitBreaker, budget: float = 30.0, clock: Clock = time.monotonic
    ) -> None:
        self.breaker = breaker
        self.budget = budget
        self._clock = clock

    def call(self, request: Callable[[], T]) -> T:
        """`request()`, which raises `LLMUnavailableError` when the endpoint failed after the
        client's retries, and anything else when it answered with something unusable."""
        if not self.breaker.allow():
            raise LLMUnavailableError(
                "the LLM endpoint failed repeatedly, so it is not asked for another "
                f"{self.breaker.retry_in():.1f} s (circuit breaker open)",
                hint="check the endpoint; RAG_LLM_BREAKER_COOLDOWN_SECONDS sets the pause",
            )
        started = self._clock()
        call = _Call(deadline=started + self.budget)
        token = _CURRENT.set(call)
        try:
            result = request()
        except LLMUnavailableError as exc:
            self.breaker.failed()
            attempts = f"{call.sent} attempt{'s' if call.sent != 1 else ''}"
            raise LLMUnavailableError(
                f"{exc.message} (gave up after {attempts} in {self._clock() - started:.1f} s)",
                hint=exc.hint,
            ) from exc
        except Exception:
            self.breaker.succeeded()  # the endpoint answered: only the answer was wrong
            raise
        finally:
            _CURRENT.reset(token)
        self.breaker.succeeded()
        return result
