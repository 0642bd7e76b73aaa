"""`aidetector batch`'s checks before any model loads: each bad argument is one error line and exit status 2.

(The scoring runs themselves, with local models and model servers, are in tests/integration/test_batch.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import make_records, write_jsonl


def batch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "batch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AIDETECTOR_BATCH_PROGRESS": "false"},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "{tmp}/missing.jsonl"], "no such input file"),
        (["--input", "{tmp}/in.txt"], "--format"),
        (["--input", "{tmp}/in.csv"], "no column 'text'"),
        (["--input", "{tmp}/in.jsonl", "--model", "m", "--server-url", "http://x"], "not both"),
        (["--input", "{tmp}/in.jsonl", "--server-url", "ftp://x"], "http(s) URL"),
        (["--input", "{tmp}/in.jsonl", "--workers", "0"], "workers"),
        (["--input", "{tmp}/in.jsonl", "--model", "{tmp}"], "not a model artifact"),
        (["--input", "{tmp}/in.jsonl", "--output", "{tmp}/in.jsonl"], "must not be the input"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, message):
    (tmp_path / "in.txt").write_text("x\n")
    (tmp_path / "in.csv").write_text("id,body\n1,hello\n")
    write_jsonl(tmp_path / "in.jsonl", make_records(2))
    output = [] if "--output" in args else ["--output", str(tmp_path / "out.jsonl")]
    done = batch(*[a.format(tmp=tmp_path) for a in args], *output)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr and "Traceback" not in done.stderr


def test_a_db_of_another_input_is_refused(tmp_path):
    """Refused before any model loads; `--restart` (tested on the runner) would empty the DB instead."""
    from aidetector.bulk.store import ResultStore

    source, db = write_jsonl(tmp_path / "b.jsonl", make_records(4)), tmp_path / "job.sqlite3"
    store = ResultStore(db)
    store.claim({"input_sha256": "0" * 64, "text_field": "text", "format": "jsonl"})
    store.close()
    refused = batch("--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--db", str(db))
    assert refused.returncode == 2 and "different input" in refused.stderr and "--restart" in refused.stderr
