"""How rare a word is in general English (Zipf frequency from the `wordfreq` package: Apache-2.0 code, data under
CC BY-SA 4.0, installed as a dependency). Read by the style member's rarity statistics and the skeleton's classes."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-cased word in general English (0 = unknown); cached, words repeat a lot."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
