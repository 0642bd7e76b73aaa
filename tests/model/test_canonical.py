"""Plain typography: one character for one, only quotes and dashes change."""

from aidetector.model.canonical import canonical, plain_typography


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
