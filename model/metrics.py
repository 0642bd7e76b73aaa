"""Detection metrics that do not hide class imbalance: AUROC, TPR at 1% FPR, and rates at the shipped threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


def auroc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve; NaN when only one class is present (undefined, not 0.5)."""
    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


def tpr_at_fpr(labels: Sequence[int], scores: Sequence[float], max_fpr: float) -> float:
    """Highest true-positive rate among thresholds whose false-positive rate is <= `max_fpr`."""
    if len(set(labels)) < 2:
        return float("nan")
    fpr, tpr, _ = roc_curve(labels, scores)
    ok = fpr <= max_fpr + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


def rates_at_threshold(labels: Sequence[int], probabilities: Sequence[float], threshold: float) -> dict[str, float]:
    """FPR (human texts called AI), TPR, precision, F1 and accuracy with `predicted = probability >= threshold`."""
    y = np.asarray(labels, dtype=int)
    pred = (np.asarray(probabilities, dtype=np.float64) >= threshold).astype(int)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    humans, ais = fp + tn, tp + fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / ais if ais else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if ais and precision + recall else 0.0
    return {
        "fpr_at_threshold": fp / humans if humans else float("nan"),
        "tpr_at_threshold": recall,
        "precision": precision,
        "f1": f1,
        "accuracy": (tp + tn) / len(y) if len(y) else float("nan"),
        "n_human": humans,
        "n_ai": ais,
    }


def summary(labels: Sequence[int], probabilities: Sequence[float], threshold: float) -> dict[str, Any]:
    """The figures `aidetector evaluate` reports for one set of texts."""
    return {
        "n": len(labels),
        "auroc": auroc(labels, probabilities),
        "tpr_at_1pct_fpr": tpr_at_fpr(labels, probabilities, 0.01),
        "threshold": threshold,
        **rates_at_threshold(labels, probabilities, threshold),
    }


def misordered_pairs(labels: Sequence[int], scores: Sequence[float], groups: Sequence[str]) -> list[dict[str, Any]]:
    """Where a pooled AUROC is lost: one cell per (human group, AI group) with the share of all human/AI pairs that
    the scores order wrongly (ties count half), largest first; 1 - the sum of the shares is the pooled AUROC.

    Per-group AUROCs cannot show the cells across groups: scores that rank well inside each source can still rank
    one source's human texts above another's AI texts, and that lowers the pooled figure.
    """
    y, s, g = np.asarray(labels, dtype=int), np.asarray(scores, dtype=np.float64), np.asarray(groups, dtype=object)
    pairs = int((y == 0).sum()) * int((y == 1).sum())
    if pairs == 0:
        return []
    ai_sorted = {group: np.sort(s[(y == 1) & (g == group)]) for group in sorted(set(g[y == 1]))}
    cells = []
    for human_group in sorted(set(g[y == 0])):
        human = s[(y == 0) & (g == human_group)]
        for ai_group, ai in ai_sorted.items():
            below = np.searchsorted(ai, human, side="left")  # AI texts scored under each human text
            ties = np.searchsorted(ai, human, side="right") - below
            wrong = float(below.sum() + 0.5 * ties.sum())
            cells.append({"human": human_group, "ai": ai_group, "share": wrong / pairs, "pairs": len(human) * len(ai)})
    return sorted(cells, key=lambda c: -c["share"])
