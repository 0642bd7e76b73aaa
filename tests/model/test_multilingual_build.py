"""Building the multilingual member: sample weights, figures, a deterministic checksummed build, the support rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aidetector.model.artifact import read_manifest, verify_artifact
from aidetector.model.multilingual import MEMBER, SECTION
from aidetector.model.multilingual_build import build_multilingual, figures, ngram_config, passes, sample_weights
from tests.conftest import write_jsonl
from tests.toy_languages import SETTINGS


def test_each_language_source_and_class_weighs_the_same():
    from aidetector.model.data import Record

    rows = [Record("x", 0, "g", {"language": "de", "source": "s"})] * 4
    rows += [Record("y", 1, "g", {"language": "de", "source": "s"})]
    weights = sample_weights(rows)
    assert weights[:4].sum() == pytest.approx(weights[4:].sum())


def test_figures_count_false_positives_at_the_threshold():
    result = figures([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], threshold=0.5)
    assert result["fpr"] == 0.25 and result["tpr"] == 1.0 and result["n_human"] == 4 and result["n_ai"] == 2
    assert result["auroc"] == pytest.approx(0.875) and result["fpr_upper95"] > 0.25


def test_build_writes_a_checksummed_member_and_a_support_list(multilingual_model: Path, tiny_artifact: Path):
    manifest = verify_artifact(multilingual_model)  # the new files are in the checksums
    before = read_manifest(tiny_artifact)
    assert manifest["version"] != before["version"]  # another model answers: its own version in the registry
    assert manifest["transformer_version"] == before.get("transformer_version", before["version"])
    assert f"{MEMBER}.npz" in manifest["files"] and f"{MEMBER}.json" in manifest["files"]
    section = manifest[SECTION]
    assert section["supported"] == ["de", "zh"]
    languages = section["languages"]
    assert "en" not in languages  # English is the ensemble's
    for code in ("de", "zh"):
        entry = languages[code]
        assert entry["supported"] and entry["test"]["auroc"] >= 0.9 and entry["test"]["fpr"] <= 0.05
        assert 0 < entry["threshold"] < 1 and set(entry["platt"]) == {"a", "b"}
    assert not languages["fr"]["supported"] and "test: AUROC" in languages["fr"]["reason"]
    # one source in Chinese: its domains, held out whole, stand in for sources in the rule
    assert set(languages["zh"]["by_domain"]) == {"d0", "d1"} and "domain d0" in languages["zh"]["reason"]
    assert not languages["ar"]["supported"] and "toy_ar" in languages["ar"]["test_only"]


def test_build_is_deterministic(multilingual_model: Path, multilingual_data: Path, tmp_path: Path):
    again = tmp_path / "again"
    shutil.copytree(multilingual_model, again)
    build_multilingual(again, [multilingual_data], SETTINGS)
    first, second = read_manifest(multilingual_model), read_manifest(again)
    assert first[SECTION] == second[SECTION] and first["files"] == second["files"]


def test_build_refuses_records_without_language_or_source(tiny_artifact: Path, tmp_path: Path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_artifact, folder)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "ein Text", "label": 0, "group": "g"}])
    with pytest.raises(ValueError, match="language"):
        build_multilingual(folder, [bad], SETTINGS)


def test_too_few_held_out_humans_keep_a_language_unsupported(
    multilingual_model: Path, multilingual_data: Path, tmp_path: Path
):
    folder = tmp_path / "model"
    shutil.copytree(multilingual_model, folder)
    strict = SETTINGS.model_copy(update={"min_test_humans": 1000})
    section = build_multilingual(folder, [multilingual_data], strict)
    assert section["supported"] == [] and "human texts (< 1000)" in section["languages"]["de"]["reason"]


def test_a_language_seen_in_one_kind_of_text_only_stays_unsupported(
    multilingual_model: Path, multilingual_data: Path, tmp_path: Path
):
    """German with its domains dropped: one source, one kind of text; its test split passes, which is not enough."""
    import json

    rows = [json.loads(line) for line in multilingual_data.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if row["language"] == "de":
            row.pop("domain", None)
    one_kind = write_jsonl(tmp_path / "one_kind.jsonl", rows)
    folder = tmp_path / "model"
    shutil.copytree(multilingual_model, folder)
    german = build_multilingual(folder, [one_kind], SETTINGS)["languages"]["de"]
    assert passes(german["test"], SETTINGS) and not german["by_domain"]
    assert not german["supported"] and "one kind of text only (toy_de)" in german["reason"]


@pytest.mark.parametrize("reads_right", [True, False])
def test_a_source_kept_for_testing_only_counts_as_a_source_held_out_whole(
    multilingual_model: Path, multilingual_data: Path, tmp_path: Path, reads_right: bool
):
    """German of one kind of text, plus a German source never trained on: that source is held out whole, so the
    language is judged on it, supported when it passes there and refused when it does not."""
    import json
    import random

    from tests.toy_languages import GERMAN_AI, GERMAN_HUMAN, sentence

    rng = random.Random(7)
    rows = [json.loads(line) for line in multilingual_data.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if row["language"] == "de":
            row.pop("domain", None)
        if row["source"] == "toy_ar":  # the test-only source, now German
            ai_words = GERMAN_AI if row["label"] == reads_right else GERMAN_HUMAN  # else each class the other's
            row.update(language="de", text=sentence(rng, ai_words, 45))
    with_test_only = write_jsonl(tmp_path / "with_test_only.jsonl", rows)
    folder = tmp_path / "model"
    shutil.copytree(multilingual_model, folder)
    german = build_multilingual(folder, [with_test_only], SETTINGS)["languages"]["de"]
    assert "toy_ar" in german["test_only"] and passes(german["test_only"]["toy_ar"], SETTINGS) == reads_right
    assert german["supported"] == reads_right and "toy_ar" in german["reason"]
    assert "one kind of text" not in german["reason"]


def test_the_multilingual_member_reads_plain_typography_without_english_typo_mending():
    assert ngram_config(SETTINGS).english is False  # mending would turn words of other languages into English ones
