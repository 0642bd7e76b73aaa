"""API keys and quota counters in SQLite: keys are stored as sha256 hashes and shown once, at creation.

SQLite (WAL mode) lets `aidetector keys create` in one process issue a key that a running gateway accepts at
once, and keeps usage counts across restarts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aidetector.plans import Plan

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS usage (
    name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, period_start)
);
"""


class KeyStoreError(ValueError):
    """A key operation that cannot be done (duplicate name, unknown key, unknown plan)."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    plan: str
    created_at: str
    revoked_at: str | None


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def period_end(period: str, now: datetime | None = None) -> datetime:
    """When the current quota period ends (UTC): the next day, Monday or first of the month."""
    now = now or datetime.now(UTC)
    start = date.fromisoformat(period_start(period, now.date()))
    if period == "DAY":
        end = start + timedelta(days=1)
    elif period == "WEEK":
        end = start + timedelta(days=7)
    else:
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime(end.year, end.month, end.day, tzinfo=UTC)


def period_start(period: str, today: date | None = None) -> str:
    """Start of the quota period (UTC), as API Gateway counts DAY, WEEK (from Monday) and MONTH."""
    today = today or datetime.now(UTC).date()
    if period == "DAY":
        return today.isoformat()
    if period == "WEEK":
        return (today - timedelta(days=today.weekday())).isoformat()
    return today.replace(day=1).isoformat()


class KeyStore:
    def __init__(self, path: Path, plans: dict[str, Plan]):
        self.path = Path(path)
        self.plans = plans
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Key hashes and usage are nobody else's business: the file (and SQLite's -wal/-shm files, which take its
        # mode) is created readable by its owner only, like the demo key.
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        if self.path.stat().st_mode & 0o077:  # made by an older version, world-readable: tighten it
            with contextlib.suppress(PermissionError):
                self.path.chmod(0o600)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened once: opening one per call cost more than the queries on the hot path."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            # WAL + synchronous=NORMAL: a commit survives a crash of the process; only a power cut can lose the
            # last few counts. It saves an fsync per request on the hot path.
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # a reused connection must never stay inside a failed transaction
                db.rollback()
            raise

    def create(self, name: str, plan: str) -> str:
        """Make a key and return it in clear: the only time it is ever shown."""
        if plan not in self.plans:
            raise KeyStoreError(f"unknown plan '{plan}' (plans: {', '.join(sorted(self.plans))})")
        raw = "aid_" + secrets.token_urlsafe(24)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO api_keys (name, key_hash, plan, created_at) VALUES (?, ?, ?, ?)",
                    (name, hash_key(raw), plan, now),
                )
            except sqlite3.IntegrityError as exc:
                raise KeyStoreError(f"a key named '{name}' exists already") from exc
        return raw

    def lookup(self, raw: str) -> ApiKey | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT name, plan, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                (hash_key(raw),),
            ).fetchone()
        return ApiKey(*row) if row else None

    def get(self, name: str) -> ApiKey | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT name, plan, created_at, revoked_at FROM api_keys WHERE name = ?", (name,)
            ).fetchone()
        return ApiKey(*row) if row else None

    def list(self) -> list[ApiKey]:
        with self._connect() as db:
            rows = db.execute("SELECT name, plan, created_at, revoked_at FROM api_keys ORDER BY name").fetchall()
        return [ApiKey(*r) for r in rows]

    def revoke(self, name: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            cur = db.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (now, name))
        if cur.rowcount == 0:
            raise KeyStoreError(f"no active key named '{name}'")

    def consume(self, key: ApiKey) -> bool:
        """Count one request against the key's quota; False (nothing counted) when the quota is spent."""
        return self.consume_counted(key)[0]

    def consume_counted(self, key: ApiKey) -> tuple[bool, int]:
        """(counted, requests used in this period): False (nothing counted) when the quota is spent."""
        plan = self.plans[key.plan]
        start = period_start(plan.period)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT OR IGNORE INTO usage (name, period_start, used) VALUES (?, ?, 0)", (key.name, start))
            cur = db.execute(
                "UPDATE usage SET used = used + 1 WHERE name = ? AND period_start = ? AND used < ?",
                (key.name, start, plan.quota),
            )
            used = db.execute("SELECT used FROM usage WHERE name = ? AND period_start = ?", (key.name, start))
            count = int(used.fetchone()[0])
            db.execute("COMMIT")
        return cur.rowcount == 1, count

    def usage(self, name: str) -> dict[str, object]:
        key = self.get(name)
        if key is None:
            raise KeyStoreError(f"no key named '{name}'")
        plan = self.plans[key.plan]
        start = period_start(plan.period)
        with self._connect() as db:
            row = db.execute("SELECT used FROM usage WHERE name = ? AND period_start = ?", (name, start)).fetchone()
        used = int(row[0]) if row else 0
        return {
            "name": name,
            "plan": key.plan,
            "period": plan.period,
            "period_start": start,
            "used": used,
            "quota": plan.quota,
            "remaining": max(0, plan.quota - used),
            "revoked": key.revoked_at is not None,
        }
