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
        now = self._clock()
        with self._lock:
            tokens, last = self._state.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, now)
                return True
            self._state[key] = (tokens, now)
            return False
