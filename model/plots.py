"""Pictures for the model card: ROC curves per group and a reliability (calibration) diagram."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .data import Record


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def roc_by_group(records: Sequence[Record], probabilities: Sequence[float], field: str, path: Path, title: str) -> Path:
    """One ROC curve per value of `field` (values with a single class are skipped: no curve exists)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault(r.get(field), []).append(i)
    groups["(all)"] = list(range(len(records)))
    for value, idx in sorted(groups.items()):
        y = [int(records[i].label or 0) for i in idx]
        if len(set(y)) < 2:
            continue
        p = [probabilities[i] for i in idx]
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, lw=2.5 if value == "(all)" else 1.2, label=f"{value} (AUROC {roc_auc_score(y, p):.3f})")
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set_xlabel("false-positive rate (human texts called AI)")
    ax.set_ylabel("true-positive rate (AI texts caught)")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def reliability(labels: Sequence[int], probabilities: Sequence[float], path: Path, title: str, bins: int = 10) -> Path:
    """Observed share of AI texts against the predicted probability, per probability bin."""
    plt = _pyplot()
    p = np.asarray(probabilities)
    y = np.asarray(labels)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    centers, observed, counts = [], [], []
    for b in range(bins):
        mask = which == b
        if mask.any():
            centers.append(float(p[mask].mean()))
            observed.append(float(y[mask].mean()))
            counts.append(int(mask.sum()))
    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", label="perfect calibration")
    ax.plot(centers, observed, marker="o", label="model")
    for x, o, n in zip(centers, observed, counts, strict=True):
        ax.annotate(str(n), (x, o), fontsize=6, textcoords="offset points", xytext=(3, -8))
    ax.set_xlabel("predicted probability of AI")
    ax.set_ylabel("observed share of AI texts")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
