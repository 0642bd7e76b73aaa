import math

import pytest

from model.metrics import auroc, rates_at_threshold, summary, tpr_at_fpr


def test_auroc_hand_computed():
    # pairs (ai, human): (0.8>0.1) (0.8>0.4) (0.35<0.4) (0.35>0.1) -> 3 of 4 ordered correctly
    assert auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert math.isnan(auroc([1, 1], [0.2, 0.3]))


def test_tpr_at_fpr_hand_computed():
    labels = [0] * 10 + [1] * 4
    scores = [i / 100 for i in range(10)] + [0.095, 0.05, 0.5, 0.6]
    # FPR 0 allows thresholds above 0.09: catches 0.095, 0.5, 0.6 -> 3/4
    assert tpr_at_fpr(labels, scores, 0.0) == pytest.approx(0.75)
    assert tpr_at_fpr(labels, scores, 0.5) == pytest.approx(1.0)


def test_rates_at_threshold_hand_computed():
    labels = [0, 0, 0, 0, 1, 1, 1, 1]
    probs = [0.1, 0.2, 0.7, 0.3, 0.9, 0.8, 0.4, 0.6]
    r = rates_at_threshold(labels, probs, 0.5)
    # tp=3 (0.9,0.8,0.6) fp=1 (0.7) tn=3 fn=1
    assert r["fpr_at_threshold"] == pytest.approx(0.25)
    assert r["tpr_at_threshold"] == pytest.approx(0.75)
    assert r["precision"] == pytest.approx(0.75)
    assert r["f1"] == pytest.approx(0.75)
    assert r["accuracy"] == pytest.approx(0.75)


def test_summary_has_the_documented_keys():
    s = summary([0, 1], [0.2, 0.9], 0.5)
    for key in ("n", "auroc", "tpr_at_1pct_fpr", "threshold", "fpr_at_threshold", "tpr_at_threshold", "f1", "accuracy"):
        assert key in s
    assert s["n"] == 2 and s["auroc"] == 1.0
