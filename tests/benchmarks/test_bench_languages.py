"""The per-language speed benchmark runs end to end on a small model and prints texts/s per path with CPU flags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_languages_prints_speed_per_path(tiny_artifact):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_languages.py"), "--model", str(tiny_artifact),
         "--tokens", "32", "--texts", "4", "--repeats", "1"],
        capture_output=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)
    assert report["paths"]["en"]["texts_per_s"] > 0 and report["supported_languages"] == ["en"]
    assert report["language_identification_ms_per_text"] > 0 and "threads" in report["cpu"]
