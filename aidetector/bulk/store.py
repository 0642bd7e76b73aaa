"""The results DB (SQLite): one row per input row, committed a chunk at a time.

This is what makes resuming exact: a row is in `results` only once its whole chunk committed, and a row that is in
`results` is never scored again (the primary key would refuse it). WAL mode lets anyone query the table while a job
writes to it. The `meta` table ties the DB to one input file, so a rerun cannot mix rows of two inputs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    row INTEGER PRIMARY KEY,
    id TEXT,
    input_json TEXT NOT NULL,
    label TEXT,
    predicted_class INTEGER,
    probability_ai REAL,
    confidence TEXT,
    tokens_total INTEGER,
    tokens_used INTEGER,
    model_version TEXT,
    error_code TEXT,
    error_message TEXT,
    scored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class InputMismatchError(Exception):
    """The DB holds results of another input (or of the same file read another way)."""


@dataclass(frozen=True)
class ResultRow:
    row: int
    id: str | None
    input_json: str
    label: str | None
    predicted_class: int | None
    probability_ai: float | None
    confidence: str | None
    tokens_total: int | None
    tokens_used: int | None
    model_version: str | None
    error_code: str | None
    error_message: str | None
    scored_at: str


COLUMNS = tuple(f.name for f in fields(ResultRow))


@dataclass(frozen=True)
class Stats:
    rows: int
    errors: int
    labels: dict[str, int]
    mean_probability_ai: float | None
    share_ai: float | None
    model_versions: list[str]  # more than one when a resumed job ran with another model


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ResultStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: a commit survives a killed process
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def claim(self, identity: dict[str, str], restart: bool = False) -> None:
        """Tie the DB to this input; refuse one made from another input unless `restart` (which empties it)."""
        current = self.meta()
        different = {k: (current.get(k), v) for k, v in identity.items() if current and current.get(k) != v}
        if different and not restart:
            what = "; ".join(f"{k} was {old!r}, now {new!r}" for k, (old, new) in different.items())
            raise InputMismatchError(
                f"{self.path} holds results of a different input ({what}); "
                "use --restart to discard them, or another --db"
            )
        if restart or not current:
            with self.conn:
                self.conn.execute("DELETE FROM results")
                self.conn.execute("DELETE FROM meta")
                self.conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)", [*identity.items(), ("created_at", utc_now())]
                )

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def done_rows(self, first: int, last: int) -> set[int]:
        cursor = self.conn.execute("SELECT row FROM results WHERE row BETWEEN ? AND ?", (first, last))
        return {r for (r,) in cursor}

    def add(self, rows: Sequence[ResultRow]) -> None:
        """All or nothing: a chunk is either fully in the DB or not at all."""
        placeholders = ", ".join("?" * len(COLUMNS))
        with self.conn:
            self.conn.executemany(
                f"INSERT INTO results ({', '.join(COLUMNS)}) VALUES ({placeholders})", [astuple(r) for r in rows]
            )

    def results(self) -> Iterator[ResultRow]:
        """Every result in input order."""
        cursor = self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM results ORDER BY row")
        for values in cursor:
            yield ResultRow(*values)

    def stats(self) -> Stats:
        rows, errors, mean_p, share = self.conn.execute(
            "SELECT COUNT(*), COUNT(error_code), AVG(CASE WHEN error_code IS NULL THEN probability_ai END),"
            " AVG(CASE WHEN error_code IS NULL THEN predicted_class END) FROM results"
        ).fetchone()
        labels: dict[str, Any] = dict(
            self.conn.execute(
                "SELECT label, COUNT(*) FROM results WHERE error_code IS NULL GROUP BY label ORDER BY label"
            ).fetchall()
        )
        versions = self.conn.execute(
            "SELECT DISTINCT model_version FROM results WHERE model_version IS NOT NULL ORDER BY 1"
        ).fetchall()
        return Stats(
            rows=int(rows),
            errors=int(errors),
            labels={str(k): int(v) for k, v in labels.items()},
            mean_probability_ai=None if mean_p is None else round(float(mean_p), 6),
            share_ai=None if share is None else round(float(share), 6),
            model_versions=[str(v) for (v,) in versions],
        )
