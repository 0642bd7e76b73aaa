"""Typos mended before the English members read a text (`mend_typos`, called by `canonical.english_reading`).

Why: typos are the cheapest disguise left once invisible characters and lookalike letters are undone
(`model/canonical.py`). One in 30% of the longer words cut the share of AI texts called AI from 48% to 27%, and
DetectRL's character attacks in ood_dev scored AUROC 0.930 against 0.970 for their plain versions
(`benchmarks/disguises.py`; docs/BENCHMARKS.md, "Disguised text"). Every member reads a misspelt word as a rare one,
and rare words read as human.

How: a word of four or more ASCII letters, all lower case or capitalised, that general English does not know
(`wordfreq` Zipf 0, `model/rarity.py`), becomes the most frequent word one edit away (a letter dropped, added,
changed, or two swapped: Norvig's corrector), if that word is common (Zipf >= `MEND_MIN_ZIPF`). Known words,
acronyms, words with capitals inside, names that English knows, numbers and other scripts stay as written.

People make typos too, so mending also hides a human signal: the model card's false-positive rates (human_stress,
learner essays included) are measured with it. Not a general spelling checker: written here because it needs only
the word list the style member already reads (`wordfreq`), and the spelling libraries on PyPI bring lists of
their own.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from .rarity import zipf

MEND_MIN_LETTERS = 4  # shorter words have too many neighbours one edit away to guess the intended one
MEND_MIN_ZIPF = 3.0  # the mended word must be common: about once in a million words of English or more often
_WORD = re.compile(rf"\b[A-Za-z]{{{MEND_MIN_LETTERS},}}\b")  # whole words only: not inside "Müller" or "abc123"


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Every letters-only word that may be common enough to mend to, read once (0.3 s) from wordfreq's table: a set
    lookup per neighbour instead of a `zipf()` call, 20 times faster. A little wider than `MEND_MIN_ZIPF` (0.01, for
    rounding), so the choice below, which checks `zipf()` itself, is the same as over every neighbour."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (MEND_MIN_ZIPF - 0.01 - 9)  # Zipf = log10(frequency per word) + 9
    return frozenset(w for w, f in get_frequency_dict("en").items() if f >= floor and w.isascii() and w.isalpha())


@lru_cache(maxsize=200_000)
def mended_word(word: str) -> str | None:
    """The common word a lower-case unknown `word` most likely misspells, or None (known, or no common neighbour)."""
    if zipf(word) > 0:
        return None
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    neighbours = (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in string.ascii_lowercase}
        | {a + c + b for a, b in splits for c in string.ascii_lowercase}
    ) & _common_words()
    if not neighbours:
        return None
    best = max(sorted(neighbours), key=zipf)  # sorted: the same choice between equally common words every run
    return best if zipf(best) >= MEND_MIN_ZIPF else None


def _mend(match: re.Match[str]) -> str:
    word = match.group(0)
    if not (word.islower() or word[1:].islower()):  # acronyms and inner capitals ("NASA", "iPhone") stay
        return word
    mended = mended_word(word.lower())
    if mended is None:
        return word
    return mended.capitalize() if word[0].isupper() else mended


def load_word_list() -> None:
    """Read the word list now (0.3 s), e.g. while a server warms up, so the first request with an unknown word
    does not pay for it."""
    _common_words()


def mend_typos(text: str) -> str:
    """The text with each likely typo in an English word mended (see the module's docstring)."""
    return _WORD.sub(_mend, text)
