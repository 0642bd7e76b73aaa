"""The style member: hand-checked features, trees stored as arrays that answer like scikit-learn."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from aidetector.model.data import load_jsonl
from aidetector.model.metrics import auroc
from aidetector.model.style import FEATURE_NAMES, StyleConfig, StyleModel, _export, style_features


def test_features_do_not_see_newlines_or_curly_quotes():
    """Layout marks how a corpus was prepared, not who wrote it: the features must not change with it."""
    plain = 'He said "no". It\'s late - we go home now.\nThen we sleep.'
    fancy = "He said \u201cno\u201d.\n\nIt\u2019s late \u2013 we go home now.   Then we sleep."
    assert style_features(plain) == style_features(fancy)


def test_features_by_hand():
    text = "The cat sat. The cat ran away quickly!"
    f = dict(zip(FEATURE_NAMES, style_features(text), strict=True))
    assert len(f) == len(FEATURE_NAMES)
    assert f["log_words"] == pytest.approx(math.log1p(8))
    assert f["log_chars"] == pytest.approx(math.log1p(len(text)))
    assert f["log_sentences"] == pytest.approx(math.log1p(2))
    assert f["sentence_words_mean"] == pytest.approx(4.0)  # 3 and 5 words
    assert f["sentence_words_std"] == pytest.approx(1.0)
    assert f["sentence_words_max"] == 5
    assert f["type_token_ratio"] == pytest.approx(6 / 8)  # the, cat, sat, ran, away, quickly
    assert f["hapax_ratio"] == pytest.approx(4 / 8)
    assert f["repeated_trigrams"] == 0.0
    assert f["per_100_chars[.]"] == pytest.approx(100 / len(text))
    assert f["per_100_chars[!]"] == pytest.approx(100 / len(text))
    assert f["ends_with_terminal"] == 1.0 and f["starts_lowercase"] == 0.0
    assert f["capitalised_words"] == pytest.approx(2 / 8)
    assert f["zipf_p50"] > 4 and f["unknown_words"] == 0.0  # everyday words, all known to wordfreq
    assert style_features("zxqvbn plorfk")[FEATURE_NAMES.index("unknown_words")] == 1.0


def test_exported_trees_answer_like_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    classifier = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0).fit(x, y)
    trees, baseline = _export(classifier)
    probe = rng.normal(size=(50, 6))
    assert trees.raw(probe, baseline) == pytest.approx(classifier.decision_function(probe), abs=1e-9)


def test_style_model_learns_and_round_trips(toy_data, tmp_path):
    train = load_jsonl(toy_data["train"])
    test = load_jsonl(toy_data["test"])
    config = StyleConfig(max_iter=50, min_samples_leaf=5)
    model = StyleModel.fit([r.text for r in train], [int(r.label) for r in train], [1.0] * len(train), config)
    scores = model.log_odds([r.text for r in test])
    assert auroc([int(r.label) for r in test], scores.tolist()) > 0.9
    model.save(tmp_path)
    again = StyleModel.load(tmp_path)
    assert again.config == config
    assert np.array_equal(again.log_odds([r.text for r in test]), scores)  # float64 arrays: exact


def test_load_refuses_other_features(toy_data, tmp_path):
    train = load_jsonl(toy_data["train"])
    model = StyleModel.fit([r.text for r in train], [int(r.label) for r in train], [1.0] * len(train))
    model.save(tmp_path)
    data = json.loads((tmp_path / "style.json").read_text())
    data["features"] = data["features"][:-1]
    (tmp_path / "style.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other style features"):
        StyleModel.load(tmp_path)


def test_stacked_trees_read_other_members_log_odds(toy_data, tmp_path):
    """Stacked inputs are extra columns, named in style.json; they must be given at scoring, in any order."""
    train = load_jsonl(toy_data["train"])
    test = load_jsonl(toy_data["test"])
    labels = [int(r.label) for r in train]
    rng = np.random.default_rng(0)
    informative = [2.0 * y - 1 + rng.normal(scale=0.5) for y in labels]  # a member that knows the label
    noise = rng.normal(size=len(train)).tolist()
    config = StyleConfig(max_iter=30, min_samples_leaf=5)
    model = StyleModel.fit(
        [r.text for r in train], labels, [1.0] * len(train), config, stacked={"a": informative, "b": noise}
    )
    assert model.inputs == ("a", "b")
    texts = [r.text for r in test]
    sure_ai = model.log_odds(texts, stacked={"b": np.zeros(len(test)), "a": np.full(len(test), 3.0)})
    sure_human = model.log_odds(texts, stacked={"a": np.full(len(test), -3.0), "b": np.zeros(len(test))})
    assert np.all(sure_ai > sure_human)  # the trees use the stacked column
    with pytest.raises(ValueError, match="read the log-odds of"):
        model.log_odds(texts)
    with pytest.raises(ValueError, match="differ in number"):
        model.log_odds(texts, stacked={"a": [0.0], "b": [0.0]})
    model.save(tmp_path)
    data = json.loads((tmp_path / "style.json").read_text())
    assert data["inputs"] == ["a", "b"] and data["features"][-2:] == ["a_log_odds", "b_log_odds"]
    again = StyleModel.load(tmp_path)
    given = {"a": np.linspace(-2, 2, len(test)), "b": np.zeros(len(test))}
    assert np.array_equal(again.log_odds(texts, stacked=given), model.log_odds(texts, stacked=given))
