"""How every member reads a text: plain typography (`plain_typography`) and, for the whole-text members, one
canonical form (`canonical`). One module, so the members cannot drift apart in what they see. Sentence spans are
offsets into the text as sent (`model/sentences.py`), never into these forms.

Plain typography, in three steps:
1. Curly quotes and long dashes as their ASCII forms. Why: whether a text has curly ("smart") quotes or long dashes
   depends on the editor it was typed in (Word, Google Docs and phones turn straight quotes into curly ones and two
   hyphens into an em dash), not on who wrote it, yet in the training corpora they pattern with the label (20% of
   the Fast-DetectGPT AI texts have curly quotes, 2% of its human texts). Measured during development on the model
   before this step: of the 55 human texts with curly quotes among test and 4,000 ood_dev texts, 20% were called AI
   as typed and 13% with ASCII quotes.
2. Invisible format characters dropped (`drop_invisible`: Unicode category Cf, e.g. zero-width space and joiners,
   soft hyphen, word joiner, byte-order mark, direction marks). Why: a reader sees none of them, yet one inside a
   word splits the words and character n-grams the n-gram, skeleton and style members read (the transformer's
   tokenizer drops them already), so sprinkling them over a text hid it. Measured with `benchmarks/disguises.py`
   (docs/BENCHMARKS.md, "Disguised text").
3. Lookalike letters folded (`fold_lookalikes`): a Latin word with letters from another script that look the same
   (Cyrillic "е" in "thе", Armenian "ո", mathematical "𝚝", fullwidth "ｍ") reads as that word in Latin letters.
   Why: swapping letters for lookalikes is the cheapest way to hide AI text from a detector, and it works on every
   member, since their tokens and n-grams turn into rare ones (ood_dev's DetectRL character attacks do it; the same
   benchmark measures it). Only words of a text written mostly in ASCII letters are folded. Lookalikes from a script
   English text has no use for (Cyrillic, Armenian, ...: `DISGUISE_SCRIPTS`) are folded inside any word with ASCII
   letters, and, in a text that has such words, a word made only of them when it then reads as a common English word
   (a Cyrillic "а" standing for the article "a"; a Russian name such as "Ка-52К" in a text with no disguised word
   stays as written). A word with Greek, mathematical or IPA lookalikes, which English uses as symbols, is folded only
   when it has ASCII letters and reads as a common English word once folded. So Russian or Greek text, and symbols
   such as "TNFα", "α-helix" or "xⁿ", stay as written.
Every member reads plain typography, in training and in inference, so the same words get the same verdict whatever
editor produced them or however they were disguised. The English members (transformer, n-gram, skeleton, style) then
read it with likely typos mended (`english_reading`, `model/spelling.py`); language identification and the
multilingual member do not.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

from .rarity import zipf
from .spelling import mend_typos

PLAIN = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark (also the typographic apostrophe)
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
    }
)


# Letters that are letters of a language written in Latin script, not disguises: Turkish dotless i, the long s,
# and the Romance ordinal indicators ("5º", "1ª").
NOT_LOOKALIKES = frozenset("ıſºª")
# A folded word must be at least this common in English (Zipf scale, `model/rarity.py`): 2.5 is about once in three
# million words. Rarer results ("tnfa", "lya", "xn") were more often symbols in scientific text than disguised words.
LOOKALIKE_MIN_ZIPF = 2.5
# Scripts (the first word of a letter's Unicode name) that English text has no use for, so their lookalikes inside a
# word with ASCII letters are folded whatever the word (names and typos included). Greek, mathematical and IPA
# letters are not here: English text uses them as symbols, so a word with them must pass the common-word check.
DISGUISE_SCRIPTS = frozenset({"CYRILLIC", "ARMENIAN", "COPTIC", "CHEROKEE", "LISU", "FULLWIDTH"})
# Words are folded only in a text whose letters are at least this share ASCII: English with lookalikes in it, not
# Russian text, whose "а", "с", "о" and "у" are words of their own, nor an English text quoting a Russian phrase.
LOOKALIKE_MIN_ASCII_SHARE = 0.5
_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # a word: letters, with apostrophes inside ("it's")
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Each character that Unicode's confusables list (via `confusable_homoglyphs`, MIT; kept up to date
    there, so not copied here) says looks like one ASCII letter, mapped to that letter."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, lookalikes in confusables_data.items():
        if len(char) != 1 or char.isascii() or char in NOT_LOOKALIKES:
            continue
        letters = [item["c"] for item in lookalikes if len(item["c"]) == 1 and item["c"].isascii()]
        letters = [letter for letter in letters if letter.isalpha()]
        if letters:
            table[char] = letters[0]
    return table


@lru_cache(maxsize=4096)
def _lookalike(char: str) -> str | None:
    """The ASCII letter `char` stands for, if any: from the confusables list, else from NFKC for compatibility
    forms that list leaves out (fullwidth "ｍ")."""
    if char.isascii() or char in NOT_LOOKALIKES:
        return None
    letter = _confusables().get(char)
    if letter is None:
        nfkc = unicodedata.normalize("NFKC", char)
        letter = nfkc if len(nfkc) == 1 and nfkc.isascii() and nfkc.isalpha() else None
    if letter == "l" and char.isupper():  # the list reads every capital I-alike (Greek "Ι", Cyrillic "І") as "l"
        letter = "I"
    return letter


@lru_cache(maxsize=4096)
def _disguising(char: str) -> bool:
    """Whether `char` is a lookalike from a script English text has no use for (`DISGUISE_SCRIPTS`)."""
    return _lookalike(char) is not None and unicodedata.name(char, "").split(" ", 1)[0] in DISGUISE_SCRIPTS


def _as_latin(word: str) -> str:
    """`word` with each lookalike as the ASCII letter it imitates, one character for one."""
    return "".join(_lookalike(c) or c for c in word)


def _as_latin_if_common(word: str) -> str:
    """`word` as Latin letters if that reads as a common English word (`LOOKALIKE_MIN_ZIPF`), else as written."""
    folded = _as_latin(word)
    return folded if zipf(folded.lower()) >= LOOKALIKE_MIN_ZIPF else word


def _fold_mixed_word(match: re.Match[str]) -> str:
    """A word with ASCII letters and lookalikes, folded: always when its lookalikes are all of `DISGUISE_SCRIPTS`,
    else (Greek, mathematical, IPA: maybe a symbol) only when it then reads as a common English word."""
    word = match.group(0)
    if word.isascii() or not any(c.isascii() for c in word):
        return word
    if all(_disguising(c) for c in word if _lookalike(c)):
        return _as_latin(word)
    return _as_latin_if_common(word)


def _fold_lookalike_word(match: re.Match[str]) -> str:
    """A word made only of `DISGUISE_SCRIPTS` lookalikes (Cyrillic "а" for the article "a"), folded when it then
    reads as a common English word."""
    word = match.group(0)
    if word.isascii() or not all(_disguising(c) for c in word):
        return word
    return _as_latin_if_common(word)


def _mostly_ascii_letters(text: str) -> bool:
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_ASCII_LETTER.findall(text)) >= LOOKALIKE_MIN_ASCII_SHARE * letters


def fold_lookalikes(text: str) -> str:
    """The text with each disguised English word in plain ASCII letters (see the module's docstring), one
    character for one."""
    if text.isascii() or not _mostly_ascii_letters(text):
        return text
    folded = _LETTERS.sub(_fold_mixed_word, text)
    if folded == text:  # no word is disguised, so a word all of another script is that script ("Ка-52К")
        return text
    return _LETTERS.sub(_fold_lookalike_word, folded)


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    """Every format character (Unicode category Cf) mapped to nothing: built once, in about 0.1 s."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"}


