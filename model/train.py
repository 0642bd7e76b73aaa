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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from . import precision
from .artifact import git_commit, save_artifact, utc_version
from .calibration import fit_platt, threshold_for_fpr
from .config import DetectSettings, TrainSettings, comma_items
from .data import LABEL_AI, LABEL_HUMAN, Record, file_sha256, load_jsonl, split_held_out
from .forward import ai_logits, document_log_odds, encode_batch, max_positions, special_token_count, token_ids
from .metrics import auroc
from .windows import scoring_plan

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


@dataclass(frozen=True)
class TrainingData:
    """Every training file's records (validated before any work starts) and each file's sha256."""

    files: dict[str, list[Record]]
    hashes: dict[str, str]

    @property
    def records(self) -> list[Record]:
        return [r for recs in self.files.values() for r in recs]

    def split(self, settings: TrainSettings, together: Collection[str] = ()) -> tuple[list[Record], list[Record]]:
        """(train, held-out) by group; `together` (default: the setting `split_together`) names the files split as
        one set, as the model being continued split them, so adding a file never moves their held-out groups."""
        together = together or settings.parsed_split_together()
        return split_held_out(self.files, settings.valid_fraction, settings.split_seed, together)


def split_as_one(manifest: Mapping[str, Any]) -> frozenset[str]:
    """The training files a saved run split into train/held-out as one set: its `split_together`, or all its files.
    Read from the manifest itself (not through TrainSettings), so no environment setting can change it."""
    together = frozenset(comma_items(manifest["hyperparameters"].get("split_together", "")))
    return together or frozenset(manifest.get("training_data", {}))


def load_training_data(paths: Sequence[Path]) -> TrainingData:
    """All files are validated before any work starts; both classes must be present."""
    files: dict[str, list[Record]] = {}
    hashes: dict[str, str] = {}
    for path in paths:
        files[Path(path).name] = load_jsonl(path)
        hashes[Path(path).name] = file_sha256(path)
    labels = {r.label for recs in files.values() for r in recs}
    if labels != {LABEL_HUMAN, LABEL_AI}:
        raise ValueError("training data needs both human (0) and AI (1) texts")
    return TrainingData(files, hashes)


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
    """Windowed document log-odds, as the Detector computes them: the same window plan and batch size (its
    `DetectSettings`), so validation chooses and calibration fits on the scores served."""
    rules = DetectSettings()
    plan = scoring_plan(
        content_len + special_token_count(tokenizer), special_token_count(tokenizer), max_positions(model), rules
    )
    windows = [[w.ids for w in plan.windows(ids)] for ids in ids_list]
    return document_log_odds(model, tokenizer, windows, rules.batch_size, dtype, rules.pad_multiple)


@dataclass
class TrainState:
    """Where a run is: saved in every checkpoint, so a killed run resumes at the same step with the same best."""

    step: int = 0
    best_auroc: float = -1.0
    bad_evals: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


@dataclass
class _Data:
    examples: list[Example]
    valid_ids: list[list[int]]
    valid_labels: list[int]
    records: int
    hashes: dict[str, str]


def _prepare_data(
    data_paths: Sequence[Path], settings: TrainSettings, load_model: Callable[[], Any]
) -> tuple[_Data, Any, Any]:
    """Records split by group (its own seed) and filtered by source before the base loads, so a filter that leaves
    one class fails at once; then the base model and the tokenised examples."""
    training = load_training_data(data_paths)
    records, data_hashes = training.records, training.hashes
    train_recs, valid_recs = training.split(settings)
    train_recs = only_sources(train_recs, settings.parsed_train_sources())
    model, tokenizer = load_model()
    weights = sample_weights(train_recs, settings.parsed_source_weights())
    train_ids = token_ids(tokenizer, [r.text for r in train_recs])
    examples = [Example(ids, int(r.label or 0), w) for ids, r, w in zip(train_ids, train_recs, weights, strict=True)]
    valid_ids = token_ids(tokenizer, [r.text for r in valid_recs]) if valid_recs else []
    data = _Data(examples, valid_ids, [int(r.label or 0) for r in valid_recs], len(records), data_hashes)
    return data, model, tokenizer


