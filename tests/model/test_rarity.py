"""How rare a word is in general English (Zipf frequency from wordfreq), cached."""

from __future__ import annotations

from aidetector.model.rarity import zipf


def test_common_words_rank_above_rare_ones_and_unknown_words_are_zero():
    assert zipf("the") > 7 > zipf("army") > 4 > zipf("ocelot") > 0
    assert zipf("zxqvbnplorfk") == 0.0
    assert isinstance(zipf("the"), float)


def test_answers_are_cached():
    zipf.cache_clear()
    zipf("harbour")
    zipf("harbour")
    info = zipf.cache_info()
    assert (info.hits, info.misses) == (1, 1) and info.maxsize == 200_000
