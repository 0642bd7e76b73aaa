"""The n-gram member: hashed features (nothing to store but two vectors), a fit that learns, a float16 round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aidetector.model.data import load_jsonl
from aidetector.model.metrics import auroc
from aidetector.model.ngram import SKELETON_CONFIG, NgramConfig, NgramModel, counts


def test_ngram_model_learns_and_round_trips(toy_data, tmp_path):
    train = load_jsonl(toy_data["train"])
    test = load_jsonl(toy_data["test"])
    model = NgramModel.fit([r.text for r in train], [int(r.label) for r in train], [1.0] * len(train))
    scores = model.log_odds([r.text for r in test])
    assert auroc([int(r.label) for r in test], scores.tolist()) > 0.95
    model.save(tmp_path)
    again = NgramModel.load(tmp_path).log_odds([r.text for r in test])
    assert np.max(np.abs(again - scores)) < 0.05  # float16 storage
    settings = json.loads((tmp_path / "ngram.json").read_text())
    del settings["view"]  # as written before the skeleton view existed
    (tmp_path / "ngram.json").write_text(json.dumps(settings))
    assert np.array_equal(NgramModel.load(tmp_path).log_odds([r.text for r in test]), again)
    text = test[0].text + ' "it\'s" - so'
    curly = test[0].text + " \u201cit\u2019s\u201d \u2014 so"
    assert model.log_odds([curly])[0] == model.log_odds([text])[0]  # reads plain typography (model/canonical.py)


def test_counts_are_hashed_into_fixed_columns_with_no_vocabulary():
    config = NgramConfig(char_features=2**10, word_features=2**8)
    matrix = counts(config, ["the cat sat", "the cat sat", "a dog ran far"])
    assert matrix.shape == (3, 2**10 + 2**8)  # character columns, then word columns
    assert (matrix[0] != matrix[1]).nnz == 0 and (matrix[0] != matrix[2]).nnz > 0
    assert matrix[0, 2**10 :].sum() == 3 + 2  # three words, two word bigrams
    words_only = counts(NgramConfig(char_features=0, word_features=2**8), ["the cat sat"])
    assert words_only.shape == (1, 2**8) and words_only.sum() == 5


def test_the_skeleton_view_reads_the_syntax_not_the_words():
    """Two sentences built alike from different rare words share their skeleton features."""
    texts = ["The zygote was eaten by an ocelot.", "The lemur was caught by an aardvark."]
    first, second = counts(SKELETON_CONFIG, texts)
    assert first.shape[1] == SKELETON_CONFIG.word_features
    assert (first != second).nnz == 0
    surface = counts(NgramConfig(char_features=2**10, word_features=2**10), texts)
    assert (surface[0] != surface[1]).nnz > 0  # the surface view tells them apart


def test_saved_settings_are_the_models_own(toy_data, tmp_path):
    train = load_jsonl(toy_data["train"])[:40]
    config = NgramConfig(char_features=2**12, word_ngrams=(1, 3), word_features=2**10, c=0.5)
    model = NgramModel.fit([r.text for r in train], [int(r.label) for r in train], [1.0] * len(train), config)
    model.save(tmp_path, "member")
    assert {p.name for p in tmp_path.iterdir()} == {"member.npz", "member.json"}
    again = NgramModel.load(tmp_path, "member")
    assert again.config == config and again.intercept == pytest.approx(model.intercept)
    with pytest.raises(FileNotFoundError):
        NgramModel.load(tmp_path)  # the default name is "ngram"


def test_the_english_members_read_typos_mended_and_the_multilingual_one_does_not(toy_data, tmp_path):
    english = NgramConfig(char_features=2**10, word_features=2**10)
    other = NgramConfig(char_features=2**10, word_features=2**10, english=False)
    typo, plain = ["Thiys place is friedly"], ["This place is friendly"]
    assert (counts(english, typo) != counts(english, plain)).nnz == 0
    assert (counts(other, typo) != counts(other, plain)).nnz > 0
    train = load_jsonl(toy_data["train"])[:40]
    model = NgramModel.fit([r.text for r in train], [int(r.label) for r in train], [1.0] * len(train), other)
    model.save(tmp_path, "member")
    assert NgramModel.load(tmp_path, "member").config.english is False
    saved = json.loads((tmp_path / "member.json").read_text())
    del saved["english"]  # a member saved before the field existed: an English one
    (tmp_path / "member.json").write_text(json.dumps(saved))
    assert NgramModel.load(tmp_path, "member").config.english is True
