"""Add the n-gram, skeleton and style members to a trained transformer artifact: fit them, choose weights, refit
calibration.

All are fitted on exactly the training split the transformer used (same group split and seed from its manifest),
so the held-out split stays unseen by every member; the blend's Platt calibration is fitted on that held-out split.
The style trees are stacked: besides the style features they read the n-gram and skeleton log-odds, out-of-fold
on the training split (each text scored by members fitted on the other folds, whole groups to a fold), and the
members fitted on the whole split at inference. The blend is log-odds = transformer + w * ngram + a * style.
w and a are shares of the transformer's spread (see WEIGHT_GRID); the shares come from small stated grids by
the mean of two AUROCs: on the held-out split (the training sources) and on
a development file from other sources (model selection, never training). Either alone picks for one side: the
held-out split alone favours what the training sources reward, the development file alone what its few domains
reward.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from scipy import sparse

from .artifact import new_version, read_manifest, refresh_checksums, update_manifest
from .blend import BLENDED_MEMBERS, blend, member_log_odds
from .calibration import fit_platt
from .config import TrainSettings
from .data import Record, file_sha256, group_folds, provenance
from .detector import Detector
from .evaluate import score_records
from .metrics import auroc
from .ngram import SKELETON_CONFIG, NgramConfig, NgramModel, counts
from .novelty import NoveltyModel
from .style import StyleModel
from .train import TrainingData, load_training_data, sample_weights, split_as_one

# The grids hold shares, not weights: a member's weight is its share times sd(transformer) / sd(member), both on
# the held-out split. Why: how wide a transformer's log-odds spread is depends on the run (a soup of runs that
# disagree averages to narrower log-odds), and absolute weights that suited one transformer swamp another.
WEIGHT_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6)
# The style grid reaches well past 0.6: on the shipped model the best style share sat on that edge, then on 1.0;
# with the grid to 3.0 it is 1.6, and the shares above it fall again, so the edge no longer decides.
STYLE_WEIGHT_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0)
STACKING_FOLDS = 5
NOVELTY_SAMPLE = 4000  # training texts the novelty check is fitted on (one transformer pass each)
STACKED = {"ngram": NgramConfig(), "skeleton": SKELETON_CONFIG}  # members whose log-odds the style trees read


@dataclass(frozen=True)
class EnsembleReport:
    weight: float
    style_weight: float
    auroc_by_weights: dict[str, dict[str, float]]  # "w=..,a=.." (the shares) -> held_out, select, mean
    shares: tuple[float, float]  # the chosen (n-gram, style) shares of the transformer's spread
    spread: dict[str, float]  # standard deviation of each blended member's log-odds on the held-out split
    member_auroc: dict[str, dict[str, float]]  # member -> held_out, select
    selected_on: str
    probabilities: list[float]


def _weights_key(w: float, a: float) -> str:
    return f"w={w:g},a={a:g}"


@dataclass
class _Members:
    """The fitted members besides the transformer, and each member's log-odds of the two sets the weights are
    chosen on (`held_out`: the transformer's validation split; `select`: the development file)."""

    lexical: dict[str, NgramModel]
    style: StyleModel
    novelty: NoveltyModel
    scores: dict[str, dict[str, list[float]]]  # set -> member -> log-odds
    labels: dict[str, list[int]]  # set -> labels


def build_ensemble(
    model_dir: Path,
    data_paths: Sequence[Path],
    select_on: Sequence[Record],
    select_name: str,
    weights: Sequence[float] = WEIGHT_GRID,
    style_weights: Sequence[float] = STYLE_WEIGHT_GRID,
    replace: bool = False,
    folds: int = STACKING_FOLDS,
    novelty_sample: int = NOVELTY_SAMPLE,
    keep_members: bool = False,
    members_from: Path | None = None,
) -> EnsembleReport:
    """Fit the members, choose the weights, write them into `model_dir`; `replace` refits an existing ensemble.
    `keep_members` keeps the fitted n-gram, skeleton and style members (they never read the transformer) and only
    refits the novelty check and chooses the weights again: for a new grid, or a transformer continued on the same
    split, without the member fits (on the shipped model's data, 25 minutes of a 2-core CPU, most of it scoring).
    `members_from` (with `keep_members`) takes those members from another model, e.g. the shipped one for a
    transformer continued from it: checked against this transformer's files and split like kept members."""
    manifest = read_manifest(model_dir)
    if members_from is not None:
        if not keep_members:
            raise ValueError("--members-from goes with --keep-members (the members are kept, not refitted)")
        manifest = _adopt_members(model_dir, manifest, Path(members_from), data_paths, folds)
    if manifest.get("ensemble") and not (replace or keep_members):
        raise ValueError(f"{model_dir} already has an ensemble (n-gram, skeleton, style members); --replace refits it")
    if keep_members:
        _check_kept_members(manifest, data_paths, folds)
    training = load_training_data(data_paths)
    fitted = _fit_members(model_dir, manifest, training, select_on, folds, novelty_sample, keep_members)
    held_out = fitted.scores["held_out"]
    spread = {m: max(float(np.std(held_out[m])), 1e-6) for m in BLENDED_MEMBERS}
    rows = _weight_grid(fitted, spread, weights, style_weights)
    best = max(rows, key=lambda r: r["mean"])
    weight, style_weight = best["ngram_weight"], best["style_weight"]
    member_auroc = {
        member: {name: auroc(fitted.labels[name], fitted.scores[name][member]) for name in fitted.scores}
        for member in held_out
    }
    platt = fit_platt(cast(Sequence[float], _blended(held_out, weight, style_weight)), fitted.labels["held_out"])
    if not keep_members:
        for name, model in fitted.lexical.items():
            model.save(model_dir, name)
        fitted.style.save(model_dir)
    fitted.novelty.save(model_dir)
    rule = (
        "log-odds = transformer + w * ngram + a * style, where w and a are shares of the transformer's spread "
        "(w = share * sd(transformer) / sd(ngram) on the held-out split, a likewise); the n-gram share from "
        f"{list(weights)} and the style share from {list(style_weights)} by the mean of the AUROCs on the held-out "
        f"split and on {select_name}"
    )
    ensemble = {
        "members": ["transformer", "ngram", "skeleton", "style"],
        "style_inputs": list(fitted.style.inputs),
        "stacking_folds": folds,
        "split": _split_record(manifest),
        "ngram_weight": weight,
        "style_weight": style_weight,
        "ngram_share": best["ngram_share"],
        "style_share": best["style_share"],
        "spread": spread,
        "rule": rule,
        "weight_grid": [{k: v if k.endswith(("weight", "share")) else round(v, 4) for k, v in r.items()} for r in rows],
        "member_auroc": {m: {n: round(v, 4) for n, v in row.items()} for m, row in member_auroc.items()},
        "selected_on": select_name,
        "data": dict(training.hashes),  # the members' training files (sha256)
        "provenance": {name: provenance(records) for name, records in training.files.items()},  # counts, origins
        "ngram_features": "char_wb 1-4 (2^18 hashed) + word 1-2 (2^17 hashed), sublinear TF-IDF",
        "skeleton_features": "word 1-4 (2^18 hashed) over the syntax skeleton, sublinear TF-IDF",
        "novelty": {"fitted_on": "training-split sample", "unit": f"{fitted.novelty.quantile:.0%} of held-out"},
        "style_features": f"{len(fitted.style.trees.roots)} gradient-boosted trees over word rarity, diversity, "
        "sentence-length burstiness, punctuation and compressibility of the canonicalised text, and the "
        f"log-odds of the {' and '.join(fitted.style.inputs)} members",
    }
    calibration = {**manifest.get("calibration", {}), "platt": platt.to_dict()}
    update_manifest(model_dir, {"calibration": calibration, **new_version(manifest), "ensemble": ensemble})
    refresh_checksums(model_dir)
    selected = [platt.probability(float(x)) for x in _blended(fitted.scores["select"], weight, style_weight)]
    return EnsembleReport(
        weight=weight,
        style_weight=style_weight,
        auroc_by_weights={
            _weights_key(r["ngram_share"], r["style_share"]): {k: r[k] for k in ("held_out", "select", "mean")}
            for r in rows
        },
        shares=(best["ngram_share"], best["style_share"]),
        spread=spread,
        member_auroc=member_auroc,
        selected_on=select_name,
        probabilities=selected,
    )


def train_settings(manifest: Mapping[str, Any]) -> TrainSettings:
    """The transformer's training settings, from its manifest: they decide the split the members are fitted on."""
    hp = manifest["hyperparameters"]
    return TrainSettings(**{k: v for k, v in hp.items() if k in TrainSettings.model_fields})


def _split_record(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What decides the members' training split: kept members are valid only under the same."""
    settings = train_settings(manifest)
    together = sorted(split_as_one(manifest))
    return {"valid_fraction": settings.valid_fraction, "split_seed": settings.split_seed, "together": together}


def _check_kept_members(manifest: Mapping[str, Any], data_paths: Sequence[Path], folds: int) -> None:
    """Kept members must have been fitted on these very files, split as the transformer splits them now: else
    texts they trained on could sit in the held-out split the weights are chosen on."""
    ensemble = manifest.get("ensemble") or {}
    if not ensemble:
        raise ValueError("--keep-members needs a model whose members are fitted already")
    data = {Path(p).name: file_sha256(p) for p in data_paths}
    if ensemble.get("data") != data:
        raise ValueError("--keep-members needs the files the members were fitted on (ensemble.data in the manifest)")
    if (
        ensemble.get("split", _split_record(manifest)) != _split_record(manifest)
        or ensemble.get("stacking_folds", folds) != folds
    ):
        raise ValueError("--keep-members: the members were fitted on another split; refit them with --replace")


def _adopt_members(
    model_dir: Path, manifest: dict[str, Any], source: Path, data_paths: Sequence[Path], folds: int
) -> dict[str, Any]:
    """Copy the n-gram, skeleton and style members of `source` into `model_dir`, after checking that they were
    fitted on `data_paths` split as this transformer splits them (else the weights would be chosen on texts the
    members trained on). The manifest returned carries `source`'s ensemble section until the new one is written."""
    adopted = {**manifest, "ensemble": read_manifest(source).get("ensemble") or {}}
    _check_kept_members(adopted, data_paths, folds)
    for name in [*STACKED, "style"]:
        for suffix in (".npz", ".json"):
            shutil.copyfile(source / f"{name}{suffix}", Path(model_dir) / f"{name}{suffix}")
    return adopted


def _fit_members(
    model_dir: Path,
    manifest: dict,
    training: TrainingData,
    select_on: Sequence[Record],
    folds: int,
    novelty_sample: int,
    keep_members: bool = False,
) -> _Members:
    """Fit the n-gram, skeleton and (stacked) style members on the transformer's own training split (or keep the
    fitted ones), and score the held-out split and the development file with every member."""
    settings = train_settings(manifest)
    # The files the transformer trained on keep its split; any other file (more data for the members) is split on
    # its own, so none of the transformer's training texts can land in the held-out set the weights are chosen on.
    train_recs, valid_recs = training.split(settings, split_as_one(manifest))
    if not valid_recs:
        raise ValueError("the model's manifest holds out no validation split (valid_fraction 0): nothing to weigh on")
    if keep_members:
        lexical = {name: NgramModel.load(model_dir, name) for name in STACKED}
        style = StyleModel.load(model_dir)
    else:
        train_texts = [r.text for r in train_recs]
        train_labels = [int(r.label or 0) for r in train_recs]
        train_weights = sample_weights(train_recs, settings.parsed_source_weights())
        matrices = {name: counts(cfg, train_texts) for name, cfg in STACKED.items()}  # hashed once, sliced per fold
        lexical = {
            name: NgramModel.fit_counts(matrices[name], train_labels, train_weights, cfg)
            for name, cfg in STACKED.items()
        }
        out_of_fold = _out_of_fold(matrices, train_recs, train_weights, folds, settings.split_seed)
        style = StyleModel.fit(train_texts, train_labels, train_weights, stacked=out_of_fold)
    detector = Detector.from_path(model_dir)

    def scores(recs: Sequence[Record]) -> dict[str, list[float]]:
        members = member_log_odds([r.text for r in recs], lexical, style)
        transformer = score_records(recs, detector.transformer_log_odds, progress=False)
        return {"transformer": transformer, **{name: [float(v) for v in x] for name, x in members.items()}}

    sets = {"held_out": valid_recs, "select": select_on}
    return _Members(
        lexical=lexical,
        style=style,
        novelty=_fit_novelty(detector, train_recs, valid_recs, novelty_sample, settings.split_seed),
        scores={name: scores(recs) for name, recs in sets.items()},
        labels={name: [int(r.label or 0) for r in recs] for name, recs in sets.items()},
    )


def _states(detector: Detector, recs: Sequence[Record], batch: int = 64) -> np.ndarray:
    parts = [detector.transformer_log_odds_and_states([r.text for r in recs[i : i + batch]])[1]
             for i in range(0, len(recs), batch)]  # fmt: skip
    return np.concatenate(parts) if parts else np.zeros((0, 0))


def _fit_novelty(
    detector: Detector, train_recs: Sequence[Record], valid_recs: Sequence[Record], sample: int, seed: int
) -> NoveltyModel:
    """The novelty check on a sample of the training split's texts (the transformer's representations cost one
    forward pass each); its unit is set on the held-out split, which no member trained on."""
    rng = random.Random(seed)
    chosen = rng.sample(list(train_recs), min(sample, len(train_recs)))
    reference = rng.sample(list(valid_recs), min(sample, len(valid_recs)))
    labels = np.asarray([int(r.label or 0) for r in chosen])
    return NoveltyModel.fit(_states(detector, chosen), labels, _states(detector, reference))


def _blended(parts: Mapping[str, Sequence[float]], w: float, a: float) -> list[float]:
    return [float(z) for z in blend(parts["transformer"], parts, w, a)]


def _weight_grid(
    fitted: _Members, spread: Mapping[str, float], weights: Sequence[float], style_weights: Sequence[float]
) -> list[dict[str, float]]:
    """One row per (n-gram share, style share): the shares, the weights they make, and the blend's AUROCs."""
    rows: list[dict[str, float]] = []
    for ngram_share in weights:
        for style_share in style_weights:
            w = round(ngram_share * spread["transformer"] / spread["ngram"], 4)
            a = round(style_share * spread["transformer"] / spread["style"], 4)
            row = {
                name: auroc(fitted.labels[name], cast(Sequence[float], _blended(parts, w, a)))
                for name, parts in fitted.scores.items()
            }
            rows.append({"ngram_share": ngram_share, "style_share": style_share, "ngram_weight": w,
                         "style_weight": a, **row, "mean": (row["held_out"] + row["select"]) / 2})  # fmt: skip
    return rows


def _out_of_fold(
    matrices: Mapping[str, sparse.csr_matrix],
    records: Sequence[Record],
    weights: Sequence[float],
    folds: int,
    seed: int,
) -> dict[str, list[float]]:
    """Each stacked member's log-odds of every training text, from a fit on the other folds' texts (`matrices`: each
    member's counts of `records`, row for row)."""
    fold = np.asarray(group_folds(records, folds, seed))
    labels = np.asarray([int(r.label or 0) for r in records])
    weight = np.asarray(weights, dtype=np.float64)
    out = {name: np.zeros(len(records)) for name in STACKED}
    for k in range(folds):
        fit_rows, score_rows = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        if not len(fit_rows) or not len(score_rows):
            continue  # fewer groups than folds: the empty fold has nothing to score
        for name, config in STACKED.items():
            model = NgramModel.fit_counts(matrices[name][fit_rows], labels[fit_rows], weight[fit_rows], config)
            out[name][score_rows] = model.log_odds_of_counts(matrices[name][score_rows])
    return {name: scores.tolist() for name, scores in out.items()}
