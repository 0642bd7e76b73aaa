"""Cluster-bootstrap intervals: the vectorised weighted AUROC against scikit-learn, and clusters kept whole."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from aidetector.model.bootstrap import ClusterResamples, confidence_intervals, interval, weighted_auroc, weighted_rate


def test_weighted_auroc_matches_sklearn_with_ties_and_chunks():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 200)
    scores = np.round(rng.random(200) + 0.3 * labels, 1)  # rounded: many ties
    draws = ClusterResamples.draw([f"g{i // 4}" for i in range(200)], 30, seed=2)
    ours = weighted_auroc(labels, scores, draws.weights, chunk=7)
    expected = [roc_auc_score(labels, scores, sample_weight=w) for w in draws.weights]
    assert ours == pytest.approx(expected, abs=1e-12)


def test_weighted_auroc_is_nan_for_a_one_class_resample():
    weights = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0]])
    out = weighted_auroc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.4]), weights)
    assert np.isnan(out[0]) and out[1] == 1.0


def test_resamples_draw_whole_clusters():
    clusters = ["a", "a", "b", "c", "c", "c"]
    draws = ClusterResamples.draw(clusters, 50, seed=0)
    assert draws.clusters == 3
    for row in draws.weights:
        # every text of a cluster occurs as often as its cluster was drawn; three clusters drawn per resample
        assert row[0] == row[1] and row[3] == row[4] == row[5]
        assert row[0] + row[2] + row[3] == 3


def test_weighted_rate_hand_computed():
    hits = np.array([True, False, True, True])
    members = np.array([True, True, True, False])
    weights = np.array([[1.0, 1.0, 0.0, 5.0], [2.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]])
    out = weighted_rate(hits, members, weights)
    assert out[0] == pytest.approx(0.5) and out[1] == pytest.approx(1.0) and np.isnan(out[2])


def test_copies_in_one_cluster_add_no_precision():
    """Five copies of each text: resampled as clusters the interval stays as wide as for the originals; resampled
    row by row it would shrink, claiming a precision the data do not have."""
    rng = np.random.default_rng(3)
    n = 120
    labels = np.repeat([0, 1], n // 2)
    probs = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.2 * labels)))

    def width(copies: int, clustered: bool) -> float:
        y, p = np.repeat(labels, copies), np.repeat(probs, copies)
        keys = [f"t{i // copies}" if clustered else f"r{i}" for i in range(len(y))]
        ci = confidence_intervals(y, p, 0.5, ClusterResamples.draw(keys, 400, seed=4).weights)["auroc_ci95"]
        return ci[1] - ci[0]

    single = width(1, clustered=True)
    assert width(5, clustered=True) == pytest.approx(single, rel=0.25)
    assert width(5, clustered=False) < 0.7 * single


def test_interval_brackets_the_values_and_survives_nan():
    values = np.array([np.nan, *np.linspace(0.0, 1.0, 101)])
    low, high = interval(values)
    assert low == pytest.approx(0.025) and high == pytest.approx(0.975)
    assert all(np.isnan(interval(np.array([np.nan]))))
