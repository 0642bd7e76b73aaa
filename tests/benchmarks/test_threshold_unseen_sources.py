"""The unseen-source check leaves each source out of the threshold rule and reads its false-positive rate there."""

from __future__ import annotations

import json
from pathlib import Path

from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    return load_module(ROOT / "benchmarks" / "threshold_unseen_sources.py", "threshold_unseen_sources")


def write(path: Path, rows: list[tuple[float, int, str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"probability_ai": p, "label": y, "domain": d, "source": s}) + "\n" for p, y, d, s in rows),
        encoding="utf-8",
    )
    return path


def test_a_left_out_source_is_read_at_the_threshold_the_others_set(tmp_path, capsys):
    script = load_script()
    calm = [(i / 100, 0, "news", "calm") for i in range(100)]  # 0.00 .. 0.99
    hot = [(0.5 + i / 40, 0, "essay", "hot") for i in range(20)]  # 0.500 .. 0.975: scores high
    ai = [(0.9, 1, "news", "gen"), (0.99, 1, "news", "gen")]
    hold_out = write(tmp_path / "cal.jsonl", calm + hot)
    ai_file = write(tmp_path / "ai.jsonl", ai)
    out = tmp_path / "out.json"
    args = ["--hold-out", str(hold_out), "--ai-scores", str(ai_file), "--target-fpr", "0.1", "--caps", "0.1"]
    assert script.main([*args, "--json", str(out)]) == 0
    [result] = json.loads(out.read_text(encoding="utf-8"))["caps"]
    hot_alone = result["by_source"]["hot"]
    # without "hot", calm's 10% cap sets the threshold just above 0.89: 4 of hot's 20 texts are at or above it
    assert 0.89 < hot_alone["threshold"] < 0.90 and hot_alone["fpr"] == 4 / 20
    assert result["by_source"]["calm"]["fpr"] == 7 / 100  # hot's cap alone: above 0.925, 7 of calm's texts
    assert result["sources_over_5pct"] == ["calm", "hot"]
    assert result["ai_recall"] == 0.5  # the full rule's threshold (hot's cap: above 0.925) keeps 0.99, not 0.9
    assert "left-out source" in capsys.readouterr().out


def test_the_chosen_cap_is_the_largest_that_leaves_only_outliers_no_cap_fixes():
    script = load_script()
    grid = [
        {"cap": 0.05, "sources_over_5pct": ["speeches", "memos"]},
        {"cap": 0.04, "sources_over_5pct": ["speeches"]},
        {"cap": 0.03, "sources_over_5pct": ["speeches"]},
    ]
    assert script.chosen_cap(grid) == 0.04  # memos come under 5% at 4%; speeches at no cap
    assert script.chosen_cap([{"cap": 0.05, "sources_over_5pct": []}, {"cap": 0.04, "sources_over_5pct": []}]) == 0.05
