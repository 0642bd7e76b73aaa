"""Per-key token buckets, as API Gateway throttles: `rate` tokens a second refill a bucket of `burst`; what is
left and the wait for the next token feed the rate-limit headers and a 429's Retry-After."""

from __future__ import annotations

import threading

import pytest

from aidetector.local.gateway.throttle import TokenBuckets


def clocked() -> tuple[TokenBuckets, list[float]]:
    now = [0.0]
    return TokenBuckets(clock=lambda: now[0]), now


def test_token_bucket_refills_at_rate_up_to_burst():
    buckets, now = clocked()
    assert [buckets.allow("k", 1.0, 2) for _ in range(3)] == [True, True, False]
    now[0] = 1.0
    assert buckets.allow("k", 1.0, 2) and not buckets.allow("k", 1.0, 2)
    now[0] = 100.0
    assert [buckets.allow("k", 1.0, 2) for _ in range(3)] == [True, True, False]
    assert buckets.allow("other", 1.0, 2)


def test_take_says_what_is_left_and_when_the_next_token_comes():
    buckets, now = clocked()
    assert buckets.take("k", 0.5, 3) == (True, 2, 0.0)
    assert buckets.take("k", 0.5, 3)[:2] == (True, 1)
    allowed, left, wait = buckets.take("k", 0.5, 3)
    assert (allowed, left) == (True, 0) and wait == pytest.approx(2.0)  # one token every 2 s at 0.5/s
    now[0] = 0.5
    allowed, left, wait = buckets.take("k", 0.5, 3)
    assert (allowed, left) == (False, 0) and wait == pytest.approx(1.5)  # a quarter of a token came back: 1.5 s to go
    now[0] = 2.0
    assert buckets.take("k", 0.5, 3)[0] is True  # the token arrived when the wait said


def test_a_refused_call_costs_no_token():
    """A client hammering a 429 must not push its own recovery further away."""
    buckets, now = clocked()
    assert buckets.allow("k", 1.0, 1)
    now[0] = 0.5
    assert not any(buckets.allow("k", 1.0, 1) for _ in range(100))
    now[0] = 1.0
    assert buckets.allow("k", 1.0, 1)


def test_a_zero_rate_never_refills():
    buckets, now = clocked()
    assert buckets.take("k", 0.0, 1)[0] is True
    now[0] = 1e9
    allowed, _, wait = buckets.take("k", 0.0, 1)
    assert allowed is False and wait == float("inf")


def test_threads_racing_on_one_key_get_exactly_burst_tokens():
    buckets, _ = clocked()  # the clock stands still: nothing refills while they race
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def hammer() -> None:
        barrier.wait()
        results.extend(buckets.allow("shared", 1.0, 50) for _ in range(20))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 50 and len(results) == 160
