"""Plain typography: quotes, dashes and disguised letters change one for one, invisible characters go, nothing else
changes."""

from aidetector.model.canonical import (
    canonical,
    drop_invisible,
    fold_lookalikes,
    plain_typography,
    undone_disguises,
)


def test_quotes_and_dashes_become_ascii_one_for_one():
    text = "\u201cIt\u2019s \u2018fine\u2019\u201d \u2014 she said \u2013 \u201eja\u201c \u2212 2\u2032"
    plain = plain_typography(text)
    assert plain == "\"It's 'fine'\" - she said - \"ja\" - 2'"
    assert len(plain) == len(text)


def test_everything_else_is_left_alone():
    text = "Caf\u00e9 \u00ab guillemets \u00bb, \u2026 and \u4e2d\u6587 stay; so do 'ASCII' \"quotes\" - and dashes."
    assert plain_typography(text) == text
    assert plain_typography(plain_typography(text)) == text


def test_canonical_drops_layout_and_typography():
    assert canonical("\u201cHi\u201d \u2014 it\u2019s\n\n  here\u2026 ") == '"Hi" - it\'s here...'


def test_disguised_english_words_read_as_plain_letters_one_for_one():
    # Cyrillic e and s, Armenian n, mathematical t, fullwidth m, Latin alpha: lookalikes inside English words
    text = "Th\u0435 \u0455tory that it'\u0455 \u0578ot \U0001d69dhat \uff4dore than \u0251 word."
    plain = plain_typography(text)
    assert plain == "The story that it's not that more than \u0251 word."  # a lone lookalike is not a word to fold
    assert len(plain) == len(text)
    assert canonical(text) == plain


def test_cyrillic_and_like_scripts_are_folded_inside_any_word_and_as_whole_words_in_a_disguised_text():
    # Cyrillic a standing for the article, in a rare name, and capital I-alikes (which the confusables list reads
    # as "l")
    text = "\u0406t is \u0430 story \u0430bout M\u0430rtinez \u0430nd \u0399nes, not \u0430 myth."
    assert fold_lookalikes(text) == "It is a story about Martinez and Ines, not a myth."
    assert undone_disguises(text)["lookalike_letters"] == 7


def test_a_word_of_another_script_stays_in_a_text_with_no_disguised_word():
    for text in (
        "Russia is developing four prototype \u041a\u0430-52\u041a helicopters for the navy.",  # a name: "Ka-52K"
        "He said \u00ab\u042f \u0441 \u0442\u043e\u0431\u043e\u0439\u00bb and left the room.",  # a quote
    ):
        assert fold_lookalikes(text) == text
        assert undone_disguises(text) == {}


def test_a_text_mostly_in_another_script_is_left_alone():
    # Russian with one mixed word (a typo's Latin "e"): not an English text, so nothing is folded
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440, \u0430 \u0441 \u043e t\u0435st"
    assert fold_lookalikes(text) == text
    # Chinese with symbols that would fold to common English words ("la", "Coll"): nothing is disguised there
    text = "\u7f3a\u6c27\u8bf1\u5bfc\u56e0\u5b50-l\u03b1\uff08HIF-1\u03b1\uff09\u548c\u80f6\u539f\uff08Col\u2160\uff09"
    assert fold_lookalikes(text) == text


def test_real_words_of_other_scripts_and_symbols_stay_as_written():
    for text in (
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440",  # Russian
        "\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5",  # Greek
        "Kad\u0131n K\u0131rdar okudu",  # Turkish dotless i is a letter, not a disguise
        "TNF\u03b1 and Ly\u03b1 lines, x\u207f for n > 2",  # symbols: folded they are no common English word
        "between 155\u00baF and the 5\u00ba grade, caf\u00e9 na\u00efve",  # ordinal indicators and accents
    ):
        assert fold_lookalikes(text) == text


def test_invisible_characters_go_and_the_words_they_split_come_back():
    # zero-width space, soft hyphen, zero-width joiner, word joiner, byte-order mark, right-to-left mark
    text = "hel\u200blo wor\u00adld, t\u200dh\u0435 e\u2060nd\ufeff \u200fok"
    assert drop_invisible(text) == "hello world, th\u0435 end ok"
    assert plain_typography(text) == "hello world, the end ok"  # unsplit first, so the disguised word is found
    assert drop_invisible("Caf\u00e9 \u4e2d\u6587, \u043c\u0438\u0440") == "Caf\u00e9 \u4e2d\u6587, \u043c\u0438\u0440"


def test_the_undone_disguises_are_counted_by_kind():
    assert undone_disguises("Th\u0435 \u201cend\u201d, t\u200bh\u0435 r\u0435st\u00ad.") == {
        "invisible_characters": 2,
        "lookalike_letters": 3,
    }
    assert undone_disguises("hel\u200blo") == {"invisible_characters": 1}
    assert (
        undone_disguises("A \u201cplain\u201d caf\u00e9 \u2014 TNF\u03b1") == {}
    )  # typography and symbols are no disguise
    assert undone_disguises("plain ASCII") == {}
