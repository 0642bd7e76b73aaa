"""Mixed authorship: which contiguous parts of a document read as AI and which as human.

A document is cut into blocks (its paragraphs; long ones split at sentence ends, short ones joined to their
neighbour), each block is scored like a document of its own (calibrated P(AI)), and a two-state Viterbi pass
(human / AI) over the blocks' log-odds, centred on the decision threshold, joins them into contiguous segments:
a change of author costs `switch_penalty` log-odds, so one odd paragraph does not split a document.

Each segment's P(AI) is the word-weighted mean of its blocks' log-odds (a document of one segment keeps the
document's own P(AI)), and its label follows the same rule as a document's (`calibration.verdict`). From the
segments of at least `min_words` words, the document's class probabilities assume the parts' scores err together
(comonotone): P(every part AI) = min P(AI), P(every part human) = 1 - max P(AI), P(mixed) = the rest. The
document is `mixed` when P(mixed) reaches `mixed_threshold` and at least one such segment is labelled `ai` and
another `human` - each side clears the bar a whole document would have to clear, so a human text is never
called partly AI on weaker evidence than it would be called AI.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .calibration import verdict
from .sentences import Span, split_sentences
from .windows import logit, sigmoid

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NEWLINE = re.compile(r"\n\s*")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class SegmentRules:
    """How blocks are cut and joined, and when a document is called mixed (from `DetectSettings`)."""

    threshold: float
    inconclusive_margin: float
    high_margin: float
    block_min_words: int = 60
    block_max_words: int = 400
    switch_penalty: float = 1.0
    min_words: int = 30
    mixed_threshold: float = 0.5


@dataclass
class Segment:
    start: int
    end: int
    label: str  # "ai" | "human" | "inconclusive", by the same rule as a document
    probability_ai: float
    words: int


@dataclass(frozen=True)
class Mixture:
    segments: list[Segment]
    class_probabilities: dict[str, float]  # "ai", "human", "mixed"; they sum to 1
    mixed: bool
    confidence: str  # of the mixed verdict: "high" when both sides clear the high-confidence margin


def words(text: str) -> int:
    return len(WORD.findall(text))


def _pieces(text: str, pattern: re.Pattern[str]) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in pattern.finditer(text):
        _add(spans, text, start, match.start())
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        s = start + lead
        spans.append(Span(piece.strip(), s, s + len(piece.strip())))


def _split_long(text: str, para: Span, max_words: int) -> list[Span]:
    n = words(para.text)
    parts = math.ceil(n / max_words)
    if parts <= 1:
        return [para]
    target = n / parts
    sentences = split_sentences(para.text)
    out: list[Span] = []
    begin, count = None, 0
    for s in sentences:
        if begin is None:
            begin = s.start
        count += words(s.text)
        if count >= target and len(out) < parts - 1:
            out.append(_span(text, para.start + begin, para.start + s.end))
            begin, count = None, 0
    if begin is not None:
        out.append(_span(text, para.start + begin, para.end))
    return out


def _span(text: str, start: int, end: int) -> Span:
    return Span(text[start:end], start, end)


def blocks(text: str, min_words: int = 60, max_words: int = 400) -> list[Span]:
    """The document's blocks, in order, with exact offsets: paragraphs (blank lines; single newlines when it has
    none), those over `max_words` split at sentence ends into near-equal parts, those under `min_words` joined to
    the next block (the last to the one before)."""
    paragraphs = _pieces(text, _BLANK_LINE)
    if len(paragraphs) <= 1:
        paragraphs = _pieces(text, _NEWLINE)
    pieces = [part for para in paragraphs for part in _split_long(text, para, max_words)]
    joined: list[Span] = []
    pending: Span | None = None
    for piece in pieces:
        current = piece if pending is None else _span(text, pending.start, piece.end)
        if words(current.text) < min_words:
            pending = current
            continue
        joined.append(current)
        pending = None
    if pending is not None:
        if joined:
            joined[-1] = _span(text, joined[-1].start, pending.end)
        else:
            joined.append(pending)
    return joined


def viterbi(scores: Sequence[float], switch_penalty: float) -> list[int]:
    """The best human (0) / AI (1) state per block: a block's score is its log-odds minus the threshold's, counted
    for AI and against human by half each; each change of state costs `switch_penalty`."""
    if not scores:
        return []
    best = [-scores[0] / 2, scores[0] / 2]
    back: list[list[int]] = []
    for z in scores[1:]:
        step, new = [], []
        for state, gain in ((0, -z / 2), (1, z / 2)):
            stay, switch = best[state], best[1 - state] - switch_penalty
            step.append(state if stay >= switch else 1 - state)
            new.append(max(stay, switch) + gain)
        back.append(step)
        best = new
    state = int(best[1] > best[0])
    path = [state]
    for step in reversed(back):
        state = step[state]
        path.append(state)
    return path[::-1]


def _label(p: float, rules: SegmentRules) -> str:
    return verdict(p, rules.threshold, rules.inconclusive_margin, rules.high_margin).label


def mixture(
    text: str,
    spans: Sequence[Span],
    block_probabilities: Sequence[float],
    document_probability: float,
    rules: SegmentRules,
) -> Mixture:
    """Segments and class probabilities of one document from its blocks' calibrated P(AI)."""
    if len(spans) <= 1:
        start = spans[0].start if spans else 0
        end = spans[0].end if spans else len(text)
        p = document_probability
        only = Segment(start, end, _label(p, rules), round(p, 6), words(text))
        return Mixture([only], _classes([p]), False, "low")
    centre = logit(rules.threshold)
    logits = [logit(min(max(p, 1e-6), 1 - 1e-6)) for p in block_probabilities]
    path = viterbi([z - centre for z in logits], rules.switch_penalty)
    runs: list[list[int]] = []
    for i, state in enumerate(path):
        if runs and path[runs[-1][0]] == state:
            runs[-1].append(i)
        else:
            runs.append([i])
    segments: list[Segment] = []
    for run in runs:
        counts = [max(1, words(spans[i].text)) for i in run]
        if len(runs) == 1:
            p = document_probability
        else:
            p = sigmoid(sum(c * logits[i] for c, i in zip(counts, run, strict=True)) / sum(counts))
        segments.append(Segment(spans[run[0]].start, spans[run[-1]].end, _label(p, rules), round(p, 6), sum(counts)))
    substantial = [s for s in segments if s.words >= rules.min_words]
    classes = _classes([s.probability_ai for s in substantial] or [document_probability])
    ai = [s for s in substantial if s.label == "ai"]
    human = [s for s in substantial if s.label == "human"]
    mixed = bool(ai and human) and classes["mixed"] >= rules.mixed_threshold
    confidence = "low"
    if mixed:
        strongest_ai = max(s.probability_ai for s in ai)
        strongest_human = min(s.probability_ai for s in human)
        both_high = all(
            verdict(p, rules.threshold, rules.inconclusive_margin, rules.high_margin).confidence == "high"
            for p in (strongest_ai, strongest_human)
        )
        confidence = "high" if both_high else "medium"
    return Mixture(segments, classes, mixed, confidence)


