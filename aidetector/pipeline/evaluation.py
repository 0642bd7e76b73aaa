"""The evaluate step: score a model on a labelled file and record the gate's figures in its metrics.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aidetector.model.artifact import METRICS, write_json
from aidetector.model.data import file_sha256, load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.evaluate import report, score_records
from aidetector.registry.gate import Evaluation


def evaluate_model(model_dir: Path, data: Path, progress: bool = False) -> tuple[Evaluation, dict[str, Any]]:
    """Figures of the model at `model_dir` on `data` (labelled JSONL): the gate's `Evaluation` and the full report."""
    detector = Detector.from_path(model_dir)
    records = load_jsonl(data)
    probs = score_records(records, detector.probabilities, progress=progress)
    full = report(records, probs, detector.threshold)
    return Evaluation.from_report(full, file_sha256(data)), full


def record_evaluation(model_dir: Path, evaluation: Evaluation, data_name: str) -> None:
    """Write the evaluation into metrics.json (not checksummed: it describes the model, never changes it)."""
    path = Path(model_dir) / METRICS
    metrics = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    metrics["evaluation"] = {**evaluation.to_dict(), "data": data_name}
    write_json(path, metrics)
