"""What the model's evaluation measured at its threshold: only reports of this model at this threshold count."""

import json

from aidetector.model.measured import false_positive_rates


def test_false_positive_rates_come_from_reports_at_this_threshold(tmp_path):
    manifest = {"version": "v1"}
    report = {"fpr_at_threshold": 0.03, "fpr_at_threshold_ci95": [0.02, 0.04], "n_human": 800, "threshold": 0.7}
    (tmp_path / "eval_dev.json").write_text(json.dumps({**report, "model_version": "v1"}))
    (tmp_path / "eval_old.json").write_text(json.dumps({**report, "threshold": 0.5}))  # another threshold
    (tmp_path / "eval_other.json").write_text(json.dumps({**report, "model_version": "v0"}))  # another model
    (tmp_path / "eval_big.json").write_text(json.dumps({**report, "n_human": 5000, "fpr_at_threshold": 0.05}))
    rates = false_positive_rates(tmp_path, manifest, 0.7)
    assert [r["measured_on"] for r in rates] == ["big", "dev"]
    assert rates[1] == {
        "measured_on": "dev",
        "human_texts": 800,
        "false_positive_rate": 0.03,
        "interval95": [0.02, 0.04],
    }
    in_manifest = {"version": "v1", "evaluation": {"stress": {**report, "n_human": 10}}}
    assert [r["measured_on"] for r in false_positive_rates(tmp_path, in_manifest, 0.7)] == ["stress"]


def test_shipped_model_states_its_false_positive_rates():
    from aidetector.model.artifact import read_manifest
    from aidetector.settings import SHIPPED_MODEL_DIR

    manifest = read_manifest(SHIPPED_MODEL_DIR)
    rates = false_positive_rates(SHIPPED_MODEL_DIR, manifest, manifest["calibration"]["threshold"])
    assert {r["measured_on"] for r in rates} >= {"ood_dev", "test"}
    assert all(0 <= r["false_positive_rate"] <= 1 and r["human_texts"] > 0 for r in rates)


def test_reports_without_a_rate_or_humans_and_unreadable_files_are_left_out(tmp_path):
    report = {"fpr_at_threshold": 0.03, "n_human": 100, "threshold": 0.5}
    (tmp_path / "eval_ok.json").write_text(json.dumps({**report, "fpr_at_threshold_ci95": [0.01, None]}))
    (tmp_path / "eval_no_rate.json").write_text(json.dumps({**report, "fpr_at_threshold": None}))
    (tmp_path / "eval_no_humans.json").write_text(json.dumps({**report, "n_human": 0}))
    (tmp_path / "eval_broken.json").write_text("{not json")
    (tmp_path / "report.json").write_text(json.dumps(report))  # not an eval_<set>.json file
    rates = false_positive_rates(tmp_path, {"version": "v1"}, 0.5)
    assert rates == [{"measured_on": "ok", "human_texts": 100, "false_positive_rate": 0.03, "interval95": None}]


def test_a_report_that_names_no_threshold_or_version_counts_for_any(tmp_path):
    manifest = {"version": "v2", "evaluation": {"dev": {"fpr_at_threshold": 0.123456, "n_human": 9}}}
    assert false_positive_rates(None, manifest, 0.9) == [
        {"measured_on": "dev", "human_texts": 9, "false_positive_rate": 0.1235, "interval95": None}
    ]
    assert false_positive_rates(tmp_path / "missing", {"version": "v2"}, 0.9) == []
