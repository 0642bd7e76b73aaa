"""The blend comparison scores every candidate on the same member log-odds, the shipped blend as the ensemble does."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aidetector.model.metrics import auroc, tpr_at_fpr
from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    return load_module(ROOT / "benchmarks" / "blend_alternatives.py", "blend_alternatives")


def members(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns transformer, ngram, skeleton, style, log words; the style column carries most of the signal."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    signal = labels * 2.0 - 1.0
    columns = [0.5 * signal + rng.normal(0, 1, n), rng.normal(0, 2, n), 0.3 * signal + rng.normal(0, 2, n)]
    columns += [3 * signal + rng.normal(0, 4, n), rng.normal(5, 0.5, n)]
    return np.column_stack(columns), labels


def test_the_shipped_blend_is_transformer_plus_the_style_share_of_its_spread():
    script = load_script()
    held_out, labels = members(400, 1)
    shipped = script.blends(held_out, labels, 2.0)["shipped: T + 2 S"]
    sd = held_out[:, :4].std(axis=0)
    assert np.allclose(shipped(held_out), held_out[:, 0] + 2.0 * sd[0] / sd[3] * held_out[:, 3])


def test_every_blend_is_scored_on_every_set_with_the_metrics_evaluate_reports():
    script = load_script()
    sets = {"held_out": members(400, 1), "dev": members(300, 2)}
    table = script.compare(sets, 2.0)
    assert {"logistic stack (4 members)", "boosted stack (4 members + length)", "T + 2 S + 0.2 K"} <= set(table)
    assert all(set(row) == {"held_out", "dev"} and all(np.isfinite(v) for v in row["dev"]) for row in table.values())
    x, y = sets["dev"]
    scores = script.blends(*sets["held_out"], 2.0)["shipped: T + 2 S"](x).tolist()
    assert table["shipped: T + 2 S"]["dev"] == [auroc(y.tolist(), scores), tpr_at_fpr(y.tolist(), scores, 0.01)]
    assert table["shipped: T + 2 S"]["dev"][0] > auroc(y.tolist(), x[:, 0].tolist())  # the style term helps here
