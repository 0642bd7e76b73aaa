"""`report`: pooled and per-field figures, with cluster-bootstrap intervals when asked."""

import pytest

from aidetector.model.data import Record
from aidetector.model.evaluate import report


def records() -> list[Record]:
    rows = []
    for i in range(40):
        label = i % 2
        fields = {"text": f"t{i}", "label": label, "source": "a" if i < 20 else "b", "group": f"g{i // 2}"}
        rows.append(Record(text=f"t{i}", label=label, group=f"g{i // 2}", fields=fields))
    return rows


def test_report_without_bootstrap_has_no_intervals():
    recs = records()
    out = report(recs, [0.2 + 0.6 * r.label for r in recs], 0.5, by=["source"])
    assert out["auroc"] == 1.0 and "auroc_ci95" not in out and "bootstrap" not in out


def test_report_intervals_pooled_and_per_value():
    recs = records()
    probs = [0.3 + 0.4 * r.label + 0.01 * (i % 7) - (0.5 if i in (3, 10) else 0.0) for i, r in enumerate(recs)]
    out = report(recs, probs, 0.5, by=["source"], resamples=200)
    assert out["bootstrap"] == {"resamples": 200, "cluster_field": "group", "clusters": 20, "level": 0.95}
    for figures in (out, out["by"]["source"]["a"], out["by"]["source"]["b"]):
        low, high = figures["auroc_ci95"]
        assert low <= figures["auroc"] <= high <= 1.0
        for key in ("fpr_at_threshold_ci95", "tpr_at_threshold_ci95"):
            assert 0.0 <= figures[key][0] <= figures[key][1] <= 1.0
    # source b holds no error: every resample of it is perfect
    assert out["by"]["source"]["b"]["auroc_ci95"] == pytest.approx([1.0, 1.0])


def test_records_without_the_cluster_field_are_clusters_of_their_own():
    recs = records()
    out = report(recs, [0.5] * 40, 0.5, resamples=10, cluster_field="no_such_field")
    assert out["bootstrap"]["clusters"] == 40


def test_pair_breakdown_separates_errors_inside_and_across_sources():
    # Inside each source every AI text outranks every human one, but source b's scores sit higher as a whole:
    # b's human texts (0.6) outrank a's AI texts (0.5), so the pooled AUROC falls below both sources' 1.0.
    recs = records()
    probs = [(0.1 if r.label == 0 else 0.5) + (0.5 if r.get("source") == "b" else 0.0) for r in recs]
    out = report(recs, probs, 0.5, by=["source"], pairs_by="source")
    assert out["by"]["source"]["a"]["auroc"] == 1.0 and out["by"]["source"]["b"]["auroc"] == 1.0
    pairs = out["misordered_pairs"]
    assert pairs["field"] == "source" and pairs["within"] == 0.0
    assert pairs["cells"] == [{"human": "b", "ai": "a", "share": 0.25, "pairs": 100}]  # 10 x 10 of 20 x 20
    assert out["auroc"] == pytest.approx(1 - pairs["across"])
