"""Bad input and inconclusive answers of the Detector (tiny model: the rules do not depend on its quality)."""

import pytest
import torch

from aidetector.model.config import DetectSettings
from aidetector.model.detector import Detector, InputError, word_count
from tests.conftest import AI_WORDS


@pytest.fixture(scope="module")
def detector(tiny_artifact):
    return Detector.from_path(tiny_artifact, DetectSettings(max_chars=5000, min_words=30))


def english(n_words: int) -> str:
    return " ".join(AI_WORDS[i % len(AI_WORDS)] for i in range(n_words)) + "."


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty_text"),
        ("  \n\t ", "empty_text"),
        ("\u200b \u00ad\u200d\ufeff", "empty_text"),  # only invisible characters: nothing to read
        (42, "invalid_type"),
        (None, "invalid_type"),
        (b"caf\xe9 au lait", "invalid_encoding"),
        ("x" * 5001, "text_too_long"),
    ],
)
def test_bad_input_has_a_stable_code(detector, value, code):
    with pytest.raises(InputError) as info:
        detector.detect([value])
    assert info.value.code == code and info.value.message


def test_utf8_bytes_are_accepted(detector):
    [result] = detector.detect([english(40).encode("utf-8")])
    assert result.label in {"ai", "human", "inconclusive"}


def test_short_text_is_inconclusive_but_keeps_a_best_guess(detector):
    [result] = detector.detect(["It is important to note this."])
    assert result.label == "inconclusive" and result.reason == "too_short"
    assert result.predicted_class in (0, 1) and 0 <= result.probability_ai <= 1


def test_foreign_language_is_inconclusive(detector):
    french = (
        "Ceci est un texte écrit en français pour vérifier que le détecteur ne devine pas au hasard. "
        "Il parle du temps qu'il fait, des vacances à la mer et des repas partagés en famille le dimanche."
    )
    [result] = detector.detect([french])
    assert result.label == "inconclusive" and result.reason == "unsupported_language"
    assert result.language == "fr"


def test_long_text_is_windowed_not_truncated(detector):
    [result] = detector.detect([english(600)])
    assert result.windows > 1
    assert result.tokens_used == result.tokens_total > detector.window_tokens


def test_sentences_have_offsets_and_scores(detector):
    text = english(20) + " " + english(25) + " Short one here."
    [result] = detector.detect([text], sentences=True)
    assert result.sentences and len(result.sentences) == 3
    for s in result.sentences:
        assert text[s.start : s.end] == s.text and 0 <= s.probability_ai <= 1
    assert "sentences" in result.to_dict()
    [plain] = detector.detect([text])
    assert "sentences" not in plain.to_dict()


def test_curly_quotes_and_dashes_read_as_ascii(detector):
    plain = english(40).replace(" ", " 'x' - ", 3)
    curly = english(40).replace(" ", " \u2018x\u2019 \u2014 ", 3)
    [a], [b] = detector.detect([plain], sentences=True), detector.detect([curly], sentences=True)
    assert a.probability_ai == b.probability_ai and a.tokens_total == b.tokens_total
    assert all(curly[s.start : s.end] == s.text for s in b.sentences)


def test_batch_scores_equal_single_scores(detector):
    texts = [english(35), english(80), english(300)]
    batch = [r.probability_ai for r in detector.detect(texts)]
    single = [detector.detect([t])[0].probability_ai for t in texts]
    assert batch == pytest.approx(single, abs=1e-5)


def test_inference_window_and_precision_are_settings(tiny_artifact):
    """Speed knobs: a larger inference window reads fewer windows; bfloat16 keeps the scores close to float32."""
    text = " ".join(AI_WORDS * 12)
    plain = Detector.from_path(tiny_artifact, DetectSettings(precision="float32"))
    wide = Detector.from_path(tiny_artifact, DetectSettings(window_tokens=64, precision="float32"))
    assert wide.detect([text])[0].windows < plain.detect([text])[0].windows
    assert wide.detect([text])[0].tokens_used == plain.detect([text])[0].tokens_used  # still every token
    half = Detector.from_path(tiny_artifact, DetectSettings(precision="bfloat16"))
    assert half.dtype == torch.bfloat16 and plain.dtype == torch.float32
    assert half.probabilities([text])[0] == pytest.approx(plain.probabilities([text])[0], abs=0.02)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_scores_do_not_depend_on_batch_mates(tiny_artifact, precision):
    """Texts of different lengths, scored together and alone: same scores (bfloat16 needs the per-length padding)."""
    detector = Detector.from_path(tiny_artifact, DetectSettings(precision=precision))
    texts = [english(35), english(80), english(300), " ".join(AI_WORDS * 3)]
    together = [r.probability_ai for r in detector.detect(texts)]
    alone = [detector.detect([t])[0].probability_ai for t in texts]
    assert together == pytest.approx(alone, abs=2e-6)


def test_a_text_just_over_the_window_is_read_once(tiny_artifact):
    detector = Detector.from_path(tiny_artifact, DetectSettings(window_slack=0.25))
    assert detector.plan.stretch > 0
    ids = detector._tokenize([english(400)])[0]
    just_over = detector.artifact.tokenizer.decode(ids[: detector.plan.content_tokens + detector.plan.stretch])
    result = detector.detect([just_over])[0]
    assert result.windows == 1 and result.tokens_used == result.tokens_total
    strict = Detector.from_path(tiny_artifact, DetectSettings(window_slack=0))
    assert strict.detect([just_over])[0].windows == 2


def test_word_count_reads_chinese_without_spaces():
    assert word_count("one two three", 2.0) == 3
    assert word_count("这是一个测试" * 10, 2.0) == 30
    assert word_count("我们使用 Python 训练", 2.0) == 1 + 6 / 2
