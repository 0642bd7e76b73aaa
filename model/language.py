"""Which language a text is in, so text the model was never evaluated on is called 'inconclusive', not guessed.

py3langid (a maintained fork of langid.py) ships its model inside the wheel: no download, ~1 ms per text.
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


def identify(text: str) -> LanguageGuess:
    code, confidence = _identifier().classify(text)
    return LanguageGuess(str(code), float(confidence))


def is_unsupported(guess: LanguageGuess, supported: set[str]) -> bool:
    """True only when the identifier is confident that the text is in a language outside `supported`."""
    return guess.code not in supported and guess.confidence >= MIN_CONFIDENCE
