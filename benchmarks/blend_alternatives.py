"""Issue 22: is the ensemble's blend (log-odds = transformer + w * ngram + a * style) the best use of its members?

Scores every member (transformer, n-gram, skeleton, style) on the held-out split the blend's weights are chosen on
(rebuilt from the model's manifest and the members' training files, as `aidetector ensemble` splits them) and on
each `--set`, then compares blends of the same log-odds: the shipped one, a skeleton term added, other style
shares, and stacked learners fitted on the held-out split (logistic regression; gradient-boosted trees with the
text's length). Prints AUROC / TPR at 1% FPR per set. The members' log-odds are cached in `--cache`, so a second
run takes seconds (the first scores every text: about 15 min for ood_dev on two cores).

    .venv/bin/python benchmarks/blend_alternatives.py --model model/shipped --data ../shared/data/train.jsonl \
        --data ../shared/data/extra_train.jsonl --data runs/pool/*.jsonl \
        --set ood_dev=../shared/data/ood_dev.jsonl --set test=../shared/data/test.jsonl --cache runs/blend_cache

`--data` must be the files the members were fitted on (`ensemble.data` in the manifest; checked by sha256).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from aidetector.model.artifact import read_manifest
from aidetector.model.blend import member_log_odds
from aidetector.model.data import Record, load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.ensemble import train_settings
from aidetector.model.evaluate import score_records
from aidetector.model.metrics import auroc, tpr_at_fpr
from aidetector.model.train import load_training_data, split_as_one

MEMBERS = ("transformer", "ngram", "skeleton", "style")
Blend = Callable[[np.ndarray], np.ndarray]  # (texts x [members..., log words]) -> scores


def member_matrix(detector: Detector, records: list[Record]) -> np.ndarray:
    """One row per text: each member's log-odds, then log(1 + words)."""
    texts = [r.text for r in records]
    transformer = score_records(records, detector.transformer_log_odds, progress=False)
    members = member_log_odds(texts, detector.lexical, detector.style)
    columns = [transformer, *(members[m] for m in MEMBERS[1:])]
    lengths = [math.log1p(len(t.split())) for t in texts]
    return np.column_stack([*(np.asarray(c, dtype=np.float64) for c in columns), lengths])


def cached(path: Path | None, compute: Callable[[], np.ndarray]) -> np.ndarray:
    if path is not None and path.exists():
        return np.load(path)
    matrix = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return matrix


def blends(held_out: np.ndarray, labels: np.ndarray, style_share: float) -> dict[str, Blend]:
    """The candidates, each a function of the member matrix. Shares are of the transformer's spread on the held-out
    split, as the ensemble's grids are: weight = share * sd(transformer) / sd(member)."""
    sd = held_out[:, :4].std(axis=0)

    def linear(style: float, skeleton: float = 0.0) -> Blend:
        a, k = style * sd[0] / sd[3], skeleton * sd[0] / sd[2]
        return lambda x: x[:, 0] + a * x[:, 3] + k * x[:, 2]

    out: dict[str, Blend] = {f"shipped: T + {style_share:g} S": linear(style_share)}
    for skeleton in (0.1, 0.2, 0.3, 0.5):
        out[f"T + {style_share:g} S + {skeleton:g} K"] = linear(style_share, skeleton)
    for style in (1.0, 1.5, 2.5, 3.0, 4.0):
        if style != style_share:
            out[f"T + {style:g} S"] = linear(style)
    stack = LogisticRegression(max_iter=1000).fit(held_out[:, :4], labels)
    out["logistic stack (4 members)"] = lambda x: stack.decision_function(x[:, :4])
    trees = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=40)
    trees.fit(held_out, labels)
    out["boosted stack (4 members + length)"] = lambda x: trees.predict_proba(x)[:, 1]
    return out


def compare(sets: Mapping[str, tuple[np.ndarray, np.ndarray]], style_share: float) -> dict[str, dict[str, list[float]]]:
    """Blend name -> set name -> [AUROC, TPR at 1% FPR]; the stacks are fitted on the set named held_out."""
    matrix, labels = sets["held_out"]
    table: dict[str, dict[str, list[float]]] = {}
    for name, blend in blends(matrix, labels, style_share).items():
        table[name] = {}
        for set_name, (x, y) in sets.items():
            scores = blend(x).tolist()
            table[name][set_name] = [auroc(y.tolist(), scores), tpr_at_fpr(y.tolist(), scores, 0.01)]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("model/shipped"))
    parser.add_argument("--data", type=Path, action="append", required=True, help="the members' training files")
    parser.add_argument("--set", action="append", default=[], help="NAME=FILE to compare the blends on")
    parser.add_argument("--cache", type=Path, help="folder for the members' log-odds (reused when present)")
    parser.add_argument("--json", type=Path, help="write the table here")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.model)
    fitted_on = manifest["ensemble"]["data"]
    training = load_training_data(args.data)
    if training.hashes != fitted_on:
        print(f"--data must be the members' training files: {sorted(fitted_on)}", file=sys.stderr)
        return 2
    detector = Detector.from_path(args.model)
    _, held_out = training.split(train_settings(manifest), split_as_one(manifest))
    named = {"held_out": held_out, **{n: load_jsonl(f) for n, f in (s.split("=", 1) for s in args.set)}}
    sets = {}
    for name, records in named.items():
        path = args.cache / f"{manifest['version']}_{name}.npy" if args.cache else None
        matrix = cached(path, lambda records=records: member_matrix(detector, records))
        sets[name] = (matrix, np.array([int(r.label or 0) for r in records]))
    table = compare(sets, float(manifest["ensemble"]["style_share"]))
    print(f"{'blend':40s}" + "".join(f"{n:>22s}" for n in sets) + "   (AUROC / TPR at 1% FPR)")
    for name, row in table.items():
        print(f"{name:40s}" + "".join(f"{a:>15.4f} / {t:.3f}" for a, t in row.values()))
    if args.json:
        args.json.write_text(json.dumps({"model": manifest["version"], "table": table}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
