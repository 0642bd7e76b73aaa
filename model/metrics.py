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
