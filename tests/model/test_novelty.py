"""The novelty check: distances in units of held-out texts' 99th percentile, saved and loaded, read by the Detector."""

import shutil

import numpy as np
import pytest

from aidetector.model.config import DetectSettings
from aidetector.model.detector import Detector
from aidetector.model.novelty import NoveltyModel
from tests.conftest import AI_WORDS, HUMAN_WORDS


def gaussian_classes(rng, n, dims=8):
    labels = rng.integers(0, 2, n)
    features = rng.normal(size=(n, dims)) + labels[:, None] * 3.0
    return features, labels


def test_typical_texts_of_either_class_are_familiar_and_far_ones_are_not():
    rng = np.random.default_rng(0)
    features, labels = gaussian_classes(rng, 2000)
    reference, _ = gaussian_classes(rng, 500)
    model = NoveltyModel.fit(features, labels, reference)
    assert np.mean(model.novelty(reference) > 1) == pytest.approx(0.01, abs=0.005)  # the unit is their 99th pct
    typical_ai = np.full((1, 8), 3.0)
    typical_human = np.zeros((1, 8))
    far = np.full((1, 8), 12.0)
    assert model.novelty(typical_ai)[0] < 0.5 and model.novelty(typical_human)[0] < 0.5
    assert model.novelty(far)[0] > 2


def test_round_trip_keeps_the_distances(tmp_path):
    rng = np.random.default_rng(1)
    features, labels = gaussian_classes(rng, 400)
    model = NoveltyModel.fit(features, labels, features[:100])
    model.save(tmp_path)
    loaded = NoveltyModel.load(tmp_path)
    assert loaded.novelty(features[:50]) == pytest.approx(model.novelty(features[:50]), rel=1e-3)  # float16 on disk


def test_the_detector_answers_inconclusive_for_unfamiliar_texts_near_the_threshold(tiny_artifact, tmp_path):
    model_dir = tmp_path / "m"
    shutil.copytree(tiny_artifact, model_dir)
    plain = Detector.from_path(model_dir)
    texts = [" ".join(HUMAN_WORDS * 2), " ".join(AI_WORDS * 2)]
    _, states = plain.transformer_log_odds_and_states(texts)
    # A novelty model fitted far from every real text: each text is unfamiliar.
    far = NoveltyModel(means=states.mean(axis=0, keepdims=True).repeat(2, axis=0) + 50.0,
                       precision=np.eye(states.shape[1]), scale=1.0, quantile=0.99)  # fmt: skip
    far.save(model_dir)
    wide = Detector.from_path(model_dir, DetectSettings(unfamiliar_margin=50.0))
    for result in wide.detect(texts):
        assert result.novelty is not None and result.novelty > 1
        assert result.label == "inconclusive" and result.reason == "unfamiliar_text"
        assert result.to_dict()["novelty"] == result.novelty
    narrow = Detector.from_path(model_dir, DetectSettings(unfamiliar_margin=0.0, inconclusive_margin=0.0))
    assert all(r.confidence != "high" and r.reason is None for r in narrow.detect(texts))
    assert "novelty" not in plain.detect(texts)[0].to_dict()  # a model without the check says nothing about it
