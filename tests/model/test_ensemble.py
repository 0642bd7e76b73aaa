"""The n-gram, skeleton and style members: fitted on the transformer's own training split, checksummed, used by the
Detector."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from aidetector.model.artifact import ArtifactError, read_manifest, update_manifest, verify_artifact
from aidetector.model.data import file_sha256, load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.ensemble import build_ensemble
from aidetector.model.metrics import auroc
from tests.conftest import make_records, write_jsonl


def after_version(model_dir):
    return read_manifest(model_dir)["version"]


def test_ensemble_command_adds_the_member(tiny_artifact, toy_data, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_artifact, model_dir)
    before = Detector.from_path(model_dir)
    texts = [r.text for r in load_jsonl(toy_data["test"])]
    result = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "ensemble", "--model", str(model_dir), "--data",
         str(toy_data["train"]), "--select-on", str(toy_data["test"]), "--weights", "0.5,1",
         "--style-weights", "0,0.25", "--scores-out", str(tmp_path / "scores.jsonl")],
        capture_output=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)
    assert set(report["auroc_by_weights"]) == {"w=0.5,a=0", "w=0.5,a=0.25", "w=1,a=0", "w=1,a=0.25"}
    chosen = report["auroc_by_weights"][f"w={report['shares'][0]:g},a={report['shares'][1]:g}"]
    assert chosen["mean"] == max(row["mean"] for row in report["auroc_by_weights"].values())
    assert chosen["mean"] == pytest.approx((chosen["held_out"] + chosen["select"]) / 2)
    assert set(report["member_auroc"]) == {"transformer", "ngram", "style", "skeleton"}
    manifest = verify_artifact(model_dir)  # the new files are checksummed
    members = {"ngram.npz", "ngram.json", "skeleton.npz", "skeleton.json", "style.npz", "style.json"}
    assert members <= set(manifest["files"])
    ensemble = read_manifest(model_dir)["ensemble"]
    assert ensemble["members"] == ["transformer", "ngram", "skeleton", "style"]
    assert ensemble["style_inputs"] == ["ngram", "skeleton"] and ensemble["stacking_folds"] == 5
    assert ensemble["data"] == {toy_data["train"].name: file_sha256(toy_data["train"])}  # what the members read
    facts = ensemble["provenance"][toy_data["train"].name]  # what the card lists, read from the records
    assert facts["human"] > 0 and facts["ai"] > 0 and facts["domains"] == ["d1", "d2"] and facts["licenses"] == []
    assert (ensemble["ngram_weight"], ensemble["style_weight"]) == (report["weight"], report["style_weight"])
    # The grids hold shares of the transformer's spread: weight = share * sd(transformer) / sd(member).
    spread = ensemble["spread"]
    assert (ensemble["ngram_share"], ensemble["style_share"]) == tuple(report["shares"])
    assert ensemble["ngram_weight"] == pytest.approx(
        ensemble["ngram_share"] * spread["transformer"] / spread["ngram"], abs=1e-3
    )
    assert ensemble["style_weight"] == pytest.approx(
        ensemble["style_share"] * spread["transformer"] / spread["style"], abs=1e-3
    )
    assert read_manifest(model_dir)["transformer_version"] == before.version != after_version(model_dir)
    after = Detector.from_path(model_dir)
    blended = after.probabilities(texts)
    assert blended != before.probabilities(texts)
    assert auroc([int(r.label) for r in load_jsonl(toy_data["test"])], blended) > 0.95
    saved = [json.loads(line)["probability_ai"] for line in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert saved == pytest.approx(blended, abs=1e-4)  # the scores file is what the model now answers
    detection = after.detect([texts[0]], sentences=True)[0]
    assert detection.sentences and 0 <= detection.sentences[0].probability_ai <= 1
    # A second ensemble on the same artifact is refused rather than stacked.
    again = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "ensemble", "--model", str(model_dir), "--data",
         str(toy_data["train"]), "--select-on", str(toy_data["test"])],
        capture_output=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 2 and b"already has an ensemble" in again.stderr
    # --replace refits the members in place; the transformer's version stays on record.
    replaced = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "ensemble", "--model", str(model_dir), "--data",
         str(toy_data["train"]), "--select-on", str(toy_data["test"]), "--weights", "1", "--style-weights", "0.5",
         "--replace"],
        capture_output=True, timeout=300,
    )  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr.decode()[-2000:]
    ensemble = verify_artifact(model_dir)["ensemble"]
    assert (ensemble["ngram_share"], ensemble["style_share"]) == (1.0, 0.5)
    assert ensemble["ngram_weight"] == pytest.approx(
        ensemble["spread"]["transformer"] / ensemble["spread"]["ngram"], abs=1e-3
    )
    assert read_manifest(model_dir)["transformer_version"] == before.version
    # Tampering with a member is caught like tampering with the weights.
    ngram_bytes = (model_dir / "ngram.npz").read_bytes()
    (model_dir / "ngram.npz").write_bytes((model_dir / "ngram.npz").read_bytes()[:-4] + b"evil")
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        Detector.from_path(model_dir)
    (model_dir / "ngram.npz").write_bytes(ngram_bytes)
    skeleton_bytes = (model_dir / "skeleton.json").read_bytes()
    (model_dir / "skeleton.json").write_bytes(skeleton_bytes.replace(b'"c": 1.0', b'"c": 2.0'))
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        Detector.from_path(model_dir)
    (model_dir / "skeleton.json").write_bytes(skeleton_bytes)
    (model_dir / "style.npz").write_bytes((model_dir / "style.npz").read_bytes()[:-4] + b"evil")
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        Detector.from_path(model_dir)


def test_keep_members_chooses_the_weights_again_without_refitting_them(tiny_artifact, toy_data, tmp_path):
    """For a new grid (or a transformer continued on the same split): members untouched, novelty and weights anew;
    refused where the members were fitted on other files or another split, or are not there."""
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_artifact, model_dir)
    select = load_jsonl(toy_data["test"])
    with pytest.raises(ValueError, match="fitted already"):
        build_ensemble(model_dir, [toy_data["train"]], select, "test.jsonl", keep_members=True)
    build_ensemble(model_dir, [toy_data["train"]], select, "test.jsonl", [0.5], [0.25])
    members = {name: (model_dir / name).read_bytes() for name in ("ngram.npz", "skeleton.npz", "style.npz")}

    report = build_ensemble(model_dir, [toy_data["train"]], select, "test.jsonl", [1.0], [0.5], keep_members=True)

    assert report.shares == (1.0, 0.5)
    assert all((model_dir / name).read_bytes() == saved for name, saved in members.items())
    ensemble = verify_artifact(model_dir)["ensemble"]
    assert (ensemble["ngram_share"], ensemble["style_share"]) == (1.0, 0.5)
    assert ensemble["split"]["together"] == ["train.jsonl"]
    other = write_jsonl(tmp_path / "other.jsonl", make_records(80, seed=9))
    with pytest.raises(ValueError, match="files the members were fitted on"):
        build_ensemble(model_dir, [toy_data["train"], other], select, "test.jsonl", keep_members=True)
    hyperparameters = {**read_manifest(model_dir)["hyperparameters"], "split_seed": 99}
    update_manifest(model_dir, {"hyperparameters": hyperparameters})
    with pytest.raises(ValueError, match="another split"):
        build_ensemble(model_dir, [toy_data["train"]], select, "test.jsonl", keep_members=True)


def test_members_from_takes_another_models_members_for_a_transformer_on_the_same_split(
    tiny_artifact, toy_data, tmp_path
):
    """A transformer continued from a model (same files, same split) gets that model's members copied in and only
    its weights chosen; members fitted on another split are refused before anything is copied."""
    source = tmp_path / "source"
    shutil.copytree(tiny_artifact, source)
    select = load_jsonl(toy_data["test"])
    build_ensemble(source, [toy_data["train"]], select, "test.jsonl", [0.5], [0.25])
    continued = tmp_path / "continued"
    shutil.copytree(tiny_artifact, continued)  # a transformer without members, split as the source's
    with pytest.raises(ValueError, match="goes with --keep-members"):
        build_ensemble(continued, [toy_data["train"]], select, "test.jsonl", members_from=source)

    report = build_ensemble(
        continued, [toy_data["train"]], select, "test.jsonl", [1.0], [0.5], keep_members=True, members_from=source
    )

    assert report.shares == (1.0, 0.5)
    for name in ("ngram.npz", "skeleton.json", "style.npz"):
        assert (continued / name).read_bytes() == (source / name).read_bytes()
    assert verify_artifact(continued)["ensemble"]["style_share"] == 0.5
    other_split = tmp_path / "other_split"
    shutil.copytree(tiny_artifact, other_split)
    hyperparameters = {**read_manifest(other_split)["hyperparameters"], "split_seed": 99}
    update_manifest(other_split, {"hyperparameters": hyperparameters})
    with pytest.raises(ValueError, match="another split"):
        build_ensemble(other_split, [toy_data["train"]], select, "test.jsonl", keep_members=True, members_from=source)
    assert not (other_split / "style.npz").exists()
