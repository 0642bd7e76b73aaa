"""Fine-tuning a Hugging Face sequence classifier to tell human (0) from AI (1) text.

Design choices, each for generalisation or for a 2-core CPU:
- each step sees a random window of each text (full-size, or with `short_crop_fraction` a short one), the same
  kind of window the detector scores at inference, so long texts are never truncated to their opening;
- class-balanced, per-source weighted loss (train data is 29% human; an AI-only source can be weighted down);
- validation split by `group` (paired texts never straddle it), AUROC-based early stopping, best step kept;
- Platt scaling and a threshold at a stated false-positive rate, fitted on the held-out groups;
- a checkpoint every `eval_every` steps in `work_dir`, so a killed run resumes where it stopped;
- optionally an exponential moving average of the weights (`ema_decay`), validated and saved instead of the last step;
- the same loop on a GPU when one is visible (`device`, bfloat16 autocast there), e.g. on a SageMaker GPU instance.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from model import precision
from model.artifact import git_commit, save_artifact, utc_version
from model.calibration import fit_platt, threshold_for_fpr
from model.config import DetectSettings, TrainSettings
from model.data import LABEL_AI, LABEL_HUMAN, Record, file_sha256, load_jsonl, split_by_group
from model.forward import ai_logits, document_log_odds, encode_batch, max_positions, special_token_count, token_ids
from model.metrics import auroc
from model.windows import make_windows, stretch_tokens

log = logging.getLogger(__name__)
MIN_CROP = 16


@dataclass
class Example:
    ids: list[int]
    label: int
    weight: float


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_training_records(paths: Sequence[Path]) -> tuple[list[Record], dict[str, str]]:
    """All files are validated before any work starts; returns records and each file's sha256."""
    records: list[Record] = []
    hashes: dict[str, str] = {}
    for path in paths:
        records.extend(load_jsonl(path))
        hashes[Path(path).name] = file_sha256(path)
    labels = {r.label for r in records}
    if labels != {LABEL_HUMAN, LABEL_AI}:
        raise ValueError("training data needs both human (0) and AI (1) texts")
    return records, hashes


def sample_weights(records: Sequence[Record], source_weights: dict[str, float]) -> list[float]:
    """Class-balanced weights (each class sums to half) times a per-source factor."""
    n = len(records)
    counts = {lbl: sum(1 for r in records if r.label == lbl) for lbl in (LABEL_HUMAN, LABEL_AI)}
    out = []
    for r in records:
        w = n / (2.0 * counts[int(r.label or 0)])
        out.append(w * source_weights.get(r.get("source"), 1.0))
    return out


def only_sources(records: Sequence[Record], sources: frozenset[str]) -> list[Record]:
    """The records of those sources (all when empty). Applied after the split, so a specialised fine-tune holds
    out the same groups as the runs on the full files and can be souped or interpolated with them."""
    if not sources:
        return list(records)
    kept = [r for r in records if r.get("source") in sources]
    if {r.label for r in kept} != {LABEL_HUMAN, LABEL_AI}:
        raise ValueError(f"train_sources={','.join(sorted(sources))} leaves no human and AI texts to train on")
    return kept


def random_crop(ids: list[int], content_len: int, short_fraction: float, rng: random.Random) -> list[int]:
    """A random window of the text; with probability `short_fraction` a short one (teaches sentence scoring)."""
    length = content_len
    if rng.random() < short_fraction and content_len // 2 > MIN_CROP:
        length = rng.randint(MIN_CROP, content_len // 2)
    if len(ids) <= length:
        return ids
    start = rng.randint(0, len(ids) - length)
    return ids[start : start + length]


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """Character noise (swap, drop, replace) in about `rate` of the words, on human and AI text alike.

    Why: typo attacks and careless human writing should not move the score; seeing both classes with noise
    teaches the model not to use spelling as the cue.
    """
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 3 or rng.random() >= rate:
            continue
        j = rng.randrange(len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind == 1:
            word = word[:j] + word[j + 1 :]
        else:
            word = word[:j] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[j + 1 :]
        words[i] = word
    return " ".join(words)


def _weight_average(model: Any, decay: float) -> Any:
    """An exponential moving average of the weights (torch's AveragedModel), or None when `decay` is 0.

    Why: validation AUROC swings by +-0.02 between passes a few hundred steps apart (scripts/gpu_candidates.sh); the
    average of the recent weights sits in the middle of those swings instead of wherever the last step landed.
    """
    if not decay:
        return None
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))
    ema.module.eval()
    return ema


def load_base(base_model: str, tokenizer_source: str | None = None) -> tuple[Any, Any]:
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    config = AutoConfig.from_pretrained(
        base_model, num_labels=2, id2label={0: "human", 1: "ai"}, label2id={"human": 0, "ai": 1}
    )
    # Attention dropout off: on CPU it forces SDPA onto the slow math path (~1.6x slower steps).
    if hasattr(config, "attention_probs_dropout_prob"):
        config.attention_probs_dropout_prob = 0.0
    model = AutoModelForSequenceClassification.from_pretrained(base_model, config=config, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source or base_model)
    return model, tokenizer


