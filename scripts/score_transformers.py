#!/usr/bin/env python3
"""Score transformer weights (no ensemble members) on a labelled file: a base model, runs continued from it, and
each run's WiSE-FT mix with the base. Why: choosing among GPU runs needs the development figures while the
machine is still lent, and the Detector's CPU path would take minutes per run there; this uses the same window
plan (`document_logits`) on whatever device torch sees.

    python scripts/score_transformers.py --data ood_dev.jsonl --base model/shipped --out scores.json RUN [RUN ...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import torch
from safetensors.torch import load_file

from aidetector.model.data import load_jsonl
from aidetector.model.forward import special_token_count, token_ids
from aidetector.model.metrics import auroc, tpr_at_fpr
from aidetector.model.train import document_logits, load_base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="*", type=Path, help="artifact folders of runs continued from --base")
    parser.add_argument("--data", required=True, type=Path, help="labelled JSON Lines (e.g. ood_dev)")
    parser.add_argument("--base", required=True, type=Path, help="the model the runs were continued from")
    parser.add_argument("--alpha", type=float, action="append", help="WiSE-FT shares toward each run (default 0.5)")
    parser.add_argument("--by", default="domain", help="record field to break AUROC down by")
    parser.add_argument("--out", required=True, type=Path, help="JSON file, rewritten after every model")
    args = parser.parse_args(argv)
    records = load_jsonl(args.data)
    labels = [int(r.label or 0) for r in records]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, tokenizer = load_base(str(args.base))
    model.to(device).eval()
    window = int(json.loads((args.base / "manifest.json").read_text())["window_tokens"])
    content = window - special_token_count(tokenizer)
    ids = token_ids(tokenizer, [r.text for r in records])
    base = {k: v.float() for k, v in load_file(str(args.base / "model.safetensors")).items()}
    results: dict[str, dict] = {}

    def score(name: str, weights: dict[str, torch.Tensor]) -> None:
        started = time.monotonic()
        model.load_state_dict(weights)
        scores = document_logits(model, tokenizer, ids, content, torch.bfloat16)
        parts: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for record, label, value in zip(records, labels, scores, strict=True):
            parts[record.get(args.by)][0].append(label)
            parts[record.get(args.by)][1].append(value)
        results[name] = {
            "auroc": round(auroc(labels, scores), 4),
            "tpr_at_1pct_fpr": round(tpr_at_fpr(labels, scores, 0.01), 4),
            "auroc_by": {k: round(auroc(y, s), 4) for k, (y, s) in parts.items() if len(set(y)) == 2},
            "seconds": round(time.monotonic() - started, 1),
        }
        print(name, json.dumps(results[name]), flush=True)
        args.out.write_text(json.dumps(results, indent=1))

    score("base", base)
    for run in args.runs:
        tuned = {k: v.float() for k, v in load_file(str(run / "model.safetensors")).items()}
        score(run.name, tuned)
        for alpha in args.alpha or [0.5]:
            score(f"{run.name}@{alpha:g}", {k: (1 - alpha) * base[k] + alpha * tuned[k] for k in base})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
