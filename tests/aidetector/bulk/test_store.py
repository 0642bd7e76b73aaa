"""The results DB: one input per DB, chunks all-or-nothing, a row never stored twice, stats for the summary."""

import sqlite3

import pytest

from aidetector.bulk.store import InputMismatchError, ResultRow, ResultStore, utc_now

IDENTITY = {"input_sha256": "a" * 64, "text_field": "text", "format": "jsonl"}


def result(row: int, label: str | None = "ai", p: float | None = 0.9, error: str | None = None) -> ResultRow:
    return ResultRow(
        row=row,
        id=f"id{row}",
        input_json='{"text": "t"}',
        label=None if error else label,
        predicted_class=None if error else int((p or 0) >= 0.5),
        probability_ai=None if error else p,
        confidence=None if error else "high",
        tokens_total=None if error else 10,
        tokens_used=None if error else 10,
        model_version=None if error else "v1",
        error_code=error,
        error_message="bad" if error else None,
        scored_at=utc_now(),
    )


@pytest.fixture
def store(tmp_path):
    s = ResultStore(tmp_path / "results.sqlite3")
    s.claim(IDENTITY)
    yield s
    s.close()


def test_the_db_is_in_wal_mode_and_queryable_by_others(store):
    store.add([result(1), result(2)])
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT row, label FROM results ORDER BY row").fetchall() == [(1, "ai"), (2, "ai")]
    other.close()


def test_a_chunk_is_all_or_nothing_and_a_row_is_never_stored_twice(store):
    store.add([result(1), result(2)])
    with pytest.raises(sqlite3.IntegrityError):
        store.add([result(3), result(2)])  # row 2 is already there: the whole chunk is refused
    assert store.done_rows(1, 10) == {1, 2}
    assert store.count() == 2


def test_done_rows_looks_only_at_the_range(store):
    store.add([result(n) for n in (1, 5, 9, 12)])
    assert store.done_rows(5, 10) == {5, 9}


def test_results_come_back_in_input_order(store):
    store.add([result(3), result(1)])
    store.add([result(2)])
    assert [r.row for r in store.results()] == [1, 2, 3]
    assert next(store.results()).id == "id1"


def test_stats_count_labels_and_leave_errors_out_of_the_means(store):
    store.add([result(1, "ai", 0.9), result(2, "human", 0.1), result(3, "ai", 0.8), result(4, error="empty_text")])
    stats = store.stats()
    assert stats.rows == 4 and stats.errors == 1
    assert stats.labels == {"ai": 2, "human": 1}
    assert stats.mean_probability_ai == pytest.approx(0.6)
    assert stats.share_ai == pytest.approx(2 / 3, abs=1e-6)
    assert stats.model_versions == ["v1"]


def test_a_db_of_another_input_is_refused_unless_restarted(store):
    store.add([result(1)])
    store.claim(IDENTITY)  # the same input: fine, results kept
    assert store.count() == 1
    with pytest.raises(InputMismatchError, match=r"input_sha256.*--restart"):
        store.claim({**IDENTITY, "input_sha256": "b" * 64})
    with pytest.raises(InputMismatchError, match="text_field was 'text', now 'body'"):
        store.claim({**IDENTITY, "text_field": "body"})
    assert store.count() == 1
    store.claim({**IDENTITY, "text_field": "body"}, restart=True)
    assert store.count() == 0 and store.meta()["text_field"] == "body"


def test_reopening_keeps_everything(tmp_path):
    path = tmp_path / "r.sqlite3"
    first = ResultStore(path)
    first.claim(IDENTITY)
    first.add([result(1)])
    first.close()
    again = ResultStore(path)
    again.claim(IDENTITY)
    assert again.count() == 1 and again.meta()["input_sha256"] == IDENTITY["input_sha256"]
    again.close()
