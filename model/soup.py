"""Model soups: one model whose weights are the average of several fine-tuned runs of the same base checkpoint.

Why: runs of one base with other seeds or schedules land in one basin, and their weight average scores better
than each of them (Wortsman et al. 2022, "Model soups"), at the inference cost of a single model, which an
ensemble of scores would multiply. The greedy recipe keeps it honest: members are ranked by validation AUROC and
each is kept only if the soup's validation AUROC does not drop. Validation is the held-out groups of the training
files, so every member must have been trained on the same files with the same split.
`interpolate` is the two-member case with a chosen share (WiSE-FT), for a run fine-tuned from the soup itself.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from . import precision
from .artifact import git_commit, read_manifest, save_artifact, utc_version
from .config import TrainSettings
from .forward import special_token_count, token_ids
from .metrics import auroc
from .train import calibrate_on_validation, document_logits, load_base, load_training_data, split_as_one

# What must match between members for one validation split to be held out from all of them.
SAME_SPLIT = ("valid_fraction", "split_seed")


@dataclass
class SoupReport:
    member_auroc: dict[str, float]
    chosen: list[str]
    soup_auroc: float


def average(
    state_dicts: Sequence[dict[str, torch.Tensor]], shares: Sequence[float] | None = None
) -> dict[str, torch.Tensor]:
    """The element-wise mean of the members' weights in float32 (weighted by `shares`, which sum to 1, if given)."""
    keys = state_dicts[0].keys()
    for sd in state_dicts[1:]:
        if sd.keys() != keys or any(sd[k].shape != state_dicts[0][k].shape for k in keys):
            raise ValueError("soup members must share one architecture (same weight names and shapes)")
    shares = shares or [1 / len(state_dicts)] * len(state_dicts)
    return {k: sum(w * sd[k].float() for w, sd in zip(shares, state_dicts, strict=True)) for k in keys}  # type: ignore[misc]


def _check_members(manifests: Sequence[dict[str, Any]], names: Sequence[str], data_hashes: dict[str, str]) -> None:
    """Every member trained on some of the --data files (the same bytes) and split the same files as one set with
    the same seed and share: then each member's held-out groups are held out in the validation split too. A model
    continued on more files (each split on its own) can so be souped or interpolated with the model it started from."""
    first = manifests[0]
    for name, m in zip(names, manifests, strict=True):
        if any(data_hashes.get(file) != digest for file, digest in m.get("training_data", {}).items()):
            raise ValueError(f"{name} was trained on other files than --data: its validation split would leak")
        for key in SAME_SPLIT:
            if m["hyperparameters"].get(key) != first["hyperparameters"].get(key):
                raise ValueError(f"{name} has another validation split ({key}); soups need one split for all")
        if split_as_one(m) != split_as_one(first):
            raise ValueError(f"{name} split other files as one set (split_together); soups need one split for all")
        if m.get("window_tokens") != first.get("window_tokens"):
            raise ValueError(f"{name} reads windows of another size than {names[0]}")


class _Validation:
    """The held-out groups of the training files, scored with any weights of the members' architecture."""

    def __init__(self, members: Sequence[Path], data_paths: Sequence[Path]):
        self.names = [str(m) for m in members]
        self.manifests = [read_manifest(Path(m)) for m in members]
        training = load_training_data(data_paths)
        _check_members(self.manifests, self.names, training.hashes)
        first = self.manifests[0]
        self.settings = TrainSettings(
            **{k: v for k, v in first["hyperparameters"].items() if k in TrainSettings.model_fields}
        )
        self.together = split_as_one(first)
        _, valid = training.split(self.settings, self.together)
        self.widest = max(self.manifests, key=lambda m: len(m.get("training_data", {})))
        if len({int(r.label or 0) for r in valid}) < 2:
            raise ValueError("the validation split needs human and AI texts")
        self.labels = [int(r.label or 0) for r in valid]
        self.started = time.monotonic()
        self.model, self.tokenizer = load_base(str(members[0]))
        device = torch.device(self.settings.resolved_device())
        self.model.to(device).eval()
        self.dtype = precision.resolve(self.settings.precision, device.type)
        self.content_len = int(first["window_tokens"]) - special_token_count(self.tokenizer)
        self.ids = token_ids(self.tokenizer, [r.text for r in valid])
        self.weights = {
            n: load_file(str(Path(m) / "model.safetensors")) for n, m in zip(self.names, members, strict=True)
        }

    def score(self, weights: dict[str, torch.Tensor]) -> float:
        self.model.load_state_dict({k: v.float() for k, v in weights.items()})
        return auroc(self.labels, document_logits(self.model, self.tokenizer, self.ids, self.content_len, self.dtype))

    def save(
        self,
        weights: dict[str, torch.Tensor],
        leader: dict[str, Any],
        described: dict[str, Any],
        history: list[dict[str, Any]],
        output_dir: Path,
    ) -> None:
        """Calibrate the blended weights on validation and save them as an artifact described like `leader`."""
        model = self.model
        model.load_state_dict(weights)
        manifest, metrics = calibrate_on_validation(
            model, self.tokenizer, self.ids, self.labels, self.content_len, self.settings
        )
        keys = ("base_model", "architecture", "window_tokens")
        manifest.update({key: leader[key] for key in keys})
        # The weights have seen every member's files: the member trained on most of them names them, and the
        # files split as one set are written out, so a later refit (ensemble) holds out the same groups.
        hyperparameters = dict(leader["hyperparameters"])
        if set(self.widest["training_data"]) != self.together:
            hyperparameters["split_together"] = ",".join(sorted(self.together))
        manifest.update(
            {
                "training_data": self.widest["training_data"],
                "training_records": self.widest["training_records"],
                "version": utc_version(),
                "git_commit": git_commit(),
                "hyperparameters": hyperparameters,
                "label_meaning": leader["label_meaning"],
                **described,
                "train_seconds": round(time.monotonic() - self.started, 1),
            }
        )
        metrics["history"] = history
        model = model.cpu()
        if self.settings.fp16:
            model = model.half()
        save_artifact(Path(output_dir), model, self.tokenizer, manifest, metrics)


