"""Mixed authorship: blocks, the Viterbi join, segments and class probabilities, and the Detector's answers."""

import json

import pytest

from aidetector.model.measured import false_positive_rates
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


def test_false_positive_rates_come_from_reports_at_this_threshold(tmp_path):
    manifest = {"version": "v1"}
    report = {"fpr_at_threshold": 0.03, "fpr_at_threshold_ci95": [0.02, 0.04], "n_human": 800, "threshold": 0.7}
    (tmp_path / "eval_dev.json").write_text(json.dumps({**report, "model_version": "v1"}))
    (tmp_path / "eval_old.json").write_text(json.dumps({**report, "threshold": 0.5}))  # another threshold
    (tmp_path / "eval_other.json").write_text(json.dumps({**report, "model_version": "v0"}))  # another model
    (tmp_path / "eval_big.json").write_text(json.dumps({**report, "n_human": 5000, "fpr_at_threshold": 0.05}))
    rates = false_positive_rates(tmp_path, manifest, 0.7)
    assert [r["measured_on"] for r in rates] == ["big", "dev"]
    assert rates[1] == {
        "measured_on": "dev",
        "human_texts": 800,
        "false_positive_rate": 0.03,
        "interval95": [0.02, 0.04],
    }
    in_manifest = {"version": "v1", "evaluation": {"stress": {**report, "n_human": 10}}}
    assert [r["measured_on"] for r in false_positive_rates(tmp_path, in_manifest, 0.7)] == ["stress"]


def test_shipped_model_states_its_false_positive_rates():
    from aidetector.model.artifact import read_manifest
    from aidetector.settings import SHIPPED_MODEL_DIR

    manifest = read_manifest(SHIPPED_MODEL_DIR)
    rates = false_positive_rates(SHIPPED_MODEL_DIR, manifest, manifest["calibration"]["threshold"])
    assert {r["measured_on"] for r in rates} >= {"ood_dev", "test"}
    assert all(0 <= r["false_positive_rate"] <= 1 and r["human_texts"] > 0 for r in rates)


def test_the_model_card_has_a_mixed_section_only_when_given_a_report():
    from aidetector.model.card import render

    report = {
        "data": "../shared/data/test.jsonl",
        "settings": {"segment_min_words": 60, "mixed_threshold": 0.5},
        "mixed_documents": {
            "documents": 300,
            "accuracy": 0.81,
            "by_class": {c: {"documents": 100, "recall": r} for c, r in (("ai", 0.9), ("human", 0.95), ("mixed", 0.6))},
            "boundary_within_0_chars": {"precision": 0.7, "recall": 0.5, "f1": 0.58},
            "boundary_within_200_chars": {"precision": 0.8, "recall": 0.6, "f1": 0.69},
        },
        "single_texts": {
            "human": {
                "texts": 430,
                "labelled_ai_without_segments": 0.09,
                "labelled_ai_with_segments": 0.08,
                "labelled_mixed": 0.01,
            }
        },
    }
    manifest = {"version": "v1", "calibration": {"threshold": 0.7}}
    card = render(manifest, {}, mixed=report)
    assert "## Mixed authorship" in card and "| 300 | 0.810 | 60.0% | 90.0% | 95.0% | 0.580 | 0.690 |" in card
    assert "9.0% labelled ai without segmentation, 8.0% with it" in card and "test.jsonl" in card
    assert "Mixed authorship" not in render(manifest, {})
