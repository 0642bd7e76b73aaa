"""What a request costs the model, in work tokens: the unit of the per-request cap, of fair sharing between keys
and of admission control.

A text's work is the tokens of the windows the transformer reads (special tokens and overlaps included) plus a
fixed share for what every text costs besides (the n-gram and style members, calibration); per-sentence scores
score every sentence as a text of its own, so they add the text's tokens again and a fixed share per sentence.
The shares are rough measures on the shipped model, not exact: the scheduler learns the model's speed in these
units as it runs (`scheduler.MicroBatcher.rate`).
"""

from __future__ import annotations

from collections.abc import Sequence

from aidetector.model.detector import Detector
from aidetector.model.forward import special_token_count, token_ids
from aidetector.model.sentences import split_sentences
from aidetector.serving.codec import RequestError

TEXT_OVERHEAD = 128  # work tokens every text costs besides its windows
SENTENCE_OVERHEAD = 128  # work tokens each sentence costs when per-sentence scores are asked for


def work_tokens(detector: Detector, texts: Sequence[str], sentences: bool, limit: float) -> list[int]:
    """The work of each text; raises 413 `too_much_work` as soon as the request's sum passes `limit`
    (tokenising stops there, so an oversized request costs little to refuse)."""
    # A bound from below first, with no tokenising: a text has at least one token per whitespace-separated word
    # (the tokenizer splits on whitespace and never merges across it), so an over-cap request of long texts or
    # many sentences is refused for the price of a split.
    plan = detector.plan
    most_tokens = plan.max_windows * plan.content_tokens  # the windows read no more than this of a text
    floor = 0
    for text in texts:  # stops at the first text that passes the cap: a hostile batch costs one text's split
        words = len(text.split())
        floor += min(words, most_tokens) + TEXT_OVERHEAD
        if sentences and floor + words <= limit:
            floor += words + SENTENCE_OVERHEAD * len(split_sentences(text))
        elif sentences:
            floor += words
        if floor > limit:
            raise _too_much(limit, floor, len(texts))
    specials = special_token_count(detector.artifact.tokenizer)
    costs: list[int] = []
    total = 0
    for text in texts:
        ids = token_ids(detector.artifact.tokenizer, [text])[0]
        windows = detector.plan.windows(ids)
        cost = sum(len(w.ids) + specials for w in windows) + TEXT_OVERHEAD
        if sentences:
            cost += len(ids) + SENTENCE_OVERHEAD * len(split_sentences(text))
        costs.append(cost)
        total += cost
        if total > limit:
            raise _too_much(limit, total, len(texts))
    return costs


def _too_much(limit: float, needed: int, texts: int) -> RequestError:
    return RequestError(
        413,
        "too_much_work",
        f"this request of {texts} texts needs more than {limit:.0f} work tokens of the model (the cap per request; "
        f"counted so far: {needed}): send fewer or shorter texts per request, or sentence scores on shorter texts",
    )
