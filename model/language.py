"""Which language a text is in, so text the model was never evaluated on is called 'inconclusive', not guessed.

py3langid (a maintained fork of langid.py) ships its model inside the wheel: no download. Its cost grows with the
text (about 0.45 ms per 1,000 characters here), so a long text is identified from a sample of its beginning, middle
and end: a few hundred characters settle the language, and a mixed text is sampled where it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Below this confidence the identifier is unsure (code, lists, very noisy text): we do not refuse such texts.
MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def sample(text: str, max_chars: int) -> str:
    """The whole text if short, else three slices of max_chars / 3 from its start, middle and end."""
    if len(text) <= max_chars:
        return text
    third = max_chars // 3
    middle = (len(text) - third) // 2
    return " ".join((text[:third], text[middle : middle + third], text[-third:]))


def identify(text: str, max_chars: int | None = None) -> LanguageGuess:
    code, confidence = _identifier().classify(text if max_chars is None else sample(text, max_chars))
    return LanguageGuess(str(code), float(confidence))


def is_unsupported(guess: LanguageGuess, supported: set[str]) -> bool:
    """True only when the identifier is confident that the text is in a language outside `supported`."""
    return guess.code not in supported and guess.confidence >= MIN_CONFIDENCE
