"""Per-key token buckets, as API Gateway throttles: `rate` tokens per second refill a bucket of `burst`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def allow(self, key: str, rate: float, burst: int) -> bool:
        """Take one token if there is one; False means answer 429 Too Many Requests."""
        return self.take(key, rate, burst)[0]

    def take(self, key: str, rate: float, burst: int) -> tuple[bool, int, float]:
        """(allowed, whole tokens left, seconds until the next token): what the rate-limit headers and Retry-After
        of a 429 say."""
        now = self._clock()
        with self._lock:
            tokens, last = self._state.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._state[key] = (tokens, now)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate if rate > 0 else float("inf")
        return allowed, int(tokens), wait
