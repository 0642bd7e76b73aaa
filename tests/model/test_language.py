"""Language identification on a sample of long texts: same answers, bounded cost."""

from aidetector.model.language import identify, is_unsupported, sample

ENGLISH = "The committee met on Tuesday to discuss the budget for the coming year and the new library. "
FRENCH = "Le comité s'est réuni mardi pour discuter du budget de l'année prochaine et de la nouvelle bibliothèque. "


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
