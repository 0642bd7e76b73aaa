"""Splitting a text into sentences with character offsets, for per-sentence scores and highlights.

A small regex splitter, on purpose: the well-kept alternatives (nltk punkt, spaCy) need model downloads at run
time, which our deployments cannot make, and highlights only need good-enough boundaries with exact offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A boundary: sentence-final punctuation (optionally closed by quotes/brackets) then whitespace, or a blank line;
# Chinese and Japanese full stops end a sentence with no space after them.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|(?<=[。！？])[」』”’）)]*\s*|\n\s*\n")
_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "etc.", "fig.", "no.", "u.s.")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentences with `text[start:end] == span.text`; whitespace between them is not part of any sentence."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        piece_end = match.start()
        candidate = text[start:piece_end]
        if candidate.lower().rstrip().endswith(_ABBREVIATIONS) and "\n" not in match.group(0):
            continue
        _append(spans, text, start, match.end())
        start = match.end()
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    spans.append(Span(stripped, s, s + len(stripped)))
