"""The ensemble's one blend rule: log-odds = transformer + w * ngram + a * style, and the members' log-odds it reads."""

from __future__ import annotations

import numpy as np
import pytest

from aidetector.model.blend import BLENDED_MEMBERS, LEXICAL_MEMBERS, blend, member_log_odds
from aidetector.model.data import load_jsonl
from aidetector.model.ngram import NgramConfig, NgramModel
from aidetector.model.style import StyleConfig, StyleModel


def test_the_blend_adds_weighted_members():
    blended = blend([0.5, -1.0], {"ngram": [2.0, -2.0], "style": [1.0, 4.0]}, ngram_weight=0.25, style_weight=0.5)
    assert blended.dtype == np.float64
    assert blended.tolist() == [0.5 + 0.5 + 0.5, -1.0 - 0.5 + 2.0]


def test_a_member_the_model_lacks_adds_nothing_and_the_skeleton_is_never_blended():
    transformer = np.array([0.1, 0.2])
    assert blend(transformer, {}, 5.0, 5.0).tolist() == [0.1, 0.2]
    assert blend(transformer, {"skeleton": [9.0, 9.0]}, 5.0, 5.0).tolist() == [0.1, 0.2]
    assert blend(transformer, {"style": [1.0, 1.0]}, 5.0, 0.0).tolist() == [0.1, 0.2]  # weight 0: as if absent
    assert set(BLENDED_MEMBERS) == {"transformer", "ngram", "style"} and "skeleton" in LEXICAL_MEMBERS


@pytest.fixture(scope="module")
def members(toy_data):
    train = load_jsonl(toy_data["train"])[:80]
    texts, labels, weights = [r.text for r in train], [int(r.label) for r in train], [1.0] * len(train)
    ngram = NgramModel.fit(texts, labels, weights, NgramConfig(char_features=2**12, word_features=2**10))
    style = StyleModel.fit(
        texts, labels, weights, StyleConfig(max_iter=10, min_samples_leaf=5), stacked={"ngram": ngram.log_odds(texts)}
    )
    return ngram, style, [r.text for r in load_jsonl(toy_data["test"])[:6]]


def test_members_are_scored_lexical_first_then_the_style_trees_fed_what_they_read(members):
    ngram, style, texts = members
    scores = member_log_odds(texts, {"ngram": ngram}, style)
    assert list(scores) == ["ngram", "style"]
    assert np.array_equal(scores["ngram"], ngram.log_odds(texts))
    assert np.array_equal(scores["style"], style.log_odds(texts, stacked={"ngram": ngram.log_odds(texts)}))
    assert list(member_log_odds(texts, {"ngram": ngram}, None)) == ["ngram"]


def test_style_trees_that_read_a_missing_member_cannot_be_scored(members):
    _, style, texts = members
    with pytest.raises(KeyError, match="ngram"):
        member_log_odds(texts, {}, style)
