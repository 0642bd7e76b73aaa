"""The pipeline's processing steps (evaluate, promote) against moto S3 and SSM, as SageMaker Processing runs them."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import boto3
import pytest

from aidetector.model.artifact import update_manifest
from aidetector.notify import NotifySettings, SlackNotifier
from aidetector.pipeline import steps
from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.registry.stores import S3Store
from tests.aidetector.pipeline.conftest import BUCKET
from tests.conftest import make_records, write_jsonl
from tests.slack_recorder import slack_webhook


def _training_output(artifact: Path, version: str, folder: Path) -> Path:
    """What SageMaker leaves for the next step: /opt/ml/model tarred as model.tar.gz."""
    staged = folder / f"staged-{version}"
    shutil.copytree(artifact, staged)
    update_manifest(staged, {"version": version})
    (folder / "model").mkdir()
    with tarfile.open(folder / "model" / "model.tar.gz", "w:gz") as tar:
        for path in staged.iterdir():
            tar.add(path, arcname=path.name)
    return folder / "model"


def test_evaluate_then_promote_steps_on_s3(bucket, tiny_artifact, toy_data, tmp_path):
    # Floors for a toy model: this test is about the steps' wiring; the floors have their own tests.
    lenient = RegistrySettings(uri="unused", min_auroc=0.5, max_fpr=1.0)
    registry = Registry(S3Store(f"s3://{BUCKET}/models"), lenient)
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/aidetector/dev/model-version", Value="none", Type="String")
    root = tmp_path / "processing"
    root.mkdir()
    _training_output(tiny_artifact, "20260301T000000Z", root)
    (root / "eval").mkdir()
    shutil.copy(toy_data["test"], root / "eval" / "eval.jsonl")

    evaluation = steps.step_evaluate(root / "model", root / "eval", root / "evaluation", registry)
    assert evaluation["gate"]["accepted"] == 1, evaluation["gate"]["message"]
    assert evaluation["latest"] is None
    written = json.loads((root / "evaluation" / "evaluation.json").read_text())
    assert written["candidate"]["auroc"] == evaluation["candidate"]["auroc"]

    with slack_webhook() as hook:
        notifier = SlackNotifier(hook.url, NotifySettings(retries=0))
        result = steps.step_promote(
            root / "model", root / "evaluation", registry, notifier, ssm, "/aidetector/dev/model-version"
        )
    assert result.promoted and registry.latest() == "20260301T000000Z"
    assert ssm.get_parameter(Name="/aidetector/dev/model-version")["Parameter"]["Value"] == "20260301T000000Z"
    assert "Promoted" in hook.posts[0]["text"]
    # The next candidate is compared with this latest on the same data.
    shutil.rmtree(root / "model")
    _training_output(tiny_artifact, "20260302T000000Z", root)
    again = steps.step_evaluate(root / "model", root / "eval", root / "evaluation", registry)
    assert again["latest_version"] == "20260301T000000Z"
    assert again["latest"]["auroc"] == pytest.approx(again["candidate"]["auroc"])  # same weights, same figures


def test_the_evaluation_file_is_the_first_jsonl_of_its_folder(bucket, tiny_artifact, toy_data, tmp_path):
    registry = Registry(S3Store(f"s3://{BUCKET}/models"), RegistrySettings(uri="unused"))
    (tmp_path / "eval").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no \.jsonl evaluation file"):
        steps.step_evaluate(tiny_artifact, tmp_path / "eval", tmp_path / "out", registry)
    shutil.copy(toy_data["test"], tmp_path / "eval" / "b.jsonl")
    write_jsonl(tmp_path / "eval" / "a.jsonl", make_records(4))
    (tmp_path / "eval" / "notes.txt").write_text("ignored")
    result = steps.step_evaluate(tiny_artifact, tmp_path / "eval", tmp_path / "out", registry)
    assert result["data"] == "a.jsonl" and result["candidate"]["n"] == 4
    # a local run's model folder is used as it is (no model.tar.gz), and a file may be given directly
    direct = steps.step_evaluate(tiny_artifact, tmp_path / "eval" / "b.jsonl", tmp_path / "out", registry)
    assert direct["data"] == "b.jsonl" and direct["candidate"]["n"] == 40
    assert "by" not in direct["report"] and direct["report"]["n"] == 40


def test_promote_needs_the_candidates_figures(bucket, tiny_artifact, tmp_path):
    registry = Registry(S3Store(f"s3://{BUCKET}/models"), RegistrySettings(uri="unused"))
    (tmp_path / "evaluation").mkdir()
    (tmp_path / "evaluation" / "evaluation.json").write_text(json.dumps({"candidate": None, "latest": None}))
    with pytest.raises(ValueError, match="no candidate figures"):
        steps.step_promote(tiny_artifact, tmp_path / "evaluation", registry, SlackNotifier(None))
    assert registry.versions() == []  # nothing registered
