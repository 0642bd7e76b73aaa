"""The model commands as users run them: `train`, `evaluate`, `calibrate`, `card`, `detect`, `soup`, `interpolate`
(subprocesses), and `multilingual` (in-process)."""

import json
import shutil
import subprocess
import sys

import pytest

from aidetector.model.data import load_jsonl
from tests.conftest import AI_WORDS, make_records, write_jsonl
from tests.toy_languages import corpus


def cli(*args: str, input_bytes: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aidetector.cli", *args], input=input_bytes, capture_output=True, timeout=300
    )


REQUIRED = ("n", "auroc", "tpr_at_1pct_fpr", "threshold", "fpr_at_threshold", "tpr_at_threshold", "f1", "accuracy")


def test_evaluate_json_schema_scores_out_and_plots(tiny_artifact, toy_data, tmp_path):
    scores, plots = tmp_path / "scores.jsonl", tmp_path / "plots"
    result = cli(
        "evaluate",
        "--data",
        str(toy_data["test"]),
        "--model",
        str(tiny_artifact),
        "--by",
        "source,domain",
        "--pairs-by",
        "source",
        "--json",
        "--scores-out",
        str(scores),
        "--plots",
        str(plots),
        "--baseline-train",
        str(toy_data["train"]),
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)  # stdout carries only the JSON
    for key in REQUIRED:
        assert key in report
    assert report["n"] == 40
    assert set(report["by"]) == {"source", "domain"}
    assert set(report["by"]["source"]) == {"toy_a", "toy_b"}
    for key in REQUIRED:
        assert key in report["by"]["domain"]["d1"]
    assert "auroc" in report["length_baseline"]
    pairs = report["misordered_pairs"]  # the pooled AUROC's shortfall, split by (human source, AI source)
    assert pairs["field"] == "source" and {c["human"] for c in pairs["cells"]} <= {"toy_a", "toy_b"}
    assert report["auroc"] == pytest.approx(1 - pairs["within"] - pairs["across"])
    # 95% intervals by default, resampling whole groups (the toy data pair texts two by two)
    assert report["bootstrap"]["cluster_field"] == "group" and report["bootstrap"]["resamples"] == 1000
    low, high = report["auroc_ci95"]
    assert low <= report["auroc"] <= high
    assert len(report["by"]["source"]["toy_a"]["fpr_at_threshold_ci95"]) == 2
    assert report["inference_dtype"] in {"float32", "bfloat16"}  # the card says which precision scored the texts
    rows = [json.loads(line) for line in scores.read_text().splitlines()]
    assert len(rows) == 40
    assert set(rows[0]) == {
        "text",
        "label",
        "source",
        "generator",
        "domain",
        "group",
        "probability_ai",
        "predicted_class",
    }
    assert all(r["predicted_class"] == int(r["probability_ai"] >= report["threshold"]) for r in rows)
    assert (plots / "roc_test.png").stat().st_size > 1000
    assert (plots / "reliability_test.png").stat().st_size > 1000


def test_evaluate_reports_malformed_lines(tiny_artifact, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "label": 1}\nnot json\n')
    result = cli("evaluate", "--data", str(bad), "--model", str(tiny_artifact), "--json")
    assert result.returncode == 2 and b"line 2" in result.stderr and result.stdout == b""


