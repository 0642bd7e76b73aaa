"""Confidence intervals for evaluation figures by a cluster bootstrap over `group`.

Why clusters: the texts of one group are not independent draws. In `test.jsonl` a Fast-DetectGPT human text comes
five times (cut to the length of each of its five AI continuations), so the 455 human texts of that source are 97
originals; a plain bootstrap over rows would call the test AUROC about twice as precise as it is. Resampling whole
groups with replacement keeps each original and its twins together.

Why hand-written: scipy's `bootstrap` resamples rows, not clusters, and scikit-learn's weighted `roc_auc_score`
would be called once per resample and subset (thousands of calls per report). Here each resample is a vector of
multiplicities per text, and the weighted AUROC of all resamples is computed at once from the scores' sort order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CI_LEVEL = 0.95


@dataclass(frozen=True)
class ClusterResamples:
    """`weights[b, i]`: how often text i occurs in resample b (its cluster drawn that many times)."""

    weights: np.ndarray
    clusters: int

    @classmethod
    def draw(cls, clusters: Sequence[str], resamples: int, seed: int = 0) -> ClusterResamples:
        keys, index = np.unique(np.asarray(clusters, dtype=object).astype(str), return_inverse=True)
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, len(keys), size=(resamples, len(keys)))
        counts = np.stack([np.bincount(row, minlength=len(keys)) for row in picks])
        # int32 counts: a quarter of float64's memory (1000 resamples of 16k texts: 64 MB)
        return cls(weights=counts[:, index].astype(np.int32), clusters=len(keys))

    def subset(self, rows: Sequence[int]) -> np.ndarray:
        """The multiplicities of some texts (e.g. one source): a cluster drawn k times brings its texts k times."""
        return self.weights[:, np.asarray(rows, dtype=int)]


def weighted_auroc(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray, chunk: int = 128) -> np.ndarray:
    """AUROC per row of `weights` (resamples x texts); ties count one half, as in `roc_auc_score`. NaN where a
    resample holds only one class. Rows go `chunk` at a time to bound memory on large files."""
    order = np.argsort(scores, kind="mergesort")
    s, y = scores[order], labels[order]
    starts = np.searchsorted(s, s, side="left")
    ends = np.searchsorted(s, s, side="right")
    out = [
        _sorted_auroc(y, weights[b : b + chunk, order].astype(np.float64), starts, ends)
        for b in range(0, weights.shape[0], chunk)
    ]
    return np.concatenate(out)


def _sorted_auroc(y: np.ndarray, w: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    human = w * (y == 0)
    ai = w * (y == 1)
    # Human weight strictly below each text, and within its tie block, from the cumulative sum at block edges.
    cum = np.concatenate([np.zeros((w.shape[0], 1)), np.cumsum(human, axis=1)], axis=1)
    below = cum[:, starts]
    tied = cum[:, ends] - below
    pairs = ai.sum(axis=1) * human.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (ai * (below + 0.5 * tied)).sum(axis=1) / pairs, np.nan)


def weighted_rate(hits: np.ndarray, members: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Share of `members` that are `hits`, per resample (NaN where a resample holds no members)."""
    total = weights @ members.astype(np.float64)
    hit = weights @ (hits & members).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hit / total, np.nan)


def interval(values: np.ndarray, level: float = CI_LEVEL) -> list[float]:
    """Percentile interval of the finite resample values; [nan, nan] when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [float("nan"), float("nan")]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return [float(low), float(high)]


def confidence_intervals(
    labels: Sequence[int], probabilities: Sequence[float], threshold: float, weights: np.ndarray
) -> dict[str, list[float]]:
    """95% intervals of AUROC and of the rates at the threshold, from resample multiplicities `weights`."""
    y = np.asarray(labels, dtype=int)
    p = np.asarray(probabilities, dtype=np.float64)
    called_ai = p >= threshold
    return {
        "auroc_ci95": interval(weighted_auroc(y, p, weights)),
        "fpr_at_threshold_ci95": interval(weighted_rate(called_ai, y == 0, weights)),
        "tpr_at_threshold_ci95": interval(weighted_rate(called_ai, y == 1, weights)),
    }
