"""Syntax skeleton of a text: frequent words kept, every other word replaced by its rarity class.

Why: the n-gram member reads the words themselves, so much of what it learns is topic. The skeleton keeps how
sentences are built (function words, punctuation, where capitals, numbers and rare words fall) and drops most of
what they are about: "The Manchus' continued dominance was ensured by an army" reads
"Cthe CZ2 A Z4 Z3 was Z3 by an army". Word n-grams over the skeleton, with the same TF-IDF + logistic regression as
the n-gram member (`NgramConfig(view="skeleton")`), transferred better to ood_dev than the word-and-character
n-grams when it was added (each member's figures: `ensemble.member_auroc` in the manifest), and the two disagree
enough that the style trees read both (`model/ensemble.py`). Word rarity comes from `wordfreq`, as in the style member.
"""

from __future__ import annotations

import re

from .canonical import canonical
from .rarity import zipf

FREQUENT_ZIPF = 5.0  # kept as words: the 1,100 commonest English words in wordfreq (the, was, by, army, ...)
_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[^\sA-Za-z\d]")
_QUOTES = {'"': "Q", "'": "A"}  # quote marks as letters, so the word analyzer keeps them as tokens


def skeleton(text: str) -> str:
    """Space-separated skeleton tokens: frequent words lower-cased, others `Z<zipf class>`, numbers `D`; a leading
    `C` marks a capitalised word; punctuation stays."""
    out = []
    for token in _TOKEN.findall(canonical(text)):
        if token[0].isdigit():
            out.append("D")
        elif not token[0].isalpha():
            out.append(_QUOTES.get(token, token))
        else:
            lower = token.lower()
            frequency = zipf(lower)
            cap = "C" if token[0].isupper() else ""
            out.append(cap + lower if frequency >= FREQUENT_ZIPF else f"{cap}Z{int(frequency)}")
    return " ".join(out)