def test_calibrate_then_card(tiny_artifact, toy_data, tmp_path):
    model = tmp_path / "m"
    shutil.copytree(tiny_artifact, model)
    result = cli(
        "calibrate",
        "--model",
        str(model),
        "--data",
        str(toy_data["test"]),
        "--target-fpr",
        "0.05",
        "--group-field",
        "domain",
        "--max-group-fpr",
        "0.1",
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    out = json.loads(result.stdout)
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["calibration"]["threshold"] == out["threshold"]
    assert "5.0%" in manifest["calibration"]["threshold_rule"]
    before = json.loads((tiny_artifact / "manifest.json").read_text())
    assert out["threshold"] != before["calibration"]["threshold"]
    assert manifest["version"] == out["version"] > before["version"]  # other answers: a new version
    assert manifest["transformer_version"] == before.get("transformer_version", before["version"])
    same = cli("calibrate", "--model", str(model), "--data", str(toy_data["test"]), "--target-fpr", "0.05",
               "--group-field", "domain", "--max-group-fpr", "0.1")  # fmt: skip
    assert json.loads(same.stdout)["version"] == manifest["version"]  # the same threshold: the same model
    report = cli(
        "evaluate", "--data", str(toy_data["test"]), "--model", str(model), "--json", "--by", "source",
        "--pairs-by", "source",
    )  # fmt: skip
    (tmp_path / "r.json").write_bytes(report.stdout)
    card = cli("card", "--model", str(model), "--report", f"test={tmp_path / 'r.json'}")
    assert card.returncode == 0, card.stderr.decode()[-2000:]
    text = (model / "MODEL_CARD.md").read_text()
    assert "1 = AI-generated, 0 = human" in text and "### test by source" in text
    assert "95% intervals of the AUROC" in text
    assert "### Where the pooled AUROC of test is lost, by source" in text
    assert json.loads((model / "eval_test.json").read_text()) == json.loads(report.stdout)  # the card's source


@pytest.mark.parametrize("how", ["arg", "stdin"])
def test_detect_prints_a_verdict(tiny_artifact, how):
    text = " ".join(AI_WORDS * 3)
    args = ["detect", "--model", str(tiny_artifact), "--sentences"]
    result = cli(*args, text) if how == "arg" else cli(*args, input_bytes=text.encode())
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    answer = json.loads(result.stdout)
    assert answer["predicted_class"] in (0, 1) and answer["label"] in ("ai", "human", "inconclusive")
    assert answer["tokens_used"] == answer["tokens_total"] and answer["sentences"]


def test_detect_bad_input_is_a_json_error(tiny_artifact):
    result = cli("detect", "--model", str(tiny_artifact), input_bytes=b"\xff\xfe bad bytes")
    assert result.returncode == 2
    assert json.loads(result.stderr.decode().strip().splitlines()[-1])["error"]["code"] == "invalid_encoding"


def test_train_cli_reports_bad_data_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": 7}\n')
    result = cli("train", "--data", str(bad), "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and b"line 1" in result.stderr and b"Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_saved_scores_are_reused_by_calibrate_and_evaluate(tiny_artifact, toy_data, tmp_path):
    model = tmp_path / "m"
    shutil.copytree(tiny_artifact, model)
    scores = tmp_path / "dev.jsonl"
    first = cli(
        "evaluate", "--data", str(toy_data["test"]), "--model", str(model), "--json", "--scores-out", str(scores)
    )
    assert first.returncode == 0
    cal = cli("calibrate", "--model", str(model), "--scores", str(scores), "--target-fpr", "0.1")
    assert cal.returncode == 0, cal.stderr.decode()[-2000:]
    assert "dev.jsonl" in json.loads(cal.stdout)["threshold_rule"]
    again = cli(
        "evaluate", "--data", str(toy_data["test"]), "--model", str(model), "--json", "--scores-in", str(scores)
    )
    rescored = cli("evaluate", "--data", str(toy_data["test"]), "--model", str(model), "--json", "--bootstrap", "0")
    assert json.loads(again.stdout)["auroc"] == pytest.approx(json.loads(rescored.stdout)["auroc"], abs=1e-6)
    assert "auroc_ci95" in json.loads(again.stdout) and "auroc_ci95" not in json.loads(rescored.stdout)
    assert json.loads(again.stdout)["threshold"] == json.loads(cal.stdout)["threshold"]
    mismatch = cli("evaluate", "--data", str(toy_data["train"]), "--model", str(model), "--scores-in", str(scores))
    assert mismatch.returncode == 2 and b"same texts" in mismatch.stderr


def test_soup_cli_refuses_a_single_model_without_a_traceback(tiny_artifact, toy_data, tmp_path):
    result = cli(
        "soup", "--model", str(tiny_artifact), "--data", str(toy_data["train"]), "--output", str(tmp_path / "s")
    )
    assert result.returncode == 2 and b"at least two" in result.stderr and b"Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_interpolate_cli_prints_the_validation_aurocs_and_refuses_a_bad_alpha(tiny_artifact, toy_data, tmp_path):
    common = ["--model", str(tiny_artifact), "--fine-tuned", str(tiny_artifact), "--data", str(toy_data["train"])]
    bad = cli("interpolate", *common, "--alpha", "1", "--output", str(tmp_path / "bad"))
    assert bad.returncode == 2 and b"alpha" in bad.stderr and b"Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()
    ok = cli("interpolate", *common, "--alpha", "0.5", "--output", str(tmp_path / "half"))
    report = json.loads(ok.stdout)
    assert ok.returncode == 0 and report["alpha"] == 0.5
    # a model interpolated with itself is itself
    assert report["valid_auroc"]["interpolated"] == pytest.approx(report["valid_auroc"]["model"], abs=1e-3)
    assert json.loads((tmp_path / "half" / "manifest.json").read_text())["interpolation"]["alpha"] == 0.5


def test_calibrate_on_two_files_meets_the_target_in_each(tiny_artifact, toy_data, tmp_path):
    from aidetector.model.detector import Detector

    model = tmp_path / "m"
    shutil.copytree(tiny_artifact, model)
    second = write_jsonl(tmp_path / "stress.jsonl", make_records(40, seed=9))
    result = cli(
        "calibrate", "--model", str(model), "--data", str(toy_data["test"]), "--data", str(second),
        "--target-fpr", "0.05",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    threshold = json.loads(result.stdout)["threshold"]
    detector = Detector.from_path(model)
    for path in (toy_data["test"], second):
        humans = [r for r in load_jsonl(path) if r.label == 0]
        called = sum(p >= threshold for p in detector.probabilities([r.text for r in humans]))
        assert called <= 0.05 * len(humans)
    assert "stress.jsonl" in json.loads((model / "manifest.json").read_text())["calibration"]["threshold_rule"]


def test_multilingual_builds_the_member_and_prints_the_support_list(tiny_artifact, tmp_path, capsys, monkeypatch):
    from aidetector.cli.main import main

    data_file = write_jsonl(tmp_path / "toy.jsonl", corpus())

    env = {"CHAR_FEATURES": "16384", "WORD_FEATURES": "1024", "TEST_ONLY_SOURCES": "toy_ar", "MIN_TEST_HUMANS": "5"}
    for key, value in env.items():
        monkeypatch.setenv(f"AIDETECTOR_MULTILINGUAL_{key}", value)
    folder = tmp_path / "model"
    shutil.copytree(tiny_artifact, folder)
    assert main(["multilingual", "--model", str(folder), "--data", str(data_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["supported"] == ["de", "zh"] and out["languages"]["fr"]["supported"] is False
