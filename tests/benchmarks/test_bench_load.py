"""The load benchmark runs end to end on the tiny model: well-behaved clients are served, the hostile one refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_load_reports_clients_and_refuses_every_attack(tiny_artifact):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--model", str(tiny_artifact),
         "--seconds", "4", "--runs", "2h"],
        capture_output=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)
    run = report["runs"]["2h"]
    assert run["clients"] == 2 and run["statuses"].get("200", 0) > 0 and "-1" not in run["statuses"]
    refused = {outcome.split(":")[0]: outcome.split(": ")[1] for outcome in run["hostile"]}
    assert refused["lone_surrogate"].startswith("400 invalid_encoding")
    assert refused["over_work_cap"].startswith("413 too_much_work")
    assert refused["no_key_8mib"].startswith("403")
    assert "avx" in report["cpu"] or "flags" in report["cpu"]
