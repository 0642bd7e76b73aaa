"""`aidetector pipeline ...`: the SageMaker definition printed offline, and the processing steps as the training
image runs them (`pipeline step evaluate|promote`) on a local registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from aidetector.cli.main import main

BUCKET = "aidetector-dev-data"


def test_definition_command_prints_json_offline(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIDETECTOR_PIPELINE_BUCKET": BUCKET}
    result = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "pipeline", "definition"], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert json.loads(result.stdout)["Version"] == "2020-12-01"


def test_the_steps_evaluate_then_promote_into_the_registry(tiny_artifact, toy_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIDETECTOR_REGISTRY_MIN_AUROC", "0.5")
    monkeypatch.setenv("AIDETECTOR_REGISTRY_MAX_FPR", "1.0")
    root, registry = tmp_path / "processing", tmp_path / "models"
    shutil.copytree(tiny_artifact, root / "model")  # a local run's training output: the artifact folder itself
    (root / "eval").mkdir()
    shutil.copy(toy_data["test"], root / "eval" / "eval.jsonl")
    common = ["pipeline", "--registry", str(registry), "step"]

    assert main([*common, "evaluate", "--processing-root", str(root)]) == 0
    gate = json.loads(capsys.readouterr().out)
    assert gate["accepted"] == 1 and "no latest yet" in gate["message"]
    evaluation = json.loads((root / "evaluation" / "evaluation.json").read_text())
    assert evaluation["data"] == "eval.jsonl" and evaluation["latest"] is None

    assert main([*common, "promote", "--processing-root", str(root)]) == 0
    promoted = json.loads(capsys.readouterr().out)
    assert promoted["promoted"] is True and (registry / "latest").resolve().name == promoted["version"]


def test_a_refused_promotion_exits_3_and_leaves_latest_unchanged(tiny_artifact, toy_data, tmp_path, capsys):
    root, registry = tmp_path / "processing", tmp_path / "models"
    shutil.copytree(tiny_artifact, root / "model")
    (root / "evaluation").mkdir(parents=True)
    candidate = {"data_sha256": "d", "n": 40, "auroc": 0.55, "fpr_at_threshold": 0.3, "tpr_at_threshold": 0.4}
    evaluation = {"candidate": candidate, "latest": None, "data": "eval.jsonl"}
    (root / "evaluation" / "evaluation.json").write_text(json.dumps(evaluation))
    status = main(["pipeline", "--registry", str(registry), "step", "promote", "--processing-root", str(root)])
    answer = json.loads(capsys.readouterr().out)
    assert status == 3 and answer["promoted"] is False and "below the floor" in answer["gate"]
    assert not (registry / "latest").exists() and not (registry / "latest.json").exists()
