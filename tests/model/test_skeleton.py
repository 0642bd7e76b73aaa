"""The syntax skeleton and the n-gram member that reads it."""

from __future__ import annotations

import numpy as np

from aidetector.model.data import load_jsonl
from aidetector.model.metrics import auroc
from aidetector.model.ngram import SKELETON_CONFIG, NgramModel
from aidetector.model.skeleton import skeleton


def test_skeleton_by_hand():
    # "the", "was", "by", "an", "army", "of", "men" are among the commonest words; the rest become rarity classes.
    text = "The Manchus' continued dominance was ensured by an army of 2,000 men \u2014 \u201cthe best\u201d."
    assert skeleton(text) == "Cthe CZ2 A Z4 Z3 was Z3 by an army of D men - Q the best Q ."


def test_skeleton_drops_topic_and_layout():
    """Two sentences built alike about different things read alike; curly quotes and newlines change nothing."""
    assert skeleton("The ministers debated the tariff.") == skeleton("The senators debated the tariff.")
    assert skeleton("The ministers debated the tariff.") == "Cthe Z4 Z3 the Z3 ."
    assert skeleton("He said \u201cno\u201d.\n\nThen") == skeleton('He said "no". Then')


def test_skeleton_member_learns_and_round_trips(toy_data, tmp_path):
    train = load_jsonl(toy_data["train"])
    test = load_jsonl(toy_data["test"])
    texts = [r.text for r in train]
    model = NgramModel.fit(texts, [int(r.label) for r in train], [1.0] * len(train), SKELETON_CONFIG)
    scores = model.log_odds([r.text for r in test])
    assert auroc([int(r.label) for r in test], scores.tolist()) > 0.8
    model.save(tmp_path, "skeleton")
    assert {p.name for p in tmp_path.iterdir()} == {"skeleton.npz", "skeleton.json"}
    again = NgramModel.load(tmp_path, "skeleton")
    assert again.config == SKELETON_CONFIG
    assert np.max(np.abs(again.log_odds([r.text for r in test]) - scores)) < 0.05  # float16 storage