def document_logits(
    model: Any, tokenizer: Any, ids_list: Sequence[list[int]], content_len: int, dtype: torch.dtype = torch.float32
) -> list[float]:
    """Windowed document log-odds, as the detector computes them (its default stride and slack)."""
    rules = DetectSettings()
    specials = special_token_count(tokenizer)
    stride = max(1, int(content_len * rules.stride_fraction))
    stretch = stretch_tokens(content_len, content_len + specials, rules.window_slack, max_positions(model))
    windows = [[w.ids for w in make_windows(ids, content_len, stride, 64, stretch)] for ids in ids_list]
    return document_log_odds(model, tokenizer, windows, 32, dtype)


def train(
    data_paths: Sequence[Path],
    output_dir: Path,
    settings: TrainSettings,
    work_dir: Path | None = None,
    progress: bool = True,
    card_writer: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None,
) -> Path:
    """Train, calibrate and write the artifact to `output_dir`; returns its path."""
    records, data_hashes = load_training_records(data_paths)
    # split (own seed) and source filter before the base loads, so a filter that leaves one class fails at once
    train_recs, valid_recs = split_by_group(records, settings.valid_fraction, settings.split_seed)
    train_recs = only_sources(train_recs, settings.parsed_train_sources())
    set_seed(settings.seed)
    if settings.num_threads:
        torch.set_num_threads(settings.num_threads)
    base = settings.resolved_base_model()
    model, tokenizer = load_base(base)
    device = torch.device(settings.resolved_device())
    model.to(device)
    dtype = precision.resolve(settings.precision, device.type)
    content_len = settings.max_length - special_token_count(tokenizer)

    weights = sample_weights(train_recs, settings.parsed_source_weights())
    train_ids = token_ids(tokenizer, [r.text for r in train_recs])
    examples = [Example(ids, int(r.label or 0), w) for ids, r, w in zip(train_ids, train_recs, weights, strict=True)]
    valid_ids = token_ids(tokenizer, [r.text for r in valid_recs]) if valid_recs else []
    valid_labels = [int(r.label or 0) for r in valid_recs]

    if settings.freeze_embeddings:
        base_model = getattr(model, model.base_model_prefix, model)
        base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=settings.weight_decay)
    steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
    total_steps = max(1, math.ceil(settings.epochs * steps_per_epoch))
    if settings.max_steps:
        total_steps = min(total_steps, settings.max_steps)
    warmup = int(settings.warmup_fraction * total_steps)

    def lr_lambda(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    ema = _weight_average(model, settings.ema_decay)
    state: dict[str, Any] = {"step": 0, "best_auroc": -1.0, "bad_evals": 0, "history": []}
    best_state: dict[str, torch.Tensor] | None = None
    ckpt = Path(work_dir) / "checkpoint.pt" if work_dir else None
    if ckpt is not None and ckpt.is_file():
        saved = torch.load(ckpt, weights_only=False, map_location=device)
        if _resumable(saved.get("settings", {}), settings):
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            state = saved["state"]
            best_state = saved.get("best_model")
            if ema is not None and saved.get("ema") is not None:
                ema.load_state_dict(saved["ema"])
            log.info("resumed from %s at step %d", ckpt, state["step"])
        else:
            log.warning("ignoring checkpoint %s: it was made with other settings", ckpt)

    rng = random.Random(settings.seed * 1_000_003 + int(state["step"]))
    order_rng = random.Random(settings.seed)
    epoch_orders: list[list[int]] = []

    def batch_indices(step: int) -> list[int]:
        epoch, pos = divmod(step * settings.batch_size, len(examples))
        while len(epoch_orders) <= epoch + 1:
            order = list(range(len(examples)))
            order_rng.shuffle(order)
            epoch_orders.append(order)
        flat = epoch_orders[epoch][pos:] + epoch_orders[epoch + 1]
        return flat[: settings.batch_size]

    model.train()
    bar = tqdm(total=total_steps, initial=int(state["step"]), disable=not progress, desc="train", unit="step")
    started = time.monotonic()
    stopped_early = False
    while state["step"] < total_steps:
        idx = batch_indices(int(state["step"]))
        crops = [random_crop(examples[i].ids, content_len, settings.short_crop_fraction, rng) for i in idx]
        for k, crop in enumerate(crops):
            if rng.random() < settings.noise_fraction:
                noisy = add_typos(tokenizer.decode(crop), settings.typo_rate, rng)
                crops[k] = tokenizer(noisy, add_special_tokens=False)["input_ids"][:content_len]
        batch = {k: v.to(device) for k, v in encode_batch(tokenizer, crops).items()}
        labels = torch.tensor([examples[i].label for i in idx], dtype=torch.float32, device=device)
        w = torch.tensor([examples[i].weight for i in idx], dtype=torch.float32, device=device)
        with precision.autocast(dtype, device.type):
            z = ai_logits(model(**batch).logits).float()
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, labels, reduction="none") * w).sum() / w.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        if ema is not None:
            ema.update_parameters(model)
        state["step"] = int(state["step"]) + 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.4f}")
        step = int(state["step"])
        if valid_ids and (step % settings.eval_every == 0 or step == total_steps):
            scored = ema.module if ema is not None else model  # with weight averaging, the average is what ships
            scored.eval()
            val_auc = auroc(valid_labels, document_logits(scored, tokenizer, valid_ids, content_len, dtype))
            model.train()
            state["history"].append({"step": step, "valid_auroc": val_auc, "loss": loss.item()})
            log.info("step %d valid AUROC %.4f", step, val_auc)
            bar.write(f"step {step}: valid AUROC {val_auc:.4f}", file=sys.stderr)  # stdout carries results only
            if val_auc > float(state["best_auroc"]):
                state["best_auroc"], state["bad_evals"] = val_auc, 0
                best_state = copy.deepcopy(scored.state_dict())
            else:
                state["bad_evals"] = int(state["bad_evals"]) + 1
            if ckpt is not None:
                _save_checkpoint(ckpt, model, optimizer, scheduler, state, best_state, settings, ema)
            if int(state["bad_evals"]) >= settings.patience:
                stopped_early = True
                break
            if settings.max_minutes and time.monotonic() - started > 60 * settings.max_minutes:
                stopped_early = True  # time budget spent (e.g. a fixed GPU lease); the best step so far is kept
                log.warning("stopping at step %d: max_minutes=%s reached", step, settings.max_minutes)
                break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    elif ema is not None:
        model = ema.module
    model.eval()

    manifest, metrics = calibrate_on_validation(model, tokenizer, valid_ids, valid_labels, content_len, settings)
    manifest.update(
        {
            "version": utc_version(),
            "base_model": settings.base_model if settings.base_model.startswith("packaged:") else base,
            "architecture": type(model).__name__,
            "window_tokens": settings.max_length,
            "training_data": data_hashes,
            "training_records": len(records),
            "git_commit": git_commit(),
            "hyperparameters": settings.model_dump(),
            "label_meaning": {"0": "human", "1": "ai"},
            "steps": int(state["step"]),
            "stopped_early": stopped_early,
            "train_seconds": round(time.monotonic() - started, 1),
        }
    )
    metrics["history"] = state["history"]
    model = model.cpu()
    if settings.fp16:
        model = model.half()
    out = save_artifact(Path(output_dir), model, tokenizer, manifest, metrics, card_writer)
    if ckpt is not None and ckpt.exists():
        ckpt.unlink()
    return out


