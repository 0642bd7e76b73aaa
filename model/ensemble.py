"""Add the n-gram member to a trained transformer artifact: fit it, choose its weight, refit the calibration.

Fitted on exactly the training split the transformer used (same group split and seed from its manifest), so the
held-out split stays unseen by both members; the blend's Platt calibration is fitted on that held-out split.
The weight is chosen on a development file (model selection, never training), from a small stated grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model.artifact import read_manifest, refresh_checksums, update_manifest, utc_version
from model.calibration import fit_platt
from model.config import TrainSettings
from model.data import Record, split_by_group
from model.detector import Detector
from model.evaluate import score_records
from model.metrics import auroc
from model.ngram import NgramModel
from model.train import load_training_records, sample_weights

WEIGHT_GRID = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class EnsembleReport:
    weight: float
    auroc_by_weight: dict[float, float]
    transformer_auroc: float
    ngram_auroc: float
    selected_on: str
    probabilities: list[float]


def build_ensemble(
    model_dir: Path,
    data_paths: Sequence[Path],
    select_on: Sequence[Record],
    select_name: str,
    weights: Sequence[float] = WEIGHT_GRID,
) -> EnsembleReport:
    manifest = read_manifest(model_dir)
    if manifest.get("ensemble"):
        raise ValueError(f"{model_dir} already has an n-gram member")
    hp = manifest["hyperparameters"]
    settings = TrainSettings(**{k: v for k, v in hp.items() if k in TrainSettings.model_fields})
    records, _ = load_training_records(data_paths)
    train_recs, valid_recs = split_by_group(records, settings.valid_fraction, settings.split_seed)
    train_labels = [int(r.label or 0) for r in train_recs]
    train_weights = sample_weights(train_recs, settings.parsed_source_weights())
    ngram = NgramModel.fit([r.text for r in train_recs], train_labels, train_weights)
    detector = Detector.from_path(model_dir)

    def members(recs: Sequence[Record]) -> tuple[list[float], list[float]]:
        nn = score_records(recs, detector.transformer_log_odds, progress=False)
        return nn, [float(v) for v in ngram.log_odds([r.text for r in recs])]

    labels = [int(r.label or 0) for r in select_on]
    nn_sel, ng_sel = members(select_on)
    by_weight = {w: auroc(labels, [a + w * b for a, b in zip(nn_sel, ng_sel, strict=True)]) for w in weights}
    weight = max(by_weight, key=lambda w: by_weight[w])

    nn_val, ng_val = members(valid_recs)
    platt = fit_platt(
        [a + weight * b for a, b in zip(nn_val, ng_val, strict=True)], [int(r.label or 0) for r in valid_recs]
    )
    ngram.save(model_dir)
    calibration = {**manifest.get("calibration", {}), "platt": platt.to_dict()}
    update_manifest(
        model_dir,
        {
            "calibration": calibration,
            # A different model answers now, so it gets its own version; the transformer's stays on record.
            "version": utc_version(),
            "transformer_version": manifest["version"],
            "ensemble": {
                "members": ["transformer", "ngram"],
                "ngram_weight": weight,
                "rule": f"log-odds = transformer + w * ngram; w from {list(weights)} by AUROC on {select_name}",
                "auroc_by_weight": {str(w): round(v, 4) for w, v in by_weight.items()},
                "ngram_features": "char_wb 1-4 (2^18 hashed) + word 1-2 (2^17 hashed), sublinear TF-IDF",
            },
        },
    )
    refresh_checksums(model_dir)
    blended = [platt.probability(a + weight * b) for a, b in zip(nn_sel, ng_sel, strict=True)]
    return EnsembleReport(
        weight=weight,
        auroc_by_weight=by_weight,
        transformer_auroc=auroc(labels, nn_sel),
        ngram_auroc=auroc(labels, ng_sel),
        selected_on=select_name,
        probabilities=blended,
    )
