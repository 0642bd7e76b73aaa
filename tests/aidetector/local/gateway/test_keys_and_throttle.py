from datetime import date

import pytest

from aidetector.local.gateway.keys import KeyStore, KeyStoreError, period_start
from aidetector.local.gateway.throttle import TokenBuckets
from aidetector.plans import Plan, load_plans

PLANS = {"p": Plan("p", rate=1, burst=2, quota=2, period="DAY")}


def test_token_bucket_refills_at_rate_up_to_burst():
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    assert [buckets.allow("k", 1.0, 2) for _ in range(3)] == [True, True, False]
    now[0] = 1.0
    assert buckets.allow("k", 1.0, 2) and not buckets.allow("k", 1.0, 2)
    now[0] = 100.0
    assert [buckets.allow("k", 1.0, 2) for _ in range(3)] == [True, True, False]
    assert buckets.allow("other", 1.0, 2)


def test_periods_start_like_api_gateway():
    day = date(2026, 11, 26)  # a Thursday
    assert period_start("DAY", day) == "2026-11-26"
    assert period_start("WEEK", day) == "2026-11-23"
    assert period_start("MONTH", day) == "2026-11-01"


def test_keys_hashed_quota_counted_and_revocable(tmp_path):
    store = KeyStore(tmp_path / "k.db", PLANS)
    raw = store.create("alice", "p")
    assert store.lookup(raw).name == "alice" and store.lookup("aid_other") is None
    assert raw.encode() not in (tmp_path / "k.db").read_bytes()
    key = store.lookup(raw)
    assert [store.consume(key) for _ in range(3)] == [True, True, False]
    assert store.usage("alice")["remaining"] == 0
    reopened = KeyStore(tmp_path / "k.db", PLANS)  # counts survive a restart
    assert reopened.usage("alice")["used"] == 2
    reopened.revoke("alice")
    assert reopened.lookup(raw) is None
    with pytest.raises(KeyStoreError):
        reopened.create("alice", "p")
    with pytest.raises(KeyStoreError):
        reopened.create("bob", "gold")


def test_shipped_plans_file_is_valid():
    config = load_plans()
    assert {"free", "pro"} <= set(config.plans)
    assert config.plans["pro"].rate > config.plans["free"].rate
    assert config.limits.max_batch_items == 32
