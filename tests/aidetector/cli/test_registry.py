"""`aidetector models ...` on a local registry: add, promote through the gate, list, rollback, and the exit statuses
a script reads (0 done, 2 bad input, 3 refused by the gate)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aidetector.cli.main import main
from aidetector.model.artifact import update_manifest, write_json


@pytest.fixture
def registry_env(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "models"
    monkeypatch.setenv("AIDETECTOR_REGISTRY_URI", str(root))
    for name in ("MIN_AUROC", "MAX_FPR", "AUROC_TOLERANCE", "FPR_TOLERANCE"):
        monkeypatch.delenv(f"AIDETECTOR_REGISTRY_{name}", raising=False)
    return root


def version(tiny_artifact: Path, folder: Path, name: str, auroc: float) -> Path:
    """The tiny artifact under another version, with the evaluation figures the gate reads."""
    shutil.copytree(tiny_artifact, folder)
    update_manifest(folder, {"version": name})
    evaluation = {"data_sha256": "d", "n": 400, "auroc": auroc, "fpr_at_threshold": 0.02, "tpr_at_threshold": 0.8}
    write_json(folder / "metrics.json", {"evaluation": evaluation})
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_promote_list_and_rollback(registry_env, tiny_artifact, tmp_path, capsys):
    good = version(tiny_artifact, tmp_path / "a", "20260101T000000Z", auroc=0.93)
    worse = version(tiny_artifact, tmp_path / "b", "20260201T000000Z", auroc=0.85)
    assert run(capsys, "models", "add", str(good)) == (0, "20260101T000000Z\n", "")
    assert run(capsys, "models", "add", str(worse))[0] == 0

    status, out, _ = run(capsys, "models", "promote", "20260101T000000Z")
    assert status == 0 and json.loads(out)["promoted"] is True and json.loads(out)["previous"] is None
    status, out, _ = run(capsys, "models", "promote", "20260201T000000Z")
    answer = json.loads(out)
    assert status == 3 and answer["promoted"] is False  # the gate's refusal: a decision, not a crash
    assert "AUROC 0.8500 is worse than latest's 0.9300" in answer["gate"][0]
    status, out, _ = run(capsys, "models", "promote", "20260201T000000Z", "--force")
    assert status == 0 and "forced past the gate" in json.loads(out)["gate"][0]

    status, out, _ = run(capsys, "models", "list")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert lines[0].startswith("  20260101T000000Z  AUROC 0.9300  FPR 0.0200  n=400  base=")
    assert lines[1].startswith("* 20260201T000000Z  AUROC 0.8500")

    status, out, _ = run(capsys, "models", "rollback")
    assert status == 0 and json.loads(out) == {"from": "20260201T000000Z", "to": "20260101T000000Z"}
    assert (registry_env / "latest").resolve().name == "20260101T000000Z"


def test_registry_errors_are_one_line_and_exit_2(registry_env, tiny_artifact, tmp_path, capsys):
    folder = version(tiny_artifact, tmp_path / "a", "20260101T000000Z", auroc=0.93)
    run(capsys, "models", "add", str(folder))
    for argv, message in [
        (["models", "add", str(folder)], "already exists"),
        (["models", "add", str(tmp_path)], "not a model artifact"),
        (["models", "promote", "20990101T000000Z"], "no version '20990101T000000Z'"),
        (["models", "rollback"], "nothing to roll back"),
    ]:
        status, out, err = run(capsys, *argv)
        assert (status, out) == (2, "") and err.startswith("error: ") and message in err, argv


def test_an_explicit_registry_wins_over_the_environment(registry_env, tiny_artifact, tmp_path, capsys):
    other = tmp_path / "other"
    folder = version(tiny_artifact, tmp_path / "a", "20260101T000000Z", auroc=0.93)
    assert run(capsys, "models", "--registry", str(other), "add", str(folder))[0] == 0
    assert (other / "20260101T000000Z" / "manifest.json").is_file() and not registry_env.exists()


def test_deploy_refuses_what_it_cannot_deploy_before_calling_aws(registry_env, tiny_artifact, tmp_path, capsys):
    common = ["--endpoint", "ep", "--image", "img:sha", "--role-arn", "arn:aws:iam::1:role/ep"]
    status, _, err = run(capsys, "models", "deploy", *common)
    assert status == 2 and "has no latest version" in err
    status, _, err = run(capsys, "models", "deploy", *common, "--version", "20990101T000000Z")
    assert status == 2 and "no version '20990101T000000Z'" in err
    run(capsys, "models", "add", str(version(tiny_artifact, tmp_path / "a", "20260101T000000Z", auroc=0.93)))
    status, _, err = run(capsys, "models", "deploy", *common, "--version", "20260101T000000Z")
    assert status == 2 and "deploy needs an S3 registry" in err
