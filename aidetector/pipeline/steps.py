"""The SageMaker pipeline's processing steps, as plain functions (the CLI runs them inside the training image).

Paths default to SageMaker Processing's mount points; tests pass temp folders and a moto S3 registry.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from aidetector.model.artifact import read_manifest
from aidetector.notify import SlackNotifier
from aidetector.pipeline.evaluation import evaluate_model, record_evaluation
from aidetector.registry.archive import unpack
from aidetector.registry.gate import Evaluation, decide
from aidetector.registry.registry import PromotionResult, Registry

log = logging.getLogger("aidetector.pipeline.steps")
PROCESSING = Path("/opt/ml/processing")
EVALUATION_FILE = "evaluation.json"


def _candidate(model_dir: Path, work: Path) -> Path:
    """The training job's output: a model.tar.gz (SageMaker) or an artifact folder (local runs)."""
    archive = model_dir / "model.tar.gz"
    if archive.is_file():
        return unpack(archive, work / "candidate")
    return model_dir


def _eval_file(eval_dir: Path) -> Path:
    if eval_dir.is_file():
        return eval_dir
    files = sorted(eval_dir.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no .jsonl evaluation file in {eval_dir}")
    return files[0]


def step_evaluate(model_dir: Path, eval_dir: Path, out_dir: Path, registry: Registry) -> dict[str, Any]:
    """Score the candidate and the current latest on the same file; write evaluation.json for the condition step."""
    with tempfile.TemporaryDirectory() as tmp:
        candidate_dir = _candidate(model_dir, Path(tmp))
        data = _eval_file(eval_dir)
        candidate, full = evaluate_model(candidate_dir, data)
        latest_version = registry.latest()
        latest = None
        if latest_version:
            latest, _ = evaluate_model(registry.fetch(latest_version, Path(tmp) / "cache"), data)
        decision = decide(candidate, latest, registry.settings)
        result = {
            "candidate_version": read_manifest(candidate_dir)["version"],
            "candidate": candidate.to_dict(),
            "latest_version": latest_version,
            "latest": latest.to_dict() if latest else None,
            "gate": {"accepted": int(decision.accepted), "message": decision.message},
            "data": data.name,
            "report": {k: v for k, v in full.items() if k != "by"},
        }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / EVALUATION_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def step_promote(
    model_dir: Path,
    evaluation_dir: Path,
    registry: Registry,
    notifier: SlackNotifier,
    ssm: Any = None,
    version_parameter: str | None = None,
) -> PromotionResult:
    """Register the candidate with its evaluation, promote it through the gate, record the version in SSM."""
    evaluation = json.loads((evaluation_dir / EVALUATION_FILE).read_text(encoding="utf-8"))
    candidate_eval = Evaluation.from_dict(evaluation["candidate"])
    latest_eval = Evaluation.from_dict(evaluation["latest"])
    if candidate_eval is None:
        raise ValueError(f"{evaluation_dir / EVALUATION_FILE} has no candidate figures")
    with tempfile.TemporaryDirectory() as tmp:
        candidate_dir = _candidate(model_dir, Path(tmp))
        record_evaluation(candidate_dir, candidate_eval, str(evaluation["data"]))
        version = registry.add(candidate_dir)
    result = registry.promote(version, current_evaluation=latest_eval)
    notifier.promotion(version, result.promoted, result.decision.message, result.previous)
    if result.promoted and ssm is not None and version_parameter:
        ssm.put_parameter(Name=version_parameter, Value=version, Type="String", Overwrite=True)
    return result
