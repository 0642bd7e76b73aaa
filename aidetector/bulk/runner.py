"""The batch job: input rows -> chunks -> scorer -> results DB -> output file, resumable at any point.

Rows already in the DB are skipped, so rerunning the same command after an interruption (Ctrl-C, SIGTERM, SIGKILL, a
dead model server) scores only what is missing. Chunks may finish out of order; the output file is written at the end
from the DB, in input order, and replaces the old one atomically.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from tqdm import tqdm

from aidetector.bulk.io import (
    RESULT_FIELDS,
    Format,
    Row,
    count_rows,
    csv_columns,
    fingerprint,
    read_rows,
    write_output,
)
from aidetector.bulk.scorers import Score, Scorer, ScorerError
from aidetector.bulk.settings import BatchSettings
from aidetector.bulk.store import ResultRow, ResultStore, utc_now


@dataclass(frozen=True)
class BatchJob:
    input_path: Path
    output_path: Path
    fmt: Format
    db_path: Path
    text_field: str = "text"
    id_field: str = "id"  # copied into the `id` column when rows have it, for queries that join back
    restart: bool = False


@dataclass
class Summary:
    rows: int
    scored_now: int
    resumed: int  # rows already in the DB from an earlier run, not scored again
    errors: int
    labels: dict[str, int]
    mean_probability_ai: float | None
    share_ai: float | None  # share of scored rows with predicted_class 1
    seconds: float
    rows_per_s: float
    output: str
    db: str
    model_versions: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _result_row(row: Row, score: Score, id_field: str) -> ResultRow:
    record_id = row.record.get(id_field) if isinstance(row.record, dict) else None
    return ResultRow(
        row=row.number,
        id=None if record_id is None else str(record_id),
        input_json=json.dumps(row.record, ensure_ascii=False),
        scored_at=utc_now(),
        **asdict(score),
    )


def run_batch(job: BatchJob, make_scorer: Callable[[], Scorer], settings: BatchSettings) -> Summary:
    """Score every row of the input not yet in the DB, then write the output. `make_scorer` is called only if needed."""
    started = time.monotonic()
    # what makes two runs the same job: the input's bytes and how they are read (not its path: a moved file is fine)
    identity = {"input_sha256": fingerprint(job.input_path), "text_field": job.text_field, "format": job.fmt}
    total = count_rows(job.input_path, job.fmt, job.text_field)
    store = ResultStore(job.db_path)
    try:
        store.claim(identity, job.restart)
        resumed = store.count()
        scored_now = 0
        if resumed < total:
            scored_now = _score_missing(job, store, make_scorer, settings, total, resumed)
        if store.count() != total:
            raise ScorerError(f"the DB holds {store.count()} of {total} rows")
        columns = csv_columns(job.input_path) if job.fmt == "csv" else []
        write_output(job.output_path, job.fmt, columns, _output_rows(store))
        stats = store.stats()
    finally:
        store.close()
    seconds = time.monotonic() - started
    return Summary(
        rows=stats.rows,
        scored_now=scored_now,
        resumed=resumed,
        errors=stats.errors,
        labels=stats.labels,
        mean_probability_ai=stats.mean_probability_ai,
        share_ai=stats.share_ai,
        seconds=round(seconds, 3),
        rows_per_s=round(scored_now / seconds, 2) if seconds > 0 else 0.0,
        output=str(job.output_path),
        db=str(job.db_path),
        model_versions=stats.model_versions,
    )


def _score_missing(
    job: BatchJob,
    store: ResultStore,
    make_scorer: Callable[[], Scorer],
    settings: BatchSettings,
    total: int,
    resumed: int,
) -> int:
    """Keep the scorer busy with a few chunks in flight; commit each chunk as it finishes. Returns rows added."""
    scorer = make_scorer()
    in_flight: dict[Future[list[Score]], tuple[list[Row], list[Row]]] = {}
    added = 0
    bar = tqdm(total=total, initial=resumed, unit="row", file=sys.stderr, disable=not settings.progress)

    def commit(done: Iterable[Future[list[Score]]]) -> None:
        nonlocal added
        for future in done:
            to_score, unusable = in_flight.pop(future)
            try:
                scores = future.result()
            except BrokenExecutor as exc:
                raise ScorerError(f"a scoring worker died ({exc}); rerun the same command to resume") from exc
            rows = [_result_row(r, s, job.id_field) for r, s in zip(to_score, scores, strict=True)]
            rows += [
                _result_row(r, Score.failed(r.error_code or "", r.error_message or ""), job.id_field) for r in unusable
            ]
            store.add(rows)
            added += len(rows)
            bar.update(len(rows))

    try:
        for chunk in _chunks(read_rows(job.input_path, job.fmt, job.text_field), settings.chunk_size):
            done_rows = store.done_rows(chunk[0].number, chunk[-1].number)
            todo = [r for r in chunk if r.number not in done_rows]
            if not todo:
                continue
            to_score = [r for r in todo if r.text is not None]
            unusable = [r for r in todo if r.text is None]
            if to_score:
                future = scorer.submit([r.text for r in to_score if r.text is not None])
            else:  # nothing the model needs to see: commit the errors with the others, in order of completion
                future = Future()
                future.set_result([])
            in_flight[future] = (to_score, unusable)
            if len(in_flight) >= 2 * scorer.parallelism:  # one waiting per worker, so none idles between chunks
                commit(wait(in_flight, return_when=FIRST_COMPLETED).done)
        while in_flight:
            commit(wait(in_flight, return_when=FIRST_COMPLETED).done)
    finally:
        bar.close()
        scorer.close()
    return added


def _output_rows(store: ResultStore) -> Iterator[tuple[Any, dict[str, Any]]]:
    for r in store.results():
        yield json.loads(r.input_json), {name: getattr(r, name) for name in RESULT_FIELDS}