class _Run:
    """One training run's moving parts: model, optimizer, schedule, weight average, the data order and checkpoints."""

    def __init__(self, model: Any, tokenizer: Any, data: _Data, settings: TrainSettings, work_dir: Path | None):
        from transformers import get_scheduler

        self.model, self.tokenizer, self.data, self.settings = model, tokenizer, data, settings
        self.device = next(model.parameters()).device
        self.dtype = precision.resolve(settings.precision, self.device.type)
        self.content_len = settings.max_length - special_token_count(tokenizer)
        if settings.freeze_embeddings:
            base_model = getattr(model, model.base_model_prefix, model)
            base_model.embeddings.word_embeddings.weight.requires_grad_(False)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.params, lr=settings.learning_rate, weight_decay=settings.weight_decay)
        steps_per_epoch = math.ceil(len(data.examples) / settings.batch_size)
        self.total_steps = max(1, math.ceil(settings.epochs * steps_per_epoch))
        if settings.max_steps:
            self.total_steps = min(self.total_steps, settings.max_steps)
        self.scheduler = get_scheduler(
            "linear",
            self.optimizer,
            num_warmup_steps=int(settings.warmup_fraction * self.total_steps),
            num_training_steps=self.total_steps,
        )
        self.ema = _weight_average(model, settings.ema_decay)
        self.state = TrainState()
        self.best_weights: dict[str, torch.Tensor] | None = None
        self.checkpoint = Path(work_dir) / "checkpoint.pt" if work_dir else None
        self._resume()
        self.rng = random.Random(settings.seed * 1_000_003 + self.state.step)
        self.order_rng = random.Random(settings.seed)
        self.epoch_orders: list[list[int]] = []

    def _resume(self) -> None:
        if self.checkpoint is None or not self.checkpoint.is_file():
            return
        saved = torch.load(self.checkpoint, weights_only=False, map_location=self.device)
        if not _resumable(saved.get("settings", {}), self.settings):
            log.warning("ignoring checkpoint %s: it was made with other settings", self.checkpoint)
            return
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        self.scheduler.load_state_dict(saved["scheduler"])
        self.state = TrainState(**saved["state"])
        self.best_weights = saved.get("best_model")
        if self.ema is not None and saved.get("ema") is not None:
            self.ema.load_state_dict(saved["ema"])
        log.info("resumed from %s at step %d", self.checkpoint, self.state.step)

    def _batch_indices(self, step: int) -> list[int]:
        size, n = self.settings.batch_size, len(self.data.examples)
        epoch, pos = divmod(step * size, n)
        while len(self.epoch_orders) <= epoch + 1:
            order = list(range(n))
            self.order_rng.shuffle(order)
            self.epoch_orders.append(order)
        return (self.epoch_orders[epoch][pos:] + self.epoch_orders[epoch + 1])[:size]

    def step(self) -> float:
        """One optimiser step on random crops (some with typo noise) of the next batch; returns the loss."""
        settings, examples, rng = self.settings, self.data.examples, self.rng
        idx = self._batch_indices(self.state.step)
        crops = [random_crop(examples[i].ids, self.content_len, settings.short_crop_fraction, rng) for i in idx]
        for k, crop in enumerate(crops):
            if rng.random() < settings.noise_fraction:
                noisy = add_typos(self.tokenizer.decode(crop), settings.typo_rate, rng)
                crops[k] = self.tokenizer(noisy, add_special_tokens=False)["input_ids"][: self.content_len]
        batch = {k: v.to(self.device) for k, v in encode_batch(self.tokenizer, crops).items()}
        labels = torch.tensor([examples[i].label for i in idx], dtype=torch.float32, device=self.device)
        w = torch.tensor([examples[i].weight for i in idx], dtype=torch.float32, device=self.device)
        with precision.autocast(self.dtype, self.device.type):
            z = ai_logits(self.model(**batch).logits).float()
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, labels, reduction="none") * w).sum() / w.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        if self.ema is not None:
            self.ema.update_parameters(self.model)
        self.state.step += 1
        return float(loss.item())

    def validate(self, loss: float) -> float:
        """AUROC of the held-out groups; keeps the best weights and counts passes without a gain."""
        scored = self.ema.module if self.ema is not None else self.model  # with an average, the average ships
        scored.eval()
        val_auc = auroc(
            self.data.valid_labels,
            document_logits(scored, self.tokenizer, self.data.valid_ids, self.content_len, self.dtype),
        )
        self.model.train()
        self.state.history.append({"step": self.state.step, "valid_auroc": val_auc, "loss": loss})
        if val_auc > self.state.best_auroc:
            self.state.best_auroc, self.state.bad_evals = val_auc, 0
            self.best_weights = copy.deepcopy(scored.state_dict())
        else:
            self.state.bad_evals += 1
        if self.checkpoint is not None:
            _save_checkpoint(self.checkpoint, self)
        return val_auc

    def best_model(self) -> Any:
        """The best validated weights (or the average, or the last step when nothing was validated), in eval mode."""
        model = self.model
        if self.best_weights is not None:
            model.load_state_dict(self.best_weights)
        elif self.ema is not None:
            model = self.ema.module
        model.eval()
        return model


