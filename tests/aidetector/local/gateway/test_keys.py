"""API keys and quota counters in SQLite: hashed keys shown once, counts that survive restarts and are taken
atomically across threads, quota periods as API Gateway counts them, and a file only its owner reads."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import threading
from datetime import UTC, date, datetime

import pytest

from aidetector.local.gateway.keys import KeyStore, KeyStoreError, hash_key, period_end, period_start
from aidetector.plans import Plan

PLANS = {"p": Plan("p", rate=1, burst=2, quota=2, period="DAY")}


def test_periods_start_like_api_gateway():
    day = date(2026, 11, 26)  # a Thursday
    assert period_start("DAY", day) == "2026-11-26"
    assert period_start("WEEK", day) == "2026-11-23"
    assert period_start("MONTH", day) == "2026-11-01"


@pytest.mark.parametrize(
    ("period", "now", "end"),
    [
        ("DAY", datetime(2026, 11, 26, 23, 59, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)),
        ("WEEK", datetime(2026, 11, 26, 8, 0, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),  # next Monday
        ("MONTH", datetime(2026, 12, 31, 12, 0, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),  # over the year
        ("MONTH", datetime(2028, 2, 29, 12, 0, tzinfo=UTC), datetime(2028, 3, 1, tzinfo=UTC)),  # leap February
    ],
)
def test_periods_end_where_the_next_one_starts(period, now, end):
    assert period_end(period, now) == end
    assert period_start(period, end.date()) == end.date().isoformat()


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


def test_keys_are_listed_by_name_and_a_revoked_one_stays_listed(tmp_path):
    store = KeyStore(tmp_path / "k.db", PLANS)
    raw = store.create("zed", "p")
    store.create("amy", "p")
    store.revoke("zed")
    assert [k.name for k in store.list()] == ["amy", "zed"]
    assert store.get("zed").revoked_at is not None and store.get("nobody") is None
    assert raw.startswith("aid_") and store.lookup(raw) is None
    assert store.usage("zed")["revoked"] is True
    with pytest.raises(KeyStoreError, match="no active key"):
        store.revoke("zed")  # twice
    with pytest.raises(KeyStoreError, match="no key named"):
        store.usage("nobody")


def test_a_key_used_from_another_process_is_accepted_at_once(tmp_path):
    """`aidetector keys create` writes the key while the gateway runs: a second store on the same file sees it."""
    gateway, cli = KeyStore(tmp_path / "k.db", PLANS), KeyStore(tmp_path / "k.db", PLANS)
    assert gateway.lookup(cli.create("late", "p")).name == "late"


def test_quota_counts_are_atomic_across_threads(tmp_path):
    """The gateway counts from many worker threads: exactly `quota` requests get through, however they race."""
    plans = {"q": Plan("q", rate=100, burst=100, quota=25, period="MONTH")}
    store = KeyStore(tmp_path / "k.db", plans)
    key = store.lookup(store.create("racer", "q"))
    counted: list[bool] = []

    def take() -> None:
        for _ in range(10):
            counted.append(store.consume(key))

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counted.count(True) == 25 and len(counted) == 60
    assert store.consume_counted(key) == (False, 25)  # spent: nothing more counted, the count stays
    assert store.usage("racer") | {"period_start": None} == {
        "name": "racer",
        "plan": "q",
        "period": "MONTH",
        "period_start": None,
        "used": 25,
        "quota": 25,
        "remaining": 0,
        "revoked": False,
    }


def test_the_database_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "k.db"  # the folder is made too
    KeyStore(path, PLANS).create("alice", "p")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_world_readable_database_of_an_older_version_is_tightened(tmp_path):
    path = tmp_path / "k.db"
    KeyStore(path, PLANS).create("alice", "p")
    path.chmod(0o644)
    assert KeyStore(path, PLANS).get("alice") is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_keys_sha256_is_stored(tmp_path):
    """A copy of the database gives nobody a usable key: it holds the hash, which lookup recomputes."""
    store = KeyStore(tmp_path / "k.db", PLANS)
    raw = store.create("alice", "p")
    with sqlite3.connect(tmp_path / "k.db") as db:
        stored = db.execute("SELECT key_hash FROM api_keys WHERE name = 'alice'").fetchone()[0]
    assert stored == hashlib.sha256(raw.encode()).hexdigest() == hash_key(raw) and raw not in stored
