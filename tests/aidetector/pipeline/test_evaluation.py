"""The evaluate step's core: the gate's figures of a model on a labelled file, recorded in its metrics.json."""

from __future__ import annotations

import json
import shutil

import pytest

from aidetector.model.artifact import verify_artifact
from aidetector.model.data import DataError, file_sha256
from aidetector.pipeline.evaluation import evaluate_model, record_evaluation
from aidetector.registry.gate import Evaluation


def test_the_evaluation_names_its_data_and_matches_the_full_report(tiny_artifact, toy_data):
    evaluation, full = evaluate_model(tiny_artifact, toy_data["test"])
    assert evaluation.data_sha256 == file_sha256(toy_data["test"])  # the gate compares like with like by this
    assert evaluation == Evaluation.from_report(full, evaluation.data_sha256)
    assert evaluation.n == 40 and evaluation.auroc > 0.9 and 0 <= evaluation.fpr_at_threshold <= 1
    again, _ = evaluate_model(tiny_artifact, toy_data["test"])
    assert again == evaluation  # the same model on the same file: the same figures


def test_recording_keeps_the_other_metrics_and_the_checksums(tiny_artifact, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_artifact, model)
    before = json.loads((model / "metrics.json").read_text())
    evaluation = Evaluation("abc", 40, 0.95, 0.02, 0.8)
    record_evaluation(model, evaluation, "eval.jsonl")
    metrics = json.loads((model / "metrics.json").read_text())
    assert metrics["evaluation"] == {**evaluation.to_dict(), "data": "eval.jsonl"}
    assert metrics["history"] == before["history"]
    verify_artifact(model)  # metrics.json describes the model; changing it breaks no checksum
    (model / "metrics.json").unlink()
    record_evaluation(model, evaluation, "eval.jsonl")
    assert Evaluation.from_metrics(json.loads((model / "metrics.json").read_text())) == evaluation


def test_a_bad_evaluation_file_is_an_error_not_a_figure(tiny_artifact, tmp_path):
    bad = tmp_path / "eval.jsonl"
    bad.write_text('{"text": "fine", "label": 1}\nnot json\n')
    with pytest.raises(DataError, match="line 2"):
        evaluate_model(tiny_artifact, bad)