def calibrate_on_validation(
    model: Any,
    tokenizer: Any,
    valid_ids: Sequence[list[int]],
    valid_labels: Sequence[int],
    content_len: int,
    settings: TrainSettings,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Platt scaling and a threshold at `target_fpr` on the held-out groups."""
    if not valid_ids or len(set(valid_labels)) < 2:
        return (
            {"calibration": {"platt": {"a": 1.0, "b": 0.0}, "threshold": 0.5, "threshold_rule": "default 0.5"}},
            {},
        )
    dtype = precision.resolve(settings.precision, next(model.parameters()).device.type)
    logits = document_logits(model, tokenizer, valid_ids, content_len, dtype)
    platt = fit_platt(logits, valid_labels)
    probs = [platt.probability(z) for z in logits]
    human = [p for p, y in zip(probs, valid_labels, strict=True) if y == LABEL_HUMAN]
    threshold = threshold_for_fpr(human, settings.target_fpr)
    calibration = {
        "platt": platt.to_dict(),
        "threshold": threshold,
        "threshold_rule": f"{settings.target_fpr:.1%} false-positive rate on held-out human texts of training groups",
    }
    return {"calibration": calibration}, {"valid": {"n": len(valid_ids), "auroc": auroc(valid_labels, logits)}}


# Settings that may change between a run and its restart (e.g. a longer cap); all others must match.
RESTART_MAY_CHANGE = frozenset({"max_steps", "patience", "num_threads", "device", "max_minutes"})


def _resumable(saved: dict[str, Any], settings: TrainSettings) -> bool:
    now = settings.model_dump()
    return all(saved.get(k) == v for k, v in now.items() if k not in RESTART_MAY_CHANGE)


def _save_checkpoint(
    path: Path,
    model: Any,
    optimizer: Any,
    scheduler: Any,
    state: dict[str, Any],
    best_state: dict[str, torch.Tensor] | None,
    settings: TrainSettings,
    ema: Any = None,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "state": state,
            "best_model": best_state,
            "ema": ema.state_dict() if ema is not None else None,
            "settings": settings.model_dump(),
        },
        tmp,
    )
    os.replace(tmp, path)


def dump_settings(settings: TrainSettings) -> str:
    return json.dumps(settings.model_dump(), indent=2, sort_keys=True)
