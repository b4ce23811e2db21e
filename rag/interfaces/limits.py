"""Request limits that are not schema rules: a token-bucket rate limiter (clock injected,
so tests need no sleeps) and the batch-size check. Pure: no HTTP."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from rag.errors import RateLimitedError, TooLargeError

MAX_TRACKED = 10_000
"""Buckets kept at most; full (idle) ones are dropped first, so memory stays bounded."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`per_minute` requests a minute per caller, in bursts of up to `burst`."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of `caller`'s, or raise RateLimitedError with when to retry."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                self._forget_idle(now)
                bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise RateLimitedError(
            f"too many requests: the limit is {self.per_minute} a minute (bursts of {self.burst})",
            retry_after=max(1, wait),
            hint=f"retry after {max(1, wait)} s; RAG_RATE_LIMIT_PER_MINUTE sets the limit",
        )

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) < MAX_TRACKED:
            return
        for name, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.burst:
                del self._buckets[name]
        if len(self._buckets) >= MAX_TRACKED:  # all busy: drop the oldest
            oldest = min(self._buckets, key=lambda n: self._buckets[n].updated)
            del self._buckets[oldest]


def check_batch(count: int, limit: int) -> None:
    """A write request carries at most `limit` statements."""
    if count > limit:
        raise TooLargeError(
            f"the request has {count} statements; the limit is {limit} a request",
            field="statements",
            hint="send them in smaller batches (RAG_MAX_BATCH_STATEMENTS), "
            "or ingest files with `rag ingest`",
        )
