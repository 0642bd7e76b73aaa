"""The multilingual member at inference: the split, and the Detector's routing of other languages to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from aidetector.model.artifact import read_manifest
from aidetector.model.config import DetectSettings
from aidetector.model.detector import ANSWER_DECIMALS, Detector
from aidetector.model.multilingual import SECTION, split_of
from tests.toy_languages import CHINESE_AI, FRENCH, GERMAN_AI, GERMAN_HUMAN, sentence


def test_split_keeps_groups_whole_and_is_about_60_20_20():
    names = [split_of("src", f"g{i}") for i in range(2000)]
    assert names == [split_of("src", f"g{i}") for i in range(2000)]
    shares = {name: names.count(name) / len(names) for name in ("train", "calibration", "test")}
    assert abs(shares["train"] - 0.6) < 0.05 and abs(shares["calibration"] - 0.2) < 0.04
    assert split_of("a", "g1") == split_of("a", "g1")


def test_detector_judges_supported_languages_with_their_own_calibration(multilingual_model: Path):
    detector = Detector.from_path(multilingual_model, DetectSettings(min_words=30))
    assert detector.supported_languages == ["de", "en", "zh"]
    section = read_manifest(multilingual_model)[SECTION]
    rng = random.Random(7)
    german_ai, german_human = sentence(rng, GERMAN_AI, 45), sentence(rng, GERMAN_HUMAN, 45)
    chinese_ai = sentence(rng, CHINESE_AI, 50, sep="")
    french = sentence(rng, FRENCH, 45)
    results = detector.detect([german_ai, german_human, chinese_ai, french], sentences=True)
    assert [r.language for r in results] == ["de", "de", "zh", "fr"]
    assert results[0].threshold == pytest.approx(section["languages"]["de"]["threshold"], abs=1e-6)
    assert results[2].threshold == pytest.approx(section["languages"]["zh"]["threshold"], abs=1e-6)
    assert results[0].probability_ai > results[0].threshold > results[1].probability_ai
    assert results[2].probability_ai > results[2].threshold and results[2].reason != "too_short"
    assert results[3].label == "inconclusive" and results[3].reason == "unsupported_language"
    assert results[0].sentences and all(0 <= s.probability_ai <= 1 for s in results[0].sentences)


def test_english_answers_do_not_change_with_the_member(multilingual_model: Path, tiny_artifact: Path):
    from tests.conftest import AI_WORDS

    english = " ".join(AI_WORDS[i % len(AI_WORDS)] for i in range(60)) + "."
    with_member = Detector.from_path(multilingual_model).detect([english])[0].to_dict()
    without = Detector.from_path(multilingual_model, DetectSettings(multilingual=False)).detect([english])[0].to_dict()
    assert with_member == without


def test_the_member_can_be_switched_off(multilingual_model: Path):
    detector = Detector.from_path(multilingual_model, DetectSettings(multilingual=False))
    assert detector.multilingual is None and detector.supported_languages == ["en"]
    german = sentence(random.Random(3), GERMAN_AI, 45)
    assert detector.detect([german])[0].reason == "unsupported_language"


def test_the_language_report_lists_what_is_judged_and_why_the_rest_is_not(multilingual_model: Path):
    """GET /v1/languages answers this: the supported codes, each with its threshold and measured false-positive
    rate, and every measured language with the support rule's outcome."""
    detector = Detector.from_path(multilingual_model)
    report = detector.language_report()
    section = read_manifest(multilingual_model)[SECTION]
    assert report["supported"] == ["en", *section["supported"]] and report["model_version"] == detector.version
    judged = {row["code"]: row for row in report["judged"]}
    assert judged["en"]["path"] == "english_ensemble"
    assert judged["en"]["threshold"] == round(detector.threshold, ANSWER_DECIMALS)
    assert judged["de"]["path"] == "multilingual"
    assert judged["de"]["threshold"] == section["languages"]["de"]["threshold"]
    assert judged["de"]["false_positive_rates"][0]["false_positive_rate"] == section["languages"]["de"]["test"]["fpr"]
    measured = {row["code"]: row for row in report["measured"]}
    assert set(measured) == set(section["languages"])
    assert all(row["supported"] == (code in section["supported"]) and row["reason"] for code, row in measured.items())
    switched_off = Detector.from_path(multilingual_model, DetectSettings(multilingual=False)).language_report()
    assert switched_off["supported"] == ["en"] and not any(row["supported"] for row in switched_off["measured"])
