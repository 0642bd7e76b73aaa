"""Evaluation of a detector on labelled JSONL: pooled figures plus the same figures per value of any field."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .bootstrap import CI_LEVEL, ClusterResamples, confidence_intervals
from .data import Record
from .metrics import misordered_pairs, summary


def score_records(
    records: Sequence[Record],
    probabilities: Callable[[Sequence[str]], list[float]],
    batch_size: int = 64,
    progress: bool = True,
) -> list[float]:
    """P(AI) for every record, in batches, with a progress bar on stderr (stdout stays clean for JSON)."""
    out: list[float] = []
    with tqdm(total=len(records), disable=not progress, desc="score", unit="text") as bar:
        for begin in range(0, len(records), batch_size):
            chunk = records[begin : begin + batch_size]
            out.extend(probabilities([r.text for r in chunk]))
            bar.update(len(chunk))
    return out


SCORE_DECIMALS = 6  # probability_ai in a --scores-out file: what calibrate --scores can know of a score


def write_scores(path: Path, records: Sequence[Record], probabilities: Sequence[float], threshold: float) -> None:
    """One JSON line per record: its own fields unchanged, plus `probability_ai` and `predicted_class`.

    The `--scores-out` format, read back by `calibrate --scores` and `evaluate --scores-in`.
    """
    with open(path, "w", encoding="utf-8") as handle:
        for r, p in zip(records, probabilities, strict=True):
            row = {**r.fields, "probability_ai": round(p, SCORE_DECIMALS), "predicted_class": int(p >= threshold)}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def score_verdicts(
    records: Sequence[Record], detect: Callable[[Sequence[str]], list[Any]], batch_size: int = 64, progress: bool = True
) -> tuple[list[float], list[dict[str, Any]]]:
    """P(AI) and the verdict the API would give (label, reason, novelty) for every record."""
    probs: list[float] = []
    verdicts: list[dict[str, Any]] = []
    with tqdm(total=len(records), disable=not progress, desc="score", unit="text") as bar:
        for begin in range(0, len(records), batch_size):
            chunk = records[begin : begin + batch_size]
            for d in detect([r.text for r in chunk]):
                probs.append(d.probability_ai)
                verdicts.append({"label": d.label, "reason": d.reason, "novelty": d.novelty})
            bar.update(len(chunk))
    return probs, verdicts


def verdict_rates(verdicts: Sequence[Mapping[str, Any]], unfamiliar_at: float = 1.0) -> dict[str, Any]:
    """How the answers read: share labelled ai, human, inconclusive (and why), and share of unfamiliar texts."""
    n = len(verdicts)
    labels = Counter(v["label"] for v in verdicts)
    reasons = Counter(v["reason"] for v in verdicts if v["label"] == "inconclusive")
    novel = [v for v in verdicts if v.get("novelty") is not None]
    return {
        "n": n,
        "label_shares": {k: labels[k] / n for k in sorted(labels)} if n else {},
        "inconclusive_reasons": {str(k): reasons[k] / n for k in sorted(reasons, key=str)} if n else {},
        "unfamiliar_share": (sum(v["novelty"] > unfamiliar_at for v in novel) / len(novel)) if novel else None,
    }


def report(
    records: Sequence[Record],
    probabilities: Sequence[float],
    threshold: float,
    by: Sequence[str] = (),
    resamples: int = 0,
    cluster_field: str = "group",
    pairs_by: str | None = None,
    verdicts: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """`summary` figures overall and, under `by[field][value]`, for each value of each field.

    With `resamples` > 0 every summary also carries 95% intervals (`auroc_ci95`, ...) from a bootstrap that draws
    whole clusters (texts sharing `cluster_field`; a text without it is a cluster of its own).
    With `pairs_by`, `misordered_pairs` splits the pooled AUROC's shortfall by (human value, AI value) of that field.
    """
    labels = [int(r.label) for r in records if r.label is not None]
    if len(labels) != len(records):
        raise ValueError("evaluation needs a label on every record")
    draws = None
    if resamples > 0:
        clusters = [_cluster_key(r, i, cluster_field) for i, r in enumerate(records)]
        draws = ClusterResamples.draw(clusters, resamples)

    def figures(idx: Sequence[int]) -> dict[str, Any]:
        sub_labels = [labels[i] for i in idx]
        sub_probs = [probabilities[i] for i in idx]
        out = summary(sub_labels, sub_probs, threshold)
        if verdicts is not None:
            out["verdicts"] = verdict_rates([verdicts[i] for i in idx])
        if draws is not None:
            out.update(confidence_intervals(sub_labels, sub_probs, threshold, draws.subset(idx)))
        return out

    result: dict[str, Any] = figures(range(len(records)))
    if draws is not None:
        result["bootstrap"] = {
            "resamples": resamples,
            "cluster_field": cluster_field,
            "clusters": draws.clusters,
            "level": CI_LEVEL,
        }
    if by:
        result["by"] = {}
        for name in by:
            groups: dict[str, list[int]] = {}
            for i, r in enumerate(records):
                groups.setdefault(r.get(name), []).append(i)
            result["by"][name] = {value: figures(idx) for value, idx in sorted(groups.items())}
    if pairs_by:
        result["misordered_pairs"] = pair_breakdown(labels, probabilities, [r.get(pairs_by) for r in records], pairs_by)
    return result


def pair_breakdown(
    labels: Sequence[int], probabilities: Sequence[float], values: Sequence[str], field: str
) -> dict[str, Any]:
    """`misordered_pairs` by the texts' `values` of one field, with the shortfall summed within values and across."""
    cells = misordered_pairs(labels, probabilities, values)
    within = sum(c["share"] for c in cells if c["human"] == c["ai"])
    across = sum(c["share"] for c in cells if c["human"] != c["ai"])
    return {"field": field, "within": within, "across": across, "cells": [c for c in cells if c["share"] > 0]}


def _cluster_key(record: Record, row: int, field: str) -> str:
    value = record.fields.get(field)
    return f"(row {row})" if value is None else f"={value}"
