"""`aidetector batch` as users run it (subprocesses, tiny real model, real model servers on loopback).

Includes the reliability cases: the job killed with SIGKILL and rerun, and the model server killed mid-run and
started again on the same port; in both, every row ends up scored exactly once, in input order.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_records, write_jsonl
from tests.integration.servers import Server, free_port, model_server
from tests.slack_recorder import slack_webhook


def batch(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "batch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "AIDETECTOR_BATCH_PROGRESS": "false", **(env or {})},
    )


def start_batch(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aidetector.cli", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "AIDETECTOR_BATCH_PROGRESS": "false", **(env or {})},
    )


def records(n: int, words: int = 40, seed: int = 11) -> list[dict]:
    return [{"id": f"r{i}", **r} for i, r in enumerate(make_records(n, seed=seed, words=words))]


def db_rows(db: Path) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT row, scored_at FROM results"))


def wait_for_rows(db: Path, at_least: int, proc: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the job ended early: {proc.communicate()}"
        if db.exists():
            try:
                count = len(db_rows(db))
            except sqlite3.OperationalError:  # the job is still creating the tables
                count = 0
            if count >= at_least:
                return count
        time.sleep(0.05)
    raise TimeoutError(f"fewer than {at_least} rows committed in {timeout}s")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_with_a_local_model_in_two_processes(tiny_artifact, tmp_path):
    rows = records(60)
    rows[5]["text"] = ""
    rows[6]["text"] = ["not", "a", "string"]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    with source.open("a") as handle:
        handle.write("this line is not json\n")
    out = tmp_path / "out.jsonl"

    done = batch("--input", str(source), "--output", str(out), "--model", str(tiny_artifact), "--workers", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert (summary["rows"], summary["scored_now"], summary["resumed"], summary["errors"]) == (61, 61, 0, 3)
    assert summary["rows_per_s"] > 0 and sum(summary["labels"].values()) == 58
    result = read_jsonl(out)
    assert [r["row"] for r in result] == list(range(1, 62))
    assert [r.get("id") for r in result[:60]] == [f"r{i}" for i in range(60)]
    assert (result[5]["error_code"], result[6]["error_code"], result[60]["error_code"]) == (
        "empty_text",
        "invalid_field",
        "invalid_json",
    )
    assert result[60]["input"] == "this line is not json"
    good = result[0]
    assert good["text"] == rows[0]["text"] and good["input_label"] == rows[0]["label"]
    assert good["label"] in ("ai", "human", "inconclusive") and 0 <= good["probability_ai"] <= 1
    assert good["error_code"] is None and good["tokens_used"] == good["tokens_total"] > 0
    with sqlite3.connect(str(out) + ".sqlite3") as conn:  # the default DB sits beside the output
        labels = dict(conn.execute("SELECT label, COUNT(*) FROM results WHERE error_code IS NULL GROUP BY label"))
        assert labels == summary["labels"]
        assert conn.execute("SELECT id FROM results WHERE row = 2").fetchone() == ("r1",)


def test_csv_with_a_chosen_text_column(tiny_artifact, tmp_path):
    source, out, db = tmp_path / "in.csv", tmp_path / "scored.csv", tmp_path / "job.sqlite3"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body", "label"])
        for i, r in enumerate(records(12)):
            writer.writerow([i, "" if i == 4 else r["text"], r["label"]])
    with slack_webhook() as hook:  # the job's summary goes to Slack as well
        done = batch(
            "--input", str(source), "--output", str(out), "--db", str(db), "--text-field", "body",
            "--model", str(tiny_artifact), "--workers", "1", "--chunk-size", "5",
            env={"AIDETECTOR_SLACK_WEBHOOK_URL": hook.url},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Batch scoring finished" in hook.posts[0]["text"] and "in.csv" in json.dumps(hook.posts[0])
    table = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert list(table[0])[:4] == ["id", "body", "input_label", "row"]
    assert [t["id"] for t in table] == [str(i) for i in range(12)]
    assert table[4]["error_code"] == "empty_text" and table[4]["label"] == ""
    assert table[0]["label"] in ("ai", "human", "inconclusive") and float(table[0]["probability_ai"]) >= 0
    assert len(db_rows(db)) == 12


def test_server_url_scores_like_the_local_model_and_reports_bad_rows(server, tiny_artifact, tmp_path):
    from aidetector.model.detector import Detector

    rows = records(25)
    rows[7]["text"] = "   "  # the server refuses the whole request of 4; the job finds which text and goes on
    source, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    done = batch(
        "--input", str(source), "--output", str(out), "--server-url", server.url, "--workers", "3",
        env={"AIDETECTOR_BATCH_REQUEST_ITEMS": "4"},  # the test server's batch limit
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["errors"] == 1
    result = read_jsonl(out)
    assert result[7]["error_code"] == "empty_text"
    detector = Detector.from_path(tiny_artifact)
    expected = detector.detect([r["text"] for i, r in enumerate(rows) if i != 7])
    remote = [r for i, r in enumerate(result) if i != 7]
    for got, want in zip(remote, expected, strict=True):
        assert got["probability_ai"] == pytest.approx(want.probability_ai, abs=1e-4)
        assert got["model_version"] == want.model_version and got["tokens_total"] == want.tokens_total


def long_job(tiny_artifact: Path, tmp_path: Path, n: int) -> tuple[list[str], Path, Path]:
    source = write_jsonl(tmp_path / "in.jsonl", records(n, words=300))  # long texts: the job runs for seconds
    out, db = tmp_path / "out.jsonl", tmp_path / "job.sqlite3"
    args = ["--input", str(source), "--output", str(out), "--db", str(db), "--model", str(tiny_artifact)]
    return [*args, "--workers", "2", "--chunk-size", "10"], out, db


def test_sigterm_stops_the_job_cleanly(tiny_artifact, tmp_path):
    n = 150
    args, out, db = long_job(tiny_artifact, tmp_path, n)
    job = start_batch(*args)
    wait_for_rows(db, 20, job)
    job.send_signal(signal.SIGTERM)
    _, stderr = job.communicate(timeout=60)
    assert job.returncode == 130 and "rerun the same command to resume" in stderr and "Traceback" not in stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = [r for (r,) in conn.execute("SELECT row FROM results")]
    assert 20 <= len(rows) < n and len(rows) % 10 == 0  # whole chunks only
    assert not out.exists()


@pytest.mark.slow  # two jobs of two model processes each: ~12 s alone, over 20 s on a busy machine
def test_resume_after_sigkill_scores_each_row_once(tiny_artifact, tmp_path):
    """Killed with no chance to clean up, then rerun: committed rows stay as they are, the rest is scored."""
    n = 150
    args, out, db = long_job(tiny_artifact, tmp_path, n)
    job = start_batch(*args)
    wait_for_rows(db, 20, job)
    job.send_signal(signal.SIGKILL)
    job.wait(timeout=30)
    committed = db_rows(db)
    assert 20 <= len(committed) < n and not out.exists()

    done = batch(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert (summary["rows"], summary["resumed"], summary["scored_now"]) == (n, len(committed), n - len(committed))
    final = db_rows(db)
    assert sorted(final) == list(range(1, n + 1))
    assert all(final[row] == at for row, at in committed.items())  # not one committed row was scored again
    assert [r["id"] for r in read_jsonl(out)] == [f"r{i}" for i in range(n)]


def test_job_rides_out_a_model_server_restart(tiny_artifact, tmp_path):
    """The model server is killed mid-run and started again on the same port: the job waits, then finishes."""
    n = 160
    env = {"AIDETECTOR_SERVE_MAX_WAIT_MS": "50"}  # each request takes >= 50 ms, so the job is still running
    first = model_server(tiny_artifact, env).start()
    replacement = Server(first.args, first.env, first.health, first.port)
    source, out = write_jsonl(tmp_path / "in.jsonl", records(n)), tmp_path / "out.jsonl"
    job = start_batch(
        "--input", str(source), "--output", str(out), "--server-url", first.url,
        "--workers", "2", "--chunk-size", "8", "--max-wait", "120",
        env={"AIDETECTOR_BATCH_REQUEST_ITEMS": "4", "AIDETECTOR_BATCH_RETRY_MAX_S": "1"},
    )  # fmt: skip
    try:
        wait_for_rows(Path(str(out) + ".sqlite3"), 16, job)
        assert first.proc is not None
        first.proc.kill()
        first.proc.wait(timeout=30)
        time.sleep(1.0)
        replacement.start()
        stdout, stderr = job.communicate(timeout=300)
    finally:
        if job.poll() is None:
            job.kill()
        replacement.stop()
        first.stop()
    assert job.returncode == 0, stderr[-3000:]
    assert "retrying" in stderr  # the outage really happened while the job ran
    summary = json.loads(stdout)
    assert (summary["rows"], summary["scored_now"], summary["resumed"], summary["errors"]) == (n, n, 0, 0)
    assert sorted(db_rows(Path(str(out) + ".sqlite3"))) == list(range(1, n + 1))
    assert [r["id"] for r in read_jsonl(out)] == [f"r{i}" for i in range(n)]


def test_a_server_gone_past_max_wait_stops_the_job_and_a_rerun_finishes_it(server, tmp_path):
    source, out = write_jsonl(tmp_path / "in.jsonl", records(6)), tmp_path / "out.jsonl"
    gone = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    stopped = batch("--input", str(source), "--output", str(out), "--server-url", gone, "--max-wait", "1")
    assert stopped.returncode == 1 and time.monotonic() - started < 60
    assert "did not answer within 1s" in stopped.stderr and "rerun" in stopped.stderr
    assert not out.exists()
    env = {"AIDETECTOR_BATCH_REQUEST_ITEMS": "4"}
    done = batch("--input", str(source), "--output", str(out), "--server-url", server.url, env=env)
    assert done.returncode == 0 and json.loads(done.stdout)["scored_now"] == 6
