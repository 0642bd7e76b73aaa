"""Mixed authorship: blocks, the Viterbi join, segments and class probabilities, and the Detector's answers."""

import pytest

from aidetector.model.segments import SegmentRules, apply_mixture, blocks, mixture, viterbi
from tests.conftest import AI_WORDS, HUMAN_WORDS

RULES = SegmentRules(threshold=0.78, inconclusive_margin=1.0, high_margin=3.0)


def para(words, n=60):
    return " ".join(words[i % len(words)] for i in range(n)).capitalize() + "."


def test_blocks_keep_exact_offsets_join_short_and_split_long():
    text = para(AI_WORDS) + "\n\n" + "Short line here." + "\n\n  " + para(HUMAN_WORDS) + "\n"
    cut = blocks(text, min_words=40, max_words=250)
    assert [text[b.start : b.end] for b in cut] == [b.text for b in cut]
    assert len(cut) == 2  # the three-word paragraph joined the next one
    assert cut[1].text.startswith("Short line here.")
    long = " ".join(f"Sentence number {i} has exactly seven words." for i in range(60))  # 420 words, one paragraph
    parts = blocks(long, min_words=40, max_words=250)
    assert len(parts) == 2 and all(long[p.start : p.end] == p.text for p in parts)
    assert parts[0].text.endswith(".") and parts[1].start > parts[0].end - 1


def test_viterbi_needs_evidence_to_switch():
    assert viterbi([3, -0.5, 3], switch_penalty=2.0) == [1, 1, 1]  # one unsure block does not split a text
    assert viterbi([3, 3, -3, -3], switch_penalty=2.0) == [1, 1, 0, 0]
    assert viterbi([3, 3, -3, -2], switch_penalty=50.0) == [1, 1, 1, 1]


def test_one_block_is_the_document_itself():
    text = para(AI_WORDS)
    mix = mixture(text, blocks(text), [], 0.9, RULES)
    assert len(mix.segments) == 1 and mix.segments[0].probability_ai == 0.9
    assert mix.class_probabilities == {"ai": 0.9, "human": pytest.approx(0.1), "mixed": 0.0}
    assert not mix.mixed


def test_decisive_parts_of_both_kinds_make_a_mixed_document():
    text = para(AI_WORDS) + "\n\n" + para(HUMAN_WORDS)
    mix = mixture(text, blocks(text), [0.99, 0.05], 0.8, RULES)
    assert mix.mixed and [s.label for s in mix.segments] == ["ai", "human"]
    assert sum(mix.class_probabilities.values()) == pytest.approx(1.0)
    assert mix.class_probabilities["mixed"] == pytest.approx(0.94)
    assert mix.segments[1].start == text.index(para(HUMAN_WORDS)) and mix.segments[1].end == len(text)


def test_a_part_below_the_ai_bar_never_makes_a_human_text_mixed():
    text = para(HUMAN_WORDS) + "\n\n" + para(HUMAN_WORDS[::-1])
    mix = mixture(text, blocks(text), [0.05, 0.85], 0.4, RULES)  # 0.85 is under the threshold's margin
    assert not mix.mixed


class Answer:
    def __init__(self, label, reason):
        self.label, self.reason, self.confidence = label, reason, "low"
        self.segments = self.class_probabilities = None


def test_only_verdicts_and_near_threshold_become_mixed():
    text = para(AI_WORDS) + "\n\n" + para(HUMAN_WORDS)
    mix = mixture(text, blocks(text), [0.99, 0.05], 0.8, RULES)
    for label, reason, expected in [
        ("ai", None, "mixed"),
        ("inconclusive", "near_threshold", "mixed"),
        ("inconclusive", "unsupported_language", "inconclusive"),
        ("inconclusive", "too_short", "inconclusive"),
    ]:
        answer = Answer(label, reason)
        apply_mixture(answer, mix)
        assert answer.label == expected and answer.segments == mix.segments


def test_detector_answers_with_segments_and_measured_rates(tiny_artifact, tmp_path):
    from aidetector.model.config import DetectSettings
    from aidetector.model.detector import Detector

    # The tiny toy model's threshold sits near its human scores: narrower margins let it tell the parts apart.
    settings = DetectSettings(inconclusive_margin=0.0, segment_switch_penalty=0.0)
    detector = Detector.from_path(tiny_artifact, settings)
    ai, human = para(AI_WORDS, 60), para(HUMAN_WORDS, 60)
    mixed_text = ai + "\n\n" + human + "\n\n" + ai
    pure, mixed = detector.detect([ai + "\n\n" + ai, mixed_text])
    assert len(pure.segments) == 1 and pure.label in ("ai", "inconclusive")
    starts = [s.start for s in mixed.segments]
    assert starts == [0, len(ai) + 2, len(ai) + len(human) + 4]
    assert [s.label for s in mixed.segments] == ["ai", "human", "ai"]
    assert mixed.label == "mixed" and mixed.predicted_class in (0, 1)
    assert sum(mixed.class_probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    data = mixed.to_dict()
    assert data["segments"][1]["label"] == "human" and "class_probabilities" in data
    off = Detector(detector.artifact, detector.settings.model_copy(update={"segments": False}))
    assert off.detect([mixed_text])[0].label != "mixed"