def drop_invisible(text: str) -> str:
    """The text without invisible format characters (see the module's docstring)."""
    return text if text.isascii() else text.translate(_invisible())


def plain_typography(text: str) -> str:
    """The text as every member reads it: quotes and dashes ASCII, invisible characters dropped, disguised words
    in plain letters (the three steps of the module's docstring)."""
    return fold_lookalikes(drop_invisible(text.translate(PLAIN)))


def undone_disguises(text: str) -> dict[str, int]:
    """How many characters steps 2 and 3 changed, by kind ("invisible_characters" dropped, "lookalike_letters"
    folded); only the kinds the text has. Worth showing a reviewer: people rarely type them, though copying out of a
    web page or a PDF can bring invisible ones along."""
    if text.isascii():
        return {}
    typed = text.translate(PLAIN)
    visible = drop_invisible(typed)
    counts = {
        "invisible_characters": len(typed) - len(visible),
        "lookalike_letters": sum(a != b for a, b in zip(visible, fold_lookalikes(visible), strict=True)),
    }
    return {kind: n for kind, n in counts.items() if n}


def english_reading(text: str) -> str:
    """The text as the English members read it: plain typography with likely typos mended (`model/spelling.py`).
    Language identification and the multilingual member read plain typography only: mending would turn words of
    other languages into English ones."""
    return mend_typos(plain_typography(text))


def canonical(text: str) -> str:
    """The text as the style and skeleton members see it: NFKC (an ellipsis becomes three dots), the English
    reading, every run of whitespace one space. Newlines record how a corpus was prepared, not who wrote it (see
    `model/style.py`), so no member that reads the whole text may see them."""
    return " ".join(english_reading(unicodedata.normalize("NFKC", text)).split())
