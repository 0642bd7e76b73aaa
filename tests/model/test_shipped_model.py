"""The committed default model: intact, small enough, documented, and it scores text end to end."""

import json
from pathlib import Path

import pytest

from aidetector.model.artifact import verify_artifact
from aidetector.model.detector import Detector
from aidetector.settings import SHIPPED_MODEL_DIR


def test_shipped_artifact_is_intact_and_small():
    manifest = verify_artifact(SHIPPED_MODEL_DIR)
    size = sum(p.stat().st_size for p in SHIPPED_MODEL_DIR.iterdir() if p.is_file())
    assert size <= 50 * 1024 * 1024
    assert manifest["label_meaning"] == {"0": "human", "1": "ai"}
    assert 0 < manifest["calibration"]["threshold"] < 1
    assert "ood_dev" in manifest["calibration"]["threshold_rule"]
    assert set(manifest["training_data"]) == {"train.jsonl", "extra_train.jsonl"}


def test_model_card_states_the_contract_and_its_numbers():
    card = (SHIPPED_MODEL_DIR / "MODEL_CARD.md").read_text()
    assert "1 = AI-generated, 0 = human" in card
    assert "length-only AUROC" in card and "## Limitations" in card
    for picture in ("roc_test.png", "roc_ood_dev.png", "reliability_ood_dev.png"):
        assert (SHIPPED_MODEL_DIR / picture).stat().st_size > 1000
    metrics = json.loads((SHIPPED_MODEL_DIR / "metrics.json").read_text())
    manifest = json.loads((SHIPPED_MODEL_DIR / "manifest.json").read_text())
    # how it was made: a training run's validation history, or a soup's members with their validation AUROC
    assert metrics["history"] if "soup" not in manifest else all(m["valid_auroc"] for m in manifest["soup"]["members"])


@pytest.fixture(scope="module")
def shipped():
    return Detector.from_path(SHIPPED_MODEL_DIR)


def test_shipped_model_scores_the_sample(shipped):
    text = (Path(__file__).resolve().parents[2] / "docs" / "sample.txt").read_text()
    [result] = shipped.detect([text], sentences=True)
    assert result.model_version == shipped.version
    assert result.tokens_used == result.tokens_total and result.language == "en"
    assert len(result.sentences) >= 5


def test_typography_does_not_change_the_verdict(shipped):
    """Curly quotes and long dashes come from the editor, not the writer: the same words get the same answer."""
    plain = (
        "\"I don't think it's ready,\" she said - and she was right. The bridge had been planned for years, but the "
        "money ran out twice, and the town's council couldn't agree on who should pay for the rest of it. "
    ) * 3
    curly = plain.replace("n't", "n\u2019t").replace("'s", "\u2019s").replace(" - ", " \u2014 ")
    curly = curly.replace('"I', "\u201cI").replace(',"', ",\u201d")
    assert curly != plain and len(curly) == len(plain)
    [a], [b] = shipped.detect([plain], sentences=True), shipped.detect([curly], sentences=True)
    assert a.probability_ai == b.probability_ai and a.label == b.label
    assert [s.probability_ai for s in a.sentences] == [s.probability_ai for s in b.sentences]
    assert all(curly[s.start : s.end] == s.text for s in b.sentences)  # spans still point into the text as sent


@pytest.mark.parametrize(
    "disguise",
    [
        lambda text: text.replace("e", "\u0435").replace("o", "\u043e").replace("p", "\u0440"),  # Cyrillic letters
        lambda text: text.replace("ee", "e\u200be").replace("mi", "m\u00adi").replace("th", "t\u200dh"),  # invisible
    ],
    ids=["lookalike_letters", "invisible_characters"],
)
def test_disguises_do_not_hide_a_text(shipped, disguise):
    """Lookalike letters from other scripts and invisible characters inside words (cheap ways to evade detectors)
    change nothing: the members read the words they hide, and the spans still point into the text as sent."""
    plain = (
        "The committee reviewed the proposal and found that the budget was not sufficient to cover the costs of the "
        "new program. Several members argued that the plan should be revised before the next meeting. "
    ) * 3
    disguised = disguise(plain)
    assert disguised != plain
    [a], [b] = shipped.detect([plain], sentences=True), shipped.detect([disguised], sentences=True)
    assert b.language == "en" and a.disguises is None and sum(b.disguises.values()) > 10  # shown to a reviewer
    assert a.probability_ai == b.probability_ai and a.label == b.label
    assert [s.probability_ai for s in a.sentences] == [s.probability_ai for s in b.sentences]
    assert all(disguised[s.start : s.end] == s.text for s in b.sentences)
