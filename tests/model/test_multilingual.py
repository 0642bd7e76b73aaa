"""The multilingual member: split, build (deterministic, checksummed), support rule, and the Detector's routing.

Real parts only: a German and a Chinese toy corpus whose AI texts use other words than the human ones (learnable),
a French one whose labels carry no signal (must stay unsupported), and an Arabic source that is only tested on.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from aidetector.model.artifact import read_manifest, verify_artifact
from aidetector.model.config import DetectSettings, MultilingualSettings
from aidetector.model.detector import Detector, word_count
from aidetector.model.multilingual import MEMBER, SECTION, split_of
from aidetector.model.multilingual_build import build_multilingual, figures, sample_weights
from tests.conftest import write_jsonl

GERMAN_HUMAN = (
    "gestern sind wir mit dem Hund am alten Hafen spazieren gegangen und mein Bruder hat die ganze Zeit über die "
    "frechen Möwen gelacht die ihm seine Pommes geklaut haben während Oma sich über die Parkgebühren beschwert hat"
).split()
GERMAN_AI = (
    "darüber hinaus ist es wichtig zu betonen dass dieser umfassende Ansatz vielschichtige Aspekte beleuchtet und "
    "letztlich ein differenziertes Verständnis sowie eine nahtlose Integration zentraler Erkenntnisse fördert"
).split()
FRENCH = (
    "hier nous sommes allés au vieux port avec le chien et mon frère a ri tout le temps des mouettes qui lui "
    "volaient ses frites pendant que grand-mère se plaignait du prix du stationnement"
).split()
CHINESE_HUMAN = "昨天 我们 带着 小狗 去 老码头 散步 弟弟 一直 笑 海鸥 偷走 薯条 奶奶 抱怨 停车费".split()
CHINESE_AI = "此外 值得 注意 的是 这种 全面 方法 深入 探讨 多方面 最终 促进 深刻 理解 无缝 整合".split()
ARABIC = "ذهبنا أمس مع الكلب إلى الميناء القديم وضحك أخي طوال الوقت على النوارس التي سرقت طعامه".split()


def sentence(rng: random.Random, words: list[str], n: int, sep: str = " ") -> str:
    text = sep.join(rng.choice(words) for _ in range(n))
    return text + ("。" if sep == "" else ".")


def corpus(seed: int = 0, groups: int = 60) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for g in range(groups):
        for label in (0, 1):
            common = {"label": label, "group": f"g{g}", "generator": "toy-llm" if label else "human"}
            de = GERMAN_AI if label else GERMAN_HUMAN
            rows.append({**common, "text": sentence(rng, de, 45), "language": "de", "source": "toy_de"})
            zh = CHINESE_AI if label else CHINESE_HUMAN
            zh_row = {"language": "zh", "source": "toy_zh", "domain": f"d{g % 2}"}
            rows.append({**common, **zh_row, "text": sentence(rng, zh, 50, sep="")})
            # French: same words for both classes, labels carry nothing
            rows.append({**common, "text": sentence(rng, FRENCH, 45), "language": "fr", "source": "toy_fr"})
            rows.append({**common, "text": sentence(rng, ARABIC, 45), "language": "ar", "source": "toy_ar"})
            rows.append({**common, "text": sentence(rng, GERMAN_HUMAN, 45), "language": "en", "source": "toy_de"})
    return rows


SETTINGS = MultilingualSettings(char_features=2**14, word_features=2**10, test_only_sources="toy_ar", min_test_humans=5)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("ml_data") / "toy.jsonl", corpus())


@pytest.fixture(scope="module")
def built(tiny_artifact: Path, data_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ml_model") / "model"
    shutil.copytree(tiny_artifact, folder)
    build_multilingual(folder, [data_file], SETTINGS)
    return folder


def test_split_keeps_groups_whole_and_is_about_60_20_20():
    names = [split_of("src", f"g{i}") for i in range(2000)]
    assert names == [split_of("src", f"g{i}") for i in range(2000)]
    shares = {name: names.count(name) / len(names) for name in ("train", "calibration", "test")}
    assert abs(shares["train"] - 0.6) < 0.05 and abs(shares["calibration"] - 0.2) < 0.04
    assert split_of("a", "g1") == split_of("a", "g1")


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


def test_build_writes_a_checksummed_member_and_a_support_list(built: Path):
    manifest = verify_artifact(built)  # the new files are in the checksums
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


def test_build_is_deterministic(built: Path, data_file: Path, tmp_path: Path):
    again = tmp_path / "again"
    shutil.copytree(built, again)
    build_multilingual(again, [data_file], SETTINGS)
    first, second = read_manifest(built), read_manifest(again)
    assert first[SECTION] == second[SECTION] and first["files"] == second["files"]


def test_build_refuses_records_without_language_or_source(tiny_artifact: Path, tmp_path: Path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_artifact, folder)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "ein Text", "label": 0, "group": "g"}])
    with pytest.raises(ValueError, match="language"):
        build_multilingual(folder, [bad], SETTINGS)


def test_detector_judges_supported_languages_with_their_own_calibration(built: Path):
    detector = Detector.from_path(built, DetectSettings(min_words=30))
    assert detector.supported_languages == ["de", "en", "zh"]
    section = read_manifest(built)[SECTION]
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


def test_english_answers_do_not_change_with_the_member(built: Path, tiny_artifact: Path):
    from tests.conftest import AI_WORDS

    english = " ".join(AI_WORDS[i % len(AI_WORDS)] for i in range(60)) + "."
    with_member = Detector.from_path(built).detect([english])[0].to_dict()
    without = Detector.from_path(built, DetectSettings(multilingual=False)).detect([english])[0].to_dict()
    assert with_member == without


def test_the_member_can_be_switched_off(built: Path):
    detector = Detector.from_path(built, DetectSettings(multilingual=False))
    assert detector.multilingual is None and detector.supported_languages == ["en"]
    german = sentence(random.Random(3), GERMAN_AI, 45)
    assert detector.detect([german])[0].reason == "unsupported_language"


def test_word_count_reads_chinese_without_spaces():
    assert word_count("one two three", 2.0) == 3
    assert word_count("这是一个测试" * 10, 2.0) == 30
    assert word_count("我们使用 Python 训练", 2.0) == 1 + 6 / 2


def test_cli_builds_the_member(tiny_artifact: Path, data_file: Path, tmp_path: Path, capsys, monkeypatch):
    from aidetector.cli.main import main

    env = {"CHAR_FEATURES": "16384", "WORD_FEATURES": "1024", "TEST_ONLY_SOURCES": "toy_ar", "MIN_TEST_HUMANS": "5"}
    for key, value in env.items():
        monkeypatch.setenv(f"AIDETECTOR_MULTILINGUAL_{key}", value)
    folder = tmp_path / "model"
    shutil.copytree(tiny_artifact, folder)
    assert main(["multilingual", "--model", str(folder), "--data", str(data_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["supported"] == ["de", "zh"] and out["languages"]["fr"]["supported"] is False


def test_too_few_held_out_humans_keep_a_language_unsupported(built: Path, data_file: Path, tmp_path: Path):
    folder = tmp_path / "model"
    shutil.copytree(built, folder)
    strict = SETTINGS.model_copy(update={"min_test_humans": 1000})
    section = build_multilingual(folder, [data_file], strict)
    assert section["supported"] == [] and "human texts (< 1000)" in section["languages"]["de"]["reason"]
