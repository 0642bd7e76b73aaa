"""Cutting a tokenised text into model-sized windows and folding window scores back into one document score.

Why windows: the classifier sees at most `size` tokens at once; instead of silently truncating a long text (the
original design cut at 512 tokens), every token is scored in some window and the document score is the
length-weighted mean of the window logits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .config import DetectSettings


@dataclass(frozen=True)
class Window:
    """Token ids of one window (without special tokens) and where it starts in the text's token list."""

    start: int
    ids: list[int]


def make_windows(ids: Sequence[int], size: int, stride: int, max_windows: int, stretch: int = 0) -> list[Window]:
    """Windows of at most `size` tokens every `stride` tokens; the last window is aligned to the end of the text.

    A text of at most `size + stretch` tokens gives one window: a text just over the window size would otherwise be
    read twice, in two windows that overlap almost entirely. At most `max_windows` windows are made; the caller
    reports the tokens they cover (`tokens_used`) so a cut is never silent.
    """
    if size <= 0 or stride <= 0 or max_windows <= 0 or stretch < 0:
        raise ValueError("size, stride and max_windows must be positive, stretch not negative")
    n = len(ids)
    if n <= size + stretch:
        return [Window(0, list(ids))]
    starts = list(range(0, n - size + 1, stride))
    if starts[-1] + size < n:
        starts.append(n - size)
    starts = starts[:max_windows]
    return [Window(s, list(ids[s : s + size])) for s in starts]


@dataclass(frozen=True)
class WindowPlan:
    """How documents are cut into windows for scoring. One plan for the Detector and for training's validation and
    calibration, so a model is chosen and calibrated on the scores it will give in service."""

    content_tokens: int  # tokens of text per window (the window size less the special tokens)
    stride: int
    max_windows: int
    stretch: int

    @classmethod
    def for_model(
        cls,
        window_tokens: int,
        special_count: int,
        max_positions: int,
        stride_fraction: float,
        window_slack: float,
        max_windows: int,
    ) -> WindowPlan:
        content = window_tokens - special_count
        return cls(
            content_tokens=content,
            stride=max(1, int(content * stride_fraction)),
            max_windows=max_windows,
            stretch=stretch_tokens(content, window_tokens, window_slack, max_positions),
        )

    def windows(self, ids: Sequence[int]) -> list[Window]:
        return make_windows(ids, self.content_tokens, self.stride, self.max_windows, self.stretch)


def scoring_plan(window_tokens: int, special_count: int, max_pos: int, rules: DetectSettings) -> WindowPlan:
    """The windows a model's texts are scored in, from the inference rules: used by the Detector and by training's
    validation and calibration alike."""
    return WindowPlan.for_model(
        window_tokens, special_count, max_pos, rules.stride_fraction, rules.window_slack, rules.max_windows
    )


def stretch_tokens(content_tokens: int, window_tokens: int, slack: float, max_positions: int) -> int:
    """How many tokens a single window may run over `content_tokens`: a share `slack` of it, but never past the
    positions the model has embeddings for (`max_positions`, special tokens included)."""
    return max(0, min(int(content_tokens * slack), max_positions - window_tokens))


def tokens_covered(windows: Sequence[Window]) -> int:
    """How many distinct tokens of the text the windows cover."""
    covered = 0
    end = 0
    for w in windows:
        w_end = w.start + len(w.ids)
        covered += max(0, w_end - max(end, w.start))
        end = max(end, w_end)
    return covered


def aggregate_logits(logits: Sequence[float], lengths: Sequence[int]) -> float:
    """Length-weighted mean of window logits (log-odds of AI); a short tail window counts for less."""
    if not logits or len(logits) != len(lengths):
        raise ValueError("need one length per logit, and at least one")
    total = sum(lengths)
    if total <= 0:
        return sum(logits) / len(logits)
    return sum(lg * n for lg, n in zip(logits, lengths, strict=True)) / total


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def logit(p: float, eps: float = 1e-6) -> float:
    p = min(max(p, eps), 1 - eps)
    return math.log(p / (1 - p))
