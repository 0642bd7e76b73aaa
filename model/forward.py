"""Batched forward passes of a sequence classifier over lists of token-id windows.

One place turns token ids into padded tensors with the tokenizer's own special tokens, so training-time
validation, evaluation and serving all score windows the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from .canonical import english_reading
from .precision import autocast


def token_ids(tokenizer: Any, texts: Sequence[str], batch: int = 512) -> list[list[int]]:
    """Token ids of each text (no special tokens, nothing truncated), in the English reading (`model/canonical.py`):
    one function, so training and the Detector cannot read a text differently."""
    out: list[list[int]] = []
    for i in range(0, len(texts), batch):
        plain = [english_reading(t) for t in texts[i : i + batch]]
        enc = tokenizer(plain, add_special_tokens=False, truncation=False, verbose=False)
        out.extend(list(ids) for ids in enc["input_ids"])
    return out


@lru_cache(maxsize=8)  # called for every batch; the answer never changes for a tokenizer
def special_tokens(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a single text ([CLS]/[SEP] for BERT, <s>/</s> for RoBERTa)."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(plain) + 1):
        if full[start : start + len(plain)] == plain:
            return list(full[:start]), list(full[start + len(plain) :])
    return [], []


def special_token_count(tokenizer: Any) -> int:
    """How many of a window's positions the special tokens take (2 for BERT and RoBERTa)."""
    return sum(len(part) for part in special_tokens(tokenizer))


def max_positions(model: Any) -> int:
    """How many positions (special tokens included) the model can read at once; 512 at most."""
    return min(int(getattr(model.config, "max_position_embeddings", 512)), 512)


def encode_batch(tokenizer: Any, windows: Sequence[Sequence[int]], width: int = 0) -> dict[str, torch.Tensor]:
    """Add special tokens, pad to `width` (at least the longest window), build the attention mask."""
    prefix, suffix = special_tokens(tokenizer)
    seqs = [prefix + list(w) + suffix for w in windows]
    width = max(width, *(len(s) for s in seqs))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def ai_logits(logits: torch.Tensor) -> torch.Tensor:
    """Log-odds of the AI class from a two-class head (label 1 = AI)."""
    return logits[:, 1] - logits[:, 0]


def padded_width(length: int, multiple: int) -> int:
    """The width a window of `length` tokens (special tokens included) is padded to: a function of its own length
    only, so a window meets the same kernels whatever it is batched with (bfloat16 attention sums in blocks that
    depend on the padded width; with a fixed width a text's score never depends on its batch-mates)."""
    return -(-length // multiple) * multiple


@torch.inference_mode()
def score_windows(
    model: Any,
    tokenizer: Any,
    windows: Sequence[Sequence[int]],
    batch_size: int,
    dtype: torch.dtype = torch.float32,
    pad_multiple: int = 8,
    embeddings: np.ndarray | None = None,
) -> np.ndarray:
    """AI log-odds for each window, in input order; with `embeddings` (windows x hidden size), each window's final
    [CLS] state is written into it as well (the same forward pass, for the novelty check).

    Windows are sorted by length and batched within one padded width, so batches pad little and every window is
    computed at the width its own length gives. `dtype` bfloat16 runs the forward pass under autocast.
    """
    out = np.zeros(len(windows), dtype=np.float64)
    if not windows:
        return out
    extra = special_token_count(tokenizer)
    width = {i: padded_width(len(w) + extra, pad_multiple) for i, w in enumerate(windows)}
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and width[batches[-1][0]] == width[i]:
            batches[-1].append(i)
        else:
            batches.append([i])
    device = next(model.parameters()).device
    with autocast(dtype, device.type):
        for idx in batches:
            batch = encode_batch(tokenizer, [windows[i] for i in idx], width[idx[0]])
            batch = {k: v.to(device) for k, v in batch.items()}
            answer = model(**batch, output_hidden_states=embeddings is not None)
            out[idx] = ai_logits(answer.logits.float()).cpu().numpy()
            if embeddings is not None:
                embeddings[idx] = answer.hidden_states[-1][:, 0].float().cpu().numpy()
    return out


def hidden_size(model: Any) -> int:
    return int(model.config.hidden_size)


def document_log_odds(
    model: Any,
    tokenizer: Any,
    windows_per_doc: Sequence[Sequence[Sequence[int]]],
    batch_size: int,
    dtype: torch.dtype = torch.float32,
    pad_multiple: int = 8,
    embeddings: np.ndarray | None = None,
) -> list[float]:
    """One log-odds per document: all windows scored together, then their length-weighted mean per document.
    With `embeddings` (documents x hidden size), each document's length-weighted mean [CLS] state is written too."""
    from .windows import aggregate_logits

    flat = [w for doc in windows_per_doc for w in doc]
    window_states = np.zeros((len(flat), embeddings.shape[1])) if embeddings is not None else None
    scores = score_windows(model, tokenizer, flat, batch_size, dtype, pad_multiple, window_states).tolist()
    out, pos = [], 0
    for d, doc in enumerate(windows_per_doc):
        lengths = [len(w) for w in doc]
        out.append(aggregate_logits(scores[pos : pos + len(doc)], lengths))
        if embeddings is not None and window_states is not None:
            weights = np.asarray(lengths, dtype=np.float64)
            embeddings[d] = weights @ window_states[pos : pos + len(doc)] / max(weights.sum(), 1.0)
        pos += len(doc)
    return out
