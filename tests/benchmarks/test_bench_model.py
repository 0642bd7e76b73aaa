"""The model benchmark runs end to end on a small model and prints the figures the README quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_model_prints_speed_and_member_costs(tiny_artifact):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_model.py"), "--model", str(tiny_artifact),
         "--tokens", "32", "--batch", "2", "--texts", "4", "--repeats", "1"],
        capture_output=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)
    assert report["texts"] == 4 and report["detector_texts_per_s"] > 0
    assert report["member_ms_per_text"] == {}  # the tiny model is a transformer alone
