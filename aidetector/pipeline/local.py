"""`aidetector pipeline run`: the whole model life cycle on one machine, with a summary at the end.

Order matters for safety: the candidate is trained into a work folder and enters the registry only after it has
been evaluated and passed the gate, so a run killed half-way leaves no partial version and `latest` unchanged.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidetector.model.artifact import read_manifest
from aidetector.model.config import TrainSettings
from aidetector.model.train import train
from aidetector.notify import SlackNotifier
from aidetector.pipeline.evaluation import evaluate_model, record_evaluation
from aidetector.registry.gate import Evaluation, decide
from aidetector.registry.registry import Registry

log = logging.getLogger("aidetector.pipeline")


@dataclass
class PipelineSummary:
    candidate: str | None = None
    candidate_evaluation: Evaluation | None = None
    latest_before: str | None = None
    latest_evaluation: Evaluation | None = None
    gate: str = ""
    promoted: bool = False
    latest_after: str | None = None
    server: str = "not asked"
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def ev(e: Evaluation | None) -> dict[str, Any] | None:
            return e.to_dict() if e else None

        return {
            "candidate": self.candidate,
            "candidate_evaluation": ev(self.candidate_evaluation),
            "latest_before": self.latest_before,
            "latest_evaluation": ev(self.latest_evaluation),
            "gate": self.gate,
            "promoted": self.promoted,
            "latest_after": self.latest_after,
            "server": self.server,
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
        }


def wait_for_server_version(server_url: str, version: str, timeout_s: float) -> bool:
    """Poll the model server's /ping until it reports `version` (it watches the registry and hot-swaps)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server_url.rstrip("/") + "/ping", timeout=2) as response:
                if json.loads(response.read()).get("model_version") == version:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    return False


def run_local(
    data: list[Path],
    eval_data: Path,
    registry: Registry,
    train_settings: TrainSettings,
    work_root: Path,
    notifier: SlackNotifier,
    server_url: str | None = None,
    server_timeout_s: float = 120.0,
    progress: bool = True,
) -> PipelineSummary:
    summary = PipelineSummary()
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        summary.seconds[name] = now - clock
        clock = now

    work_root.mkdir(parents=True, exist_ok=True)
    candidate_dir = work_root / "candidate"
    shutil.rmtree(candidate_dir, ignore_errors=True)  # an earlier killed run's output is never registered
    train(data, candidate_dir, train_settings, work_dir=work_root / "checkpoints", progress=progress)
    lap("train")

    evaluation, _ = evaluate_model(candidate_dir, eval_data, progress=progress)
    record_evaluation(candidate_dir, evaluation, eval_data.name)
    summary.candidate = str(read_manifest(candidate_dir)["version"])
    summary.candidate_evaluation = evaluation
    notifier.training_finished(
        str(summary.candidate), {"AUROC": f"{evaluation.auroc:.4f}", "FPR": f"{evaluation.fpr_at_threshold:.4f}"}
    )
    summary.latest_before = registry.latest()
    if summary.latest_before:
        latest_dir = registry.fetch(summary.latest_before, work_root / "cache")
        summary.latest_evaluation, _ = evaluate_model(latest_dir, eval_data, progress=progress)
    lap("evaluate")

    decision = decide(evaluation, summary.latest_evaluation, registry.settings)
    summary.gate = decision.message
    if not decision.accepted:
        notifier.promotion(str(summary.candidate), False, decision.message, summary.latest_before)
        summary.latest_after = summary.latest_before
        lap("gate")
        return summary

    version = registry.add(candidate_dir)
    result = registry.promote(version, current_evaluation=summary.latest_evaluation)
    summary.promoted, summary.gate = result.promoted, result.decision.message
    summary.latest_after = registry.latest()
    notifier.promotion(version, result.promoted, result.decision.message, result.previous)
    shutil.rmtree(work_root / "checkpoints", ignore_errors=True)  # the run is over; the registry holds the model
    lap("register")

    if server_url and result.promoted:
        loaded = wait_for_server_version(server_url, version, server_timeout_s)
        summary.server = f"serving {version}" if loaded else f"did not report {version} within {server_timeout_s:.0f}s"
        lap("reload")
    return summary
