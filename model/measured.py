"""What the model's evaluation measured at its threshold, for answers to state beside a verdict.

The figures come from the model's manifest (an optional `evaluation` block: set name -> report) or else from the
evaluation reports saved beside it (`eval_<set>.json`, written with the model card by `model/card.py`). Only
reports of this model at this threshold count: a figure measured at another threshold says nothing about this one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _entry(name: str, report: Mapping[str, Any], version: str | None, threshold: float) -> dict[str, Any] | None:
    rate, humans = report.get("fpr_at_threshold"), report.get("n_human")
    if rate is None or not humans:
        return None
    if report.get("model_version") not in (None, version):
        return None
    measured_at = report.get("threshold")
    if measured_at is not None and abs(float(measured_at) - threshold) > 1e-6:
        return None
    ci = report.get("fpr_at_threshold_ci95")
    return {
        "measured_on": name,
        "human_texts": int(humans),
        "false_positive_rate": round(float(rate), 4),
        "interval95": [round(float(x), 4) for x in ci] if ci and None not in ci else None,
    }


def false_positive_rates(folder: Path | None, manifest: Mapping[str, Any], threshold: float) -> list[dict[str, Any]]:
    """Per evaluation set: share of its human texts called AI at `threshold`, its 95% interval and its size;
    the largest set first."""
    version = manifest.get("version")
    reports: dict[str, Mapping[str, Any]] = dict(manifest.get("evaluation") or {})
    if not reports and folder is not None and Path(folder).is_dir():
        for path in sorted(Path(folder).glob("eval_*.json")):
            try:
                reports[path.stem.removeprefix("eval_")] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
    entries = [e for name, r in reports.items() if (e := _entry(name, r, version, threshold))]
    return sorted(entries, key=lambda e: -e["human_texts"])