def _member(path: str, manifest: dict[str, Any], valid_auroc: float) -> dict[str, Any]:
    return {
        "path": path,
        "version": manifest.get("version"),
        "valid_auroc": valid_auroc,
        "soup_of": manifest.get("soup", {}).get("chosen"),
    }


def greedy_soup(members: Sequence[Path], data_paths: Sequence[Path], output_dir: Path) -> SoupReport:
    """Rank members by validation AUROC, add each to the soup if the soup's AUROC does not drop; save the soup."""
    if len(members) < 2:
        raise ValueError("a soup needs at least two models")
    val = _Validation(members, data_paths)
    names, weights = val.names, val.weights
    member_auroc = {name: val.score(weights[name]) for name in names}
    ranked = sorted(names, key=lambda n: -member_auroc[n])
    chosen, best = [ranked[0]], member_auroc[ranked[0]]
    history = [{"step": 0, "member": ranked[0], "valid_auroc": best, "kept": True}]
    for step, name in enumerate(ranked[1:], start=1):
        trial = val.score(average([weights[n] for n in [*chosen, name]]))
        history.append({"step": step, "member": name, "valid_auroc": trial, "kept": trial >= best})
        if trial >= best:
            chosen, best = [*chosen, name], trial
    soup = {
        "rule": "greedy soup: members ranked by validation AUROC, each kept if the soup's does not drop",
        "members": [_member(n, m, member_auroc[n]) for n, m in zip(names, val.manifests, strict=True)],
        "chosen": chosen,
        "valid_auroc": best,
    }
    leader = val.manifests[names.index(ranked[0])]  # the soup is described by its best member's recipe
    val.save(average([weights[n] for n in chosen]), leader, {"soup": soup}, history, output_dir)
    return SoupReport(member_auroc, chosen, best)


@dataclass
class InterpolationReport:
    alpha: float
    valid_auroc: dict[str, float]  # of the model, the fine-tuned model and their interpolation


def interpolate(
    model_dir: Path, fine_tuned: Path, alpha: float, data_paths: Sequence[Path], output_dir: Path
) -> InterpolationReport:
    """Save (1 - alpha) * model + alpha * fine_tuned: WiSE-FT (Wortsman et al. 2022, "Robust fine-tuning of
    zero-shot models"). Why: a run continued from the model on one weak source gains there and forgets elsewhere;
    part of the way along that line keeps most of both, at one model's cost. `fine_tuned` must start from
    `model_dir` (same basin; two runs from the base do not interpolate) and hold out the same validation groups."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1")
    val = _Validation([model_dir, fine_tuned], data_paths)
    base, tuned = (val.weights[n] for n in val.names)
    mixed = average([base, tuned], [1 - alpha, alpha])
    scores = {"model": val.score(base), "fine_tuned": val.score(tuned), "interpolated": val.score(mixed)}
    leader, tuned_manifest = val.manifests
    described = {
        "interpolation": {
            "rule": "WiSE-FT: (1 - alpha) * model + alpha * fine_tuned, weights element-wise",
            "alpha": alpha,
            "model": _member(val.names[0], leader, scores["model"]),
            "fine_tuned": {
                **_member(val.names[1], tuned_manifest, scores["fine_tuned"]),
                "hyperparameters": tuned_manifest["hyperparameters"],
                "steps": tuned_manifest.get("steps"),
            },
            "valid_auroc": scores["interpolated"],
        }
    }
    if "soup" in leader:
        described["soup"] = leader["soup"]
    points = {0.0: scores["model"], alpha: scores["interpolated"], 1.0: scores["fine_tuned"]}
    history = [{"alpha": a, "valid_auroc": v} for a, v in points.items()]
    val.save(mixed, leader, described, history, output_dir)
    return InterpolationReport(alpha, scores)
