"""scripts/score_transformers.py on real tiny runs: the base, a run continued from it and their WiSE-FT mix are
scored with the Detector's window plan, so the base's AUROC is the one the Detector gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidetector.model.data import load_jsonl
from aidetector.model.metrics import auroc
from aidetector.model.train import train
from tests.by_path import load_module

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "score_transformers.py"


def _script():  # type: ignore[no-untyped-def]
    return load_module(SCRIPT, "score_transformers")


def test_scores_the_base_each_run_and_its_mix(tiny_settings, toy_data, tmp_path):
    base = train([toy_data["train"]], tmp_path / "base", tiny_settings.model_copy(update={"max_steps": 30}),
                 progress=False)  # fmt: skip
    continued = tiny_settings.model_copy(update={"base_model": str(base), "max_steps": 10, "seed": 5})
    run = train([toy_data["train"]], tmp_path / "run", continued, progress=False)
    out = tmp_path / "scores.json"

    code = _script().main(["--data", str(toy_data["test"]), "--base", str(base), "--by", "source",
                           "--alpha", "0.3", "--out", str(out), str(run)])  # fmt: skip

    assert code == 0
    scores = json.loads(out.read_text())
    assert list(scores) == ["base", "run", "run@0.3"]
    assert all(0 <= s["auroc"] <= 1 and 0 <= s["tpr_at_1pct_fpr"] <= 1 and s["auroc_by"] for s in scores.values())
    from aidetector.model.detector import Detector

    records = load_jsonl(toy_data["test"])
    probabilities = Detector.from_path(base).probabilities([r.text for r in records])
    expected = auroc([int(r.label or 0) for r in records], probabilities)
    assert scores["base"]["auroc"] == pytest.approx(expected, abs=0.02)
