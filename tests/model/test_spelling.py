"""Typos mended for the English members: a likely typo becomes the common word one edit away; known words, names
English knows, acronyms and words of other scripts stay as written."""

from aidetector.model.canonical import canonical, english_reading, plain_typography
from aidetector.model.spelling import mend_typos, mended_word


def test_each_kind_of_typo_is_mended_with_its_case_kept():
    # a letter swapped, dropped, doubled, added, changed
    assert mend_typos("Thiys place is friedly, the food is alwyas fresh.") == (
        "This place is friendly, the food is always fresh."
    )
    assert mend_typos("Fortunateyl the staff were coimng back.") == "Fortunately the staff were coming back."


def test_known_words_short_words_acronyms_and_words_with_other_letters_stay():
    text = "Teh NASA iPhone team met Müller and Kowalczyk at abc123 on Brexit day; xylophones ring."
    assert mend_typos(text) == text


def test_an_unknown_word_with_no_common_neighbour_stays():
    assert mended_word("qzxvbnm") is None
    assert mended_word("house") is None  # known: nothing to mend


def test_the_english_reading_is_plain_typography_then_mending():
    text = "\u201cThiys\u201d is th\u0435 plac\u0435"
    assert plain_typography(text) == '"Thiys" is the place'
    assert english_reading(text) == '"This" is the place'
    assert canonical(text + "\n\n  end") == '"This" is the place end'
