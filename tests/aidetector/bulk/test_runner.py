"""Resume logic with the real in-process scorer and the tiny model: rows in the DB are never scored again."""

import json

import pytest

from aidetector.bulk.runner import BatchJob, run_batch
from aidetector.bulk.scorers import LocalScorer
from aidetector.bulk.settings import BatchSettings
from aidetector.bulk.store import InputMismatchError, ResultStore
from tests.conftest import make_records, write_jsonl

SETTINGS = BatchSettings(workers=1, chunk_size=7, progress=False)


@pytest.fixture
def job(tmp_path):
    rows = [{"id": f"r{i}", **r} for i, r in enumerate(make_records(40, seed=5, words=40))]
    rows[3]["text"] = "   "  # the detector refuses it: an error row
    rows[10] = {"id": "r10", "body": "no text field"}
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    return BatchJob(path, tmp_path / "out.jsonl", "jsonl", tmp_path / "out.sqlite3")


class CountingFactory:
    """Builds the real LocalScorer and counts how often it was asked to (the model loads only when needed)."""

    def __init__(self, model_dir):
        self.model_dir, self.calls = model_dir, 0

    def __call__(self) -> LocalScorer:
        self.calls += 1
        return LocalScorer(self.model_dir, 1)


def scored_at(db) -> dict[int, str]:
    store = ResultStore(db)
    try:
        return {r.row: r.scored_at for r in store.results()}
    finally:
        store.close()


def test_a_full_run_then_a_resume_scores_only_the_missing_rows(job, tiny_artifact):
    factory = CountingFactory(tiny_artifact)
    first = run_batch(job, factory, SETTINGS)
    assert (first.rows, first.scored_now, first.resumed, first.errors) == (40, 40, 0, 2)
    assert sum(first.labels.values()) == 38 and 0 <= (first.share_ai or 0) <= 1
    before = scored_at(job.db_path)
    store = ResultStore(job.db_path)  # as if the chunks holding rows 8-14 and 30 never committed
    with store.conn:
        store.conn.execute("DELETE FROM results WHERE row BETWEEN 8 AND 14 OR row = 30")
    store.close()
    job.output_path.unlink()

    second = run_batch(job, factory, SETTINGS)
    assert (second.rows, second.scored_now, second.resumed) == (40, 8, 32)
    after = scored_at(job.db_path)
    assert sorted(after) == list(range(1, 41))
    kept = [n for n in before if not (8 <= n <= 14 or n == 30)]
    assert all(after[n] == before[n] for n in kept)  # never scored again
    assert all(after[n] > before[n] for n in (*range(8, 15), 30))
    out = [json.loads(line) for line in job.output_path.read_text().splitlines()]
    assert [o["row"] for o in out] == list(range(1, 41))
    assert [o["id"] for o in out] == [f"r{i}" for i in range(40)]
    assert out[3]["error_code"] == "empty_text" and out[10]["error_code"] == "missing_field"
    assert out[0]["input_label"] in (0, 1) and out[0]["label"] in ("ai", "human", "inconclusive")
    assert factory.calls == 2


def test_a_finished_job_rewrites_the_output_without_loading_a_model(job, tiny_artifact):
    factory = CountingFactory(tiny_artifact)
    run_batch(job, factory, SETTINGS)
    first_output = job.output_path.read_text()
    job.output_path.unlink()
    again = run_batch(job, factory, SETTINGS)
    assert (again.scored_now, again.resumed) == (0, 40)
    assert factory.calls == 1
    assert job.output_path.read_text() == first_output


def test_a_changed_input_is_refused_unless_restarted(job, tiny_artifact):
    factory = CountingFactory(tiny_artifact)
    run_batch(job, factory, SETTINGS)
    write_jsonl(job.input_path, make_records(5, seed=9))
    with pytest.raises(InputMismatchError, match="different input"):
        run_batch(job, factory, SETTINGS)
    restarted = BatchJob(job.input_path, job.output_path, "jsonl", job.db_path, restart=True)
    summary = run_batch(restarted, factory, SETTINGS)
    assert (summary.rows, summary.scored_now, summary.resumed) == (5, 5, 0)


def test_the_id_column_holds_each_rows_id(job, tiny_artifact):
    run_batch(job, CountingFactory(tiny_artifact), SETTINGS)
    store = ResultStore(job.db_path)
    ids = [r.id for r in store.results()]
    store.close()
    assert ids == [f"r{i}" for i in range(40)]
