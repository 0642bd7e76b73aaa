"""`IMAGE train` in-process against a temporary /opt/ml: hyperparameters as SageMaker writes them, the channel's
files, the model written to /opt/ml/model, and every failure's reason in /opt/ml/output/failure.

(The image's entry point running this as a process is tested in tests/sagemaker/test_entrypoint.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidetector.container.settings import ContainerSettings
from aidetector.container.training import channel_files, read_hyperparameters, run
from tests.conftest import make_records, write_jsonl


def test_hyperparameters_arrive_as_strings_sometimes_quoted_twice(tmp_path):
    path = tmp_path / "hyperparameters.json"
    path.write_text(json.dumps({"epochs": "2", "base_model": '"roberta-base"', "fp16": "false", "seed": 3}))
    assert read_hyperparameters(path) == {"epochs": "2", "base_model": "roberta-base", "fp16": "false", "seed": 3}
    assert read_hyperparameters(tmp_path / "missing.json") == {}  # a job without hyperparameters uses defaults
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="expected a JSON object"):
        read_hyperparameters(path)


def test_the_channel_gives_its_jsonl_files_in_order_at_any_depth(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/part-1.jsonl", "part-0.jsonl", "notes.txt", "manifest.json"):
        (tmp_path / name).write_text("{}\n")
    assert channel_files(tmp_path, "train") == [tmp_path / "b" / "part-1.jsonl", tmp_path / "manifest.json",
                                                tmp_path / "part-0.jsonl"]  # fmt: skip
    with pytest.raises(FileNotFoundError, match=r"no \.jsonl files in channel 'eval'"):
        channel_files(tmp_path / "b" / "empty", "eval")


def opt_ml(root: Path, hyperparameters: dict[str, str]) -> ContainerSettings:
    settings = ContainerSettings(opt_ml=root)
    settings.hyperparameters_file.parent.mkdir(parents=True)
    settings.hyperparameters_file.write_text(json.dumps(hyperparameters))
    settings.channel_dir("train").mkdir(parents=True)
    return settings


def test_a_training_job_writes_the_model_and_no_failure(tmp_path, tiny_base):
    hyperparameters = {"base_model": str(tiny_base), "max_steps": "2", "max_length": "32", "batch_size": "16",
                       "eval_every": "2", "valid_fraction": "0.2", "fp16": "false", "num_threads": "1"}  # fmt: skip
    settings = opt_ml(tmp_path, hyperparameters)
    write_jsonl(settings.channel_dir("train") / "part-0.jsonl", make_records(40))
    assert run(settings) == 0
    manifest = json.loads((settings.model_dir / "manifest.json").read_text())
    assert manifest["steps"] == 2 and manifest["hyperparameters"]["max_length"] == 32
    assert not settings.failure_file.exists()


@pytest.mark.parametrize(
    ("hyperparameters", "files", "reason"),
    [
        ({"epochs": "many"}, {"part-0.jsonl": '{"text": "a", "label": 0}\n'}, "ValidationError"),
        ({}, {}, "FileNotFoundError: no .jsonl files in channel 'train'"),
        ({"max_length": "32"}, {"part-0.jsonl": '{"text": "a", "label": 0}\n{oops\n'}, "line 2"),
    ],
)
def test_a_failure_is_written_down_never_a_silent_exit(tmp_path, hyperparameters, files, reason):
    settings = opt_ml(tmp_path, hyperparameters)
    for name, content in files.items():
        (settings.channel_dir("train") / name).write_text(content)
    assert run(settings) == 1
    assert reason in settings.failure_file.read_text()
    assert len(settings.failure_file.read_text()) <= 1024
    assert not (settings.model_dir / "manifest.json").exists()
