"""How far bfloat16 scores are from float32 ones: the same texts through the same model in both precisions.

    .venv/bin/python benchmarks/compare_precision.py --data ../shared/data/test.jsonl [--model DIR] [--limit 500]

Prints one JSON object: mean and max |difference| of the transformer's document log-odds, the largest difference
of the calibrated probability, how many verdicts (AI / human at the threshold) differ, and the AUROC of each
precision on the texts read (first `--limit` records of the file).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from aidetector.model.config import DetectSettings
from aidetector.model.data import load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.metrics import auroc
from aidetector.settings import AppSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--limit", type=int, default=500)
    args = parser.parse_args()
    records = load_jsonl(args.data)[: args.limit]
    texts = [r.text for r in records]
    scores = {}
    for name in ("float32", "bfloat16"):
        detector = Detector.from_path(args.model, DetectSettings(precision=name))
        raw = detector.transformer_log_odds(texts)
        probabilities = np.array(detector.calibrated(texts, raw))  # no second forward pass
        log_odds = np.array(raw)
        scores[name] = (log_odds, probabilities, detector.threshold)
    (z32, p32, threshold), (z16, p16, _) = scores["float32"], scores["bfloat16"]
    labels = [int(r.label) for r in records if r.label is not None]
    out = {
        "texts": len(texts),
        "log_odds_mean_abs_diff": round(float(np.abs(z32 - z16).mean()), 4),
        "log_odds_max_abs_diff": round(float(np.abs(z32 - z16).max()), 4),
        "probability_max_abs_diff": round(float(np.abs(p32 - p16).max()), 4),
        "verdicts_that_differ": int(((p32 >= threshold) != (p16 >= threshold)).sum()),
    }
    if len(labels) == len(records) and len(set(labels)) == 2:
        out["auroc_float32"] = round(auroc(labels, p32.tolist()), 4)
        out["auroc_bfloat16"] = round(auroc(labels, p16.tolist()), 4)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
