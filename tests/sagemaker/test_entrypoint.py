"""The training container's entrypoint, run as the image runs it (`entrypoint.py train`) against a temp /opt/ml."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_records, write_jsonl

ENTRYPOINT = Path(__file__).resolve().parents[2] / "sagemaker" / "entrypoint.py"


def opt_ml(tmp_path: Path, hyperparameters: dict[str, str], rows: list[dict] | None) -> Path:
    root = tmp_path / "opt_ml"
    (root / "input" / "config").mkdir(parents=True)
    (root / "input" / "data" / "train").mkdir(parents=True)
    (root / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hyperparameters))
    if rows is not None:
        write_jsonl(root / "input" / "data" / "train" / "part-0.jsonl", rows)
    return root


def run_entrypoint(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIDETECTOR_OPT_ML": str(root)}
    return subprocess.run(
        [sys.executable, str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def hyperparameters(tiny_base):
    # SageMaker passes every value as a string
    return {
        "base_model": str(tiny_base),
        "epochs": "1",
        "max_length": "32",
        "batch_size": "16",
        "learning_rate": "0.003",
        "eval_every": "5",
        "valid_fraction": "0.2",
        "fp16": "false",
    }


def test_train_writes_the_artifact_to_opt_ml_model(tmp_path, hyperparameters):
    root = opt_ml(tmp_path, hyperparameters, make_records(80))
    result = run_entrypoint(root, "train")
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((root / "model" / "manifest.json").read_text())
    assert manifest["hyperparameters"]["max_length"] == 32 and (root / "model" / "model.safetensors").is_file()
    assert not (root / "output" / "failure").exists()


def test_bad_data_writes_the_failure_file_and_exits_non_zero(tmp_path, hyperparameters):
    root = opt_ml(tmp_path, hyperparameters, None)
    (root / "input" / "data" / "train" / "bad.jsonl").write_text('{"text": "a", "label": 0}\n{oops\n')
    result = run_entrypoint(root, "train")
    assert result.returncode == 1
    failure = (root / "output" / "failure").read_text()
    assert "line 2" in failure and "invalid JSON" in failure
    assert not (root / "model" / "manifest.json").exists()


def test_bad_hyperparameter_writes_the_failure_file(tmp_path, hyperparameters):
    root = opt_ml(tmp_path, {**hyperparameters, "epochs": "many"}, make_records(20))
    result = run_entrypoint(root, "train")
    assert result.returncode == 1
    assert "epochs" in (root / "output" / "failure").read_text()


def test_missing_channel_data(tmp_path, hyperparameters):
    root = opt_ml(tmp_path, hyperparameters, None)
    assert run_entrypoint(root, "train").returncode == 1
    assert "no .jsonl files" in (root / "output" / "failure").read_text()


def test_unknown_command_is_a_usage_error(tmp_path):
    result = run_entrypoint(tmp_path, "dance")
    assert result.returncode == 2 and "usage" in result.stderr
