"""Request limits that are not schema rules: a token-bucket rate limiter (clock injected,
so tests need no sleeps), used for requests and for failed authentications, and the
batch-size check. Pure: no HTTP."""

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
    """`per_minute` requests a minute per caller, in bursts of up to `burst`.

    A request that cost more than one (it took seconds) is `charge`d the rest afterwards:
    its caller's bucket may go into debt, down to minus one burst, and waits it off."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        counts: str = "requests",
        setting: str = "RAG_RATE_LIMIT_PER_MINUTE",
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.per_minute = per_minute
        self.counts = counts
        self.setting = setting
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of `caller`'s, or raise RateLimitedError with when to retry."""
        with self._lock:
            bucket = self._refilled(caller)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = self._wait(bucket)
        raise self._refusal(wait)

    def check(self, caller: str) -> None:
        """Raise RateLimitedError if `caller` has nothing left, spending nothing."""
        with self._lock:
            bucket = self._refilled(caller)
            if bucket.tokens >= 1:
                return
            wait = self._wait(bucket)
        raise self._refusal(wait)

    def charge(self, caller: str, cost: float) -> None:
        """Spend `cost` more of `caller`'s, into debt if need be (never below -burst)."""
        with self._lock:
            bucket = self._refilled(caller)
            bucket.tokens = max(-float(self.burst), bucket.tokens - cost)

    def _refilled(self, caller: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _wait(self, bucket: _Bucket) -> int:
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))

    def _refusal(self, wait: int) -> RateLimitedError:
        return RateLimitedError(
            f"too many {self.counts}: the limit is {self.per_minute} a minute "
            f"(bursts of {self.burst})",
            retry_after=wait,
            hint=f"retry after {wait} s; {self.setting} sets the limit",
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
