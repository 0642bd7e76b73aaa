"""Model soups: one model whose weights are the average of several fine-tuned runs of the same base checkpoint.

Why: runs of one base with other seeds or schedules land in one basin, and their weight average scores better
than each of them (Wortsman et al. 2022, "Model soups"), at the inference cost of a single model, which an
ensemble of scores would multiply. The greedy recipe keeps it honest: members are ranked by validation AUROC and
each is kept only if the soup's validation AUROC does not drop. Validation is the held-out groups of the training
files, so every member must have been trained on the same files with the same split.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from model import precision
from model.artifact import git_commit, read_manifest, save_artifact, utc_version
from model.config import TrainSettings
from model.data import split_by_group
from model.forward import special_token_count
from model.metrics import auroc
from model.train import calibrate_on_validation, document_logits, load_base, load_training_records, tokenize

# What must match between members for one validation split to be held out from all of them.
SAME_SPLIT = ("valid_fraction", "split_seed")


@dataclass
class SoupReport:
    member_auroc: dict[str, float]
    chosen: list[str]
    soup_auroc: float


def average(state_dicts: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The element-wise mean of the members' weights, in float32."""
    keys = state_dicts[0].keys()
    for sd in state_dicts[1:]:
        if sd.keys() != keys or any(sd[k].shape != state_dicts[0][k].shape for k in keys):
            raise ValueError("soup members must share one architecture (same weight names and shapes)")
    return {k: sum(sd[k].float() for sd in state_dicts) / len(state_dicts) for k in keys}  # type: ignore[misc]


def _check_members(manifests: Sequence[dict[str, Any]], names: Sequence[str], data_hashes: dict[str, str]) -> None:
    first = manifests[0]
    for name, m in zip(names, manifests, strict=True):
        if m.get("training_data") != data_hashes:
            raise ValueError(f"{name} was trained on other files than --data: its validation split would leak")
        for key in SAME_SPLIT:
            if m["hyperparameters"].get(key) != first["hyperparameters"].get(key):
                raise ValueError(f"{name} has another validation split ({key}); soups need one split for all")
        if m.get("window_tokens") != first.get("window_tokens"):
            raise ValueError(f"{name} reads windows of another size than {names[0]}")


def greedy_soup(members: Sequence[Path], data_paths: Sequence[Path], output_dir: Path) -> SoupReport:
    """Rank members by validation AUROC, add each to the soup if the soup's AUROC does not drop; save the soup."""
    if len(members) < 2:
        raise ValueError("a soup needs at least two models")
    names = [str(m) for m in members]
    manifests = [read_manifest(Path(m)) for m in members]
    records, data_hashes = load_training_records(data_paths)
    _check_members(manifests, names, data_hashes)
    first = manifests[0]
    settings = TrainSettings(**{k: v for k, v in first["hyperparameters"].items() if k in TrainSettings.model_fields})
    _, valid = split_by_group(records, settings.valid_fraction, settings.split_seed)
    if len({int(r.label or 0) for r in valid}) < 2:
        raise ValueError("the validation split needs human and AI texts")
    labels = [int(r.label or 0) for r in valid]

    started = time.monotonic()
    model, tokenizer = load_base(str(members[0]))
    device = torch.device(settings.resolved_device())
    model.to(device).eval()
    dtype = precision.resolve(settings.precision, device.type)
    content_len = int(first["window_tokens"]) - special_token_count(tokenizer)
    ids = tokenize(tokenizer, [r.text for r in valid])

    def score(weights: dict[str, torch.Tensor]) -> float:
        model.load_state_dict(weights)
        return auroc(labels, document_logits(model, tokenizer, ids, content_len, dtype))

    weights = {name: load_file(str(Path(m) / "model.safetensors")) for name, m in zip(names, members, strict=True)}
    member_auroc = {name: score({k: v.float() for k, v in weights[name].items()}) for name in names}
    ranked = sorted(names, key=lambda n: -member_auroc[n])
    chosen, best = [ranked[0]], member_auroc[ranked[0]]
    history = [{"step": 0, "member": ranked[0], "valid_auroc": best, "kept": True}]
    for step, name in enumerate(ranked[1:], start=1):
        trial = score(average([weights[n] for n in [*chosen, name]]))
        history.append({"step": step, "member": name, "valid_auroc": trial, "kept": trial >= best})
        if trial >= best:
            chosen, best = [*chosen, name], trial
    model.load_state_dict(average([weights[n] for n in chosen]))
    leader = manifests[names.index(ranked[0])]  # the soup is described by its best member's recipe

    manifest, metrics = calibrate_on_validation(model, tokenizer, ids, labels, content_len, settings)
    manifest.update(
        {
            key: leader[key]
            for key in ("base_model", "architecture", "window_tokens", "training_data", "training_records")
        }
    )
    manifest.update(
        {
            "version": utc_version(),
            "git_commit": git_commit(),
            "hyperparameters": leader["hyperparameters"],
            "label_meaning": leader["label_meaning"],
            "soup": {
                "rule": "greedy soup: members ranked by validation AUROC, each kept if the soup's does not drop",
                "members": [
                    {
                        "path": n,
                        "version": m.get("version"),
                        "valid_auroc": member_auroc[n],
                        "soup_of": m.get("soup", {}).get("chosen"),
                    }
                    for n, m in zip(names, manifests, strict=True)
                ],
                "chosen": chosen,
                "valid_auroc": best,
            },
            "train_seconds": round(time.monotonic() - started, 1),
        }
    )
    metrics["history"] = history  # the greedy steps: which member was tried, the soup's AUROC with it, kept or not
    model = model.cpu()
    if settings.fp16:
        model = model.half()
    save_artifact(Path(output_dir), model, tokenizer, manifest, metrics)
    return SoupReport(member_auroc, chosen, best)