def train(
    data_paths: Sequence[Path],
    output_dir: Path,
    settings: TrainSettings,
    work_dir: Path | None = None,
    progress: bool = True,
    card_writer: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None,
) -> Path:
    """Train, calibrate and write the artifact to `output_dir`; returns its path."""
    base = settings.resolved_base_model()
    set_seed(settings.seed)
    if settings.num_threads:
        torch.set_num_threads(settings.num_threads)
    data, model, tokenizer = _prepare_data(data_paths, settings, lambda: load_base(base))
    model.to(torch.device(settings.resolved_device()))
    run = _Run(model, tokenizer, data, settings, work_dir)
    started, stopped_early = time.monotonic(), False
    model.train()
    bar = tqdm(total=run.total_steps, initial=run.state.step, disable=not progress, desc="train", unit="step")
    while run.state.step < run.total_steps:
        loss = run.step()
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.4f}")
        step = run.state.step
        if not data.valid_ids or (step % settings.eval_every and step != run.total_steps):
            continue
        val_auc = run.validate(loss)
        log.info("step %d valid AUROC %.4f", step, val_auc)
        bar.write(f"step {step}: valid AUROC {val_auc:.4f}", file=sys.stderr)  # stdout carries results only
        if run.state.bad_evals >= settings.patience:
            stopped_early = True
            break
        if settings.max_minutes and time.monotonic() - started > 60 * settings.max_minutes:
            stopped_early = True  # time budget spent (e.g. a fixed GPU lease); the best step so far is kept
            log.warning("stopping at step %d: max_minutes=%s reached", step, settings.max_minutes)
            break
    bar.close()
    model = run.best_model()
    manifest, metrics = calibrate_on_validation(
        model, tokenizer, data.valid_ids, data.valid_labels, run.content_len, settings
    )
    manifest.update(
        {
            "version": utc_version(),
            "base_model": settings.base_model if settings.base_model.startswith("packaged:") else base,
            "architecture": type(model).__name__,
            "window_tokens": settings.max_length,
            "training_data": data.hashes,
            "training_records": data.records,
            "git_commit": git_commit(known=settings.source_commit),
            "hyperparameters": settings.model_dump(),
            "label_meaning": {"0": "human", "1": "ai"},
            "steps": run.state.step,
            "stopped_early": stopped_early,
            "train_seconds": round(time.monotonic() - started, 1),
        }
    )
    metrics["history"] = run.state.history
    model = model.cpu()
    if settings.fp16:
        model = model.half()
    out = save_artifact(Path(output_dir), model, tokenizer, manifest, metrics, card_writer)
    if run.checkpoint is not None and run.checkpoint.exists():
        run.checkpoint.unlink()
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


def _save_checkpoint(path: Path, run: _Run) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "state": asdict(run.state),
            "best_model": run.best_weights,
            "ema": run.ema.state_dict() if run.ema is not None else None,
            "settings": run.settings.model_dump(),
        },
        tmp,
    )
    os.replace(tmp, path)


def dump_settings(settings: TrainSettings) -> str:
    return json.dumps(settings.model_dump(), indent=2, sort_keys=True)
