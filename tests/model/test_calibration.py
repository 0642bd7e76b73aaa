import math
import random

import pytest

from aidetector.model.calibration import (
    HumanScores,
    calibrate_threshold,
    fit_platt,
    rule_threshold,
    threshold_for_fpr,
    verdict,
)


def test_threshold_for_fpr_allows_exactly_the_target_share():
    human = [i / 100 for i in range(100)]  # 0.00 .. 0.99
    t = threshold_for_fpr(human, 0.05)
    assert sum(h >= t for h in human) == 5
    assert threshold_for_fpr(human, 0.0) > 0.99


def test_threshold_with_ties_never_exceeds_target():
    human = [0.5] * 10 + [0.1] * 90
    t = threshold_for_fpr(human, 0.05)
    assert sum(h >= t for h in human) <= 5


def test_group_cap_raises_the_threshold_for_the_worst_group():
    human = [i / 100 for i in range(100)] + [0.9 + i / 1000 for i in range(20)]
    groups = ["a"] * 100 + ["b"] * 20
    overall = calibrate_threshold(human, 0.10)
    capped = calibrate_threshold(human, 0.10, groups, 0.10)
    assert capped > overall
    in_b = [h for h, g in zip(human, groups, strict=True) if g == "b"]
    assert sum(h >= capped for h in in_b) <= 2


def test_the_rule_over_files_is_as_strict_as_its_strictest_file():
    lenient = HumanScores([i / 100 for i in range(100)])
    strict = HumanScores([0.1] * 18 + [0.95, 0.97], ["a"] * 10 + ["b"] * 10)
    alone = [calibrate_threshold(f.scores, 0.10, f.groups, 0.10) for f in (lenient, strict)]
    assert rule_threshold([lenient, strict], 0.10, 0.10) == max(alone) == alone[1]
    assert sum(h >= max(alone) for h in strict.scores[10:]) <= 1  # at most 10% of group b


def test_platt_recovers_known_parameters():
    rng = random.Random(0)
    xs = [rng.uniform(-6, 6) for _ in range(4000)]
    ys = [int(rng.random() < 1 / (1 + math.exp(-(0.5 * x - 1.0)))) for x in xs]
    p = fit_platt(xs, ys)
    assert p.a == pytest.approx(0.5, abs=0.08) and p.b == pytest.approx(-1.0, abs=0.15)


def test_verdict_bands():
    assert verdict(0.99, 0.5, 1.0, 3.0).label == "ai"
    assert verdict(0.99, 0.5, 1.0, 3.0).confidence == "high"
    near = verdict(0.55, 0.5, 1.0, 3.0)
    assert near.label == "inconclusive" and near.predicted_class == 1 and near.confidence == "low"
    assert verdict(0.1, 0.5, 1.0, 3.0).label == "human"
    assert verdict(0.1, 0.5, 1.0, 3.0).predicted_class == 0


def test_a_threshold_from_rounded_scores_excludes_every_true_score_behind_them():
    rounded = [0.1, 0.2, 0.3, 0.966798]  # written to 6 decimals; the last text's true score may be 0.9667984
    exact = threshold_for_fpr(rounded, 0.0)
    assert 0.966798 < exact < 0.9667984  # the next float: the true score would still be called AI
    on_the_grid = threshold_for_fpr(rounded, 0.0, resolution=1e-6)
    assert on_the_grid == pytest.approx(0.966799) and on_the_grid > 0.9667985
    assert threshold_for_fpr(rounded, 0.25, resolution=1e-6) == pytest.approx(0.300001)  # one human may be above
    assert calibrate_threshold(rounded, 0.0, ["a", "a", "b", "b"], 0.5, resolution=1e-6) == on_the_grid