def _classes(probabilities: Sequence[float]) -> dict[str, float]:
    low, high = min(probabilities), max(probabilities)
    return {"ai": round(low, 6), "human": round(1 - high, 6), "mixed": round(high - low, 6)}


def mixtures(
    texts: Sequence[str],
    document_probabilities: Sequence[float],
    score: Callable[[list[str]], list[float]],
    rules: SegmentRules,
) -> list[Mixture]:
    """Mixtures of many documents; the blocks of every document that has more than one are scored in one call."""
    cut = [blocks(t, rules.block_min_words, rules.block_max_words) for t in texts]
    flat = [s.text for spans in cut if len(spans) > 1 for s in spans]
    probs = score(flat) if flat else []
    out, pos = [], 0
    for text, spans, p_doc in zip(texts, cut, document_probabilities, strict=True):
        if len(spans) > 1:
            mine, pos = probs[pos : pos + len(spans)], pos + len(spans)
        else:
            mine = []
        out.append(mixture(text, spans, mine, p_doc, rules))
    return out


# Labels a mixture may replace: a verdict, or a score too close to the threshold (a mixed text often lands there).
# Abstentions for other reasons (too short, unsupported language, ...) stand.
MIXABLE_REASONS = (None, "near_threshold")


def apply_mixture(detection: Any, mix: Mixture) -> None:
    """Give a `Detection` its segments and class probabilities, and the label `mixed` when the mixture says so."""
    detection.segments = mix.segments
    detection.class_probabilities = mix.class_probabilities
    if mix.mixed and detection.label in ("ai", "human", "inconclusive") and detection.reason in MIXABLE_REASONS:
        detection.label, detection.confidence, detection.reason = "mixed", mix.confidence, None
