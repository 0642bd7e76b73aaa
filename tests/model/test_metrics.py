import math

import pytest

from aidetector.model.metrics import auroc, misordered_pairs, rates_at_threshold, summary, tpr_at_fpr


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


def test_misordered_pairs_hand_computed_and_sum_to_the_auroc_shortfall():
    # humans: a=0.6, b=0.2 ; AIs: a=0.5, b=0.9, b=0.6 -> 2 x 3 = 6 pairs
    labels = [0, 0, 1, 1, 1]
    scores = [0.6, 0.2, 0.5, 0.9, 0.6]
    groups = ["a", "b", "a", "b", "b"]
    cells = {(c["human"], c["ai"]): c for c in misordered_pairs(labels, scores, groups)}
    # human a (0.6) vs AI a (0.5): wrong -> 1/6; vs AI b (0.9 right, 0.6 tie -> 0.5) -> 0.5/6; human b (0.2): none
    assert cells[("a", "a")]["share"] == pytest.approx(1 / 6)
    assert cells[("a", "b")]["share"] == pytest.approx(0.5 / 6)
    assert cells[("b", "a")]["share"] == 0 and cells[("b", "b")]["pairs"] == 2
    assert 1 - sum(c["share"] for c in cells.values()) == pytest.approx(auroc(labels, scores))
    shares = [c["share"] for c in misordered_pairs(labels, scores, groups)]
    assert shares == sorted(shares, reverse=True) and shares[0] == pytest.approx(1 / 6)  # largest first
    assert misordered_pairs([1, 1], [0.2, 0.3], ["a", "b"]) == []
