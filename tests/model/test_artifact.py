"""The model artifact: its layout and manifest, a save/load round trip, checksums that refuse a tampered folder."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from aidetector.model.artifact import (
    ArtifactError,
    git_commit,
    load_artifact,
    read_manifest,
    refresh_checksums,
    save_artifact,
    update_manifest,
    utc_version,
    verify_artifact,
)
from aidetector.model.data import load_jsonl
from aidetector.model.detector import Detector


def test_artifact_layout_and_manifest(tiny_artifact):
    names = {p.name for p in tiny_artifact.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "manifest.json", "metrics.json"} <= names
    manifest = json.loads((tiny_artifact / "manifest.json").read_text())
    for key in ("version", "base_model", "training_data", "git_commit", "hyperparameters", "calibration"):
        assert key in manifest
    assert set(manifest["training_data"]) == {"train.jsonl"}
    assert len(manifest["training_data"]["train.jsonl"]) == 64
    assert 0 < manifest["calibration"]["threshold"] < 1
    assert "false-positive rate" in manifest["calibration"]["threshold_rule"]
    assert manifest["version"].endswith("Z")
    metrics = json.loads((tiny_artifact / "metrics.json").read_text())
    assert metrics["history"] and "valid" in metrics


def test_round_trip_gives_the_same_scores(tiny_artifact, toy_data):
    texts = [r.text for r in load_jsonl(toy_data["test"])[:8]]
    first = Detector.from_path(tiny_artifact).probabilities(texts)
    second = Detector.from_path(tiny_artifact).probabilities(texts)
    assert first == pytest.approx(second, abs=1e-9)


def test_tampered_artifact_is_refused(tiny_artifact, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_artifact, copy)
    verify_artifact(copy)
    with open(copy / "model.safetensors", "r+b") as handle:
        handle.seek(-16, 2)
        handle.write(b"\x00" * 16)
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        load_artifact(copy)
    (copy / "tokenizer.json").unlink()
    with pytest.raises(ArtifactError):
        verify_artifact(copy)


def test_not_an_artifact(tmp_path):
    with pytest.raises(ArtifactError, match="not a model artifact"):
        load_artifact(tmp_path)


def test_manifest_changes_keep_the_checksums_valid(tiny_artifact, tmp_path):
    """update_manifest rewrites only the manifest (a report file), so the artifact still verifies."""
    copy = tmp_path / "copy"
    shutil.copytree(tiny_artifact, copy)
    update_manifest(copy, {"calibration": {"threshold": 0.42, "threshold_rule": "by hand"}})
    assert verify_artifact(copy)["calibration"]["threshold"] == 0.42
    assert not list(copy.glob(".*.tmp"))  # written beside, then renamed into place
    (copy / "eval_dev.json").write_text("{}")  # reports may be added later without breaking the checksums
    verify_artifact(copy)


def test_a_file_added_after_training_is_checksummed_once_refreshed(tiny_artifact, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_artifact, copy)
    (copy / "extra.json").write_text('{"member": 1}')
    assert "extra.json" not in read_manifest(copy)["files"]
    assert "extra.json" in refresh_checksums(copy)["files"]
    (copy / "extra.json").write_text('{"member": 2}')
    with pytest.raises(ArtifactError, match=r"checksum mismatch for extra\.json"):
        verify_artifact(copy)


def test_unreadable_manifest_and_empty_file_list_are_refused(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="unreadable manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "v", "files": {}}))
    with pytest.raises(ArtifactError, match="lists no files"):
        verify_artifact(tmp_path)


def test_saving_replaces_a_folder_whole_or_not_at_all(tiny_artifact, tmp_path):
    loaded = load_artifact(tiny_artifact)
    out = tmp_path / "model"
    out.mkdir()
    (out / "stale.bin").write_bytes(b"from an older model")
    save_artifact(out, loaded.model, loaded.tokenizer, {"version": "v2"}, {"valid": {"auroc": 1.0}})
    assert not (out / "stale.bin").exists() and read_manifest(out)["version"] == "v2"
    assert read_manifest(out)["format_version"] == 1
    verify_artifact(out)

    def broken_card(folder, manifest, metrics):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_artifact(out, loaded.model, loaded.tokenizer, {"version": "v3"}, {}, card_writer=broken_card)
    assert read_manifest(out)["version"] == "v2"  # the old model is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no partial folder left behind


def test_versions_sort_by_time_and_the_commit_is_recorded():
    version = utc_version()
    assert len(version) == 16 and version[8] == "T" and version.endswith("Z") and version[:8].isdigit()
    assert git_commit(known="abc123") == "abc123"  # an image built without .git is told its commit
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True)
    assert git_commit() == (head.stdout.strip() if head.returncode == 0 else "unknown")


def test_outside_a_git_checkout_the_commit_is_unknown(tmp_path):
    assert git_commit(tmp_path) == "unknown"


def test_a_new_version_is_later_than_the_one_it_replaces_even_within_the_same_second():
    from aidetector.model.artifact import new_version, utc_version

    now = utc_version()
    assert new_version({"version": now})["version"] > now
    assert new_version({"version": "20991231T235959Z"}) == {
        "version": "21000101T000000Z",
        "transformer_version": "20991231T235959Z",
    }
