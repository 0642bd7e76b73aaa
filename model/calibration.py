"""Turning raw model log-odds into calibrated probabilities, a decision threshold and a confidence band.

Why: a class-weighted classifier's softmax is not a probability, and "0.5" means nothing to a user. We fit Platt
scaling on held-out texts, then pick the threshold from human texts so that it stands for a stated false-positive
rate (share of human texts called AI), optionally capped per domain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .windows import logit, sigmoid


@dataclass(frozen=True)
class Platt:
    """probability_ai = sigmoid(a * log_odds + b)."""

    a: float = 1.0
    b: float = 0.0

    def probability(self, log_odds: float) -> float:
        return sigmoid(self.a * log_odds + self.b)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def fit_platt(log_odds: Sequence[float], labels: Sequence[int]) -> Platt:
    """Fit a, b by (almost unregularised) logistic regression on held-out log-odds."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(log_odds, dtype=np.float64).reshape(-1, 1)
    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        return Platt()
    fitted = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return Platt(float(fitted.coef_[0, 0]), float(fitted.intercept_[0]))


def threshold_for_fpr(human_scores: Sequence[float], target_fpr: float, resolution: float = 0.0) -> float:
    """Smallest threshold t such that the share of human scores >= t is at most `target_fpr`.

    `resolution`: the step the scores were rounded to (scores read back from a file). The threshold is then the
    next step above the first human score it must exclude, so that a text whose true score rounds to that score
    stays below it too; the next float above would let half of them through."""
    descending = np.sort(np.asarray(human_scores, dtype=np.float64))[::-1]
    if descending.size == 0:
        raise ValueError("need human scores to set a threshold")
    allowed = int(np.floor(target_fpr * descending.size + 1e-9))  # humans that may score at or above t
    if allowed >= descending.size:
        return float(descending[-1])
    if resolution > 0:
        return (round(float(descending[allowed]) / resolution) + 1) * resolution
    return float(np.nextafter(descending[allowed], np.inf))


def calibrate_threshold(
    human_scores: Sequence[float],
    target_fpr: float,
    groups: Sequence[str] | None = None,
    max_group_fpr: float | None = None,
    resolution: float = 0.0,
) -> float:
    """Threshold meeting `target_fpr` overall and, when groups are given, `max_group_fpr` in every group
    (`resolution`: as in `threshold_for_fpr`)."""
    t = threshold_for_fpr(human_scores, target_fpr, resolution)
    if groups is not None and max_group_fpr is not None:
        by: dict[str, list[float]] = {}
        for score, g in zip(human_scores, groups, strict=True):
            by.setdefault(g, []).append(score)
        for scores in by.values():
            t = max(t, threshold_for_fpr(scores, max_group_fpr, resolution))
    return t


@dataclass(frozen=True)
class HumanScores:
    """One calibration file's human texts: their P(AI) and, for the per-group cap, each text's group (or none)."""

    scores: Sequence[float]
    groups: Sequence[str] | None = None


def rule_threshold(
    files: Sequence[HumanScores], target_fpr: float, max_group_fpr: float | None, resolution: float = 0.0
) -> float:
    """The shipped threshold rule: the lowest threshold at which every file meets `target_fpr` overall and
    `max_group_fpr` in each of its groups (`calibrate_threshold` per file, the strictest file wins)."""
    return max(calibrate_threshold(f.scores, target_fpr, f.groups, max_group_fpr, resolution) for f in files)


@dataclass(frozen=True)
class Verdict:
    predicted_class: int
    label: str
    confidence: str


def verdict(probability_ai: float, threshold: float, inconclusive_margin: float, high_margin: float) -> Verdict:
    """Best-guess class plus a label that says 'inconclusive' when the score sits too close to the threshold."""
    predicted = int(probability_ai >= threshold)
    margin = abs(logit(probability_ai) - logit(threshold))
    if margin >= high_margin:
        confidence = "high"
    elif margin >= inconclusive_margin:
        confidence = "medium"
    else:
        confidence = "low"
    label = "inconclusive" if confidence == "low" else ("ai" if predicted else "human")
    return Verdict(predicted, label, confidence)


def calibration_summary(platt: Platt, threshold: float, how: str, extra: Mapping[str, object]) -> dict[str, object]:
    return {"platt": platt.to_dict(), "threshold": threshold, "threshold_rule": how, **extra}
