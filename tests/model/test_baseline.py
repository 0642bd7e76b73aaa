"""The length-only baseline: it reads how long a text is and nothing else."""

from __future__ import annotations

import pytest

from aidetector.model.baseline import LengthBaseline
from aidetector.model.data import Record


def records(lengths_and_labels: list[tuple[int, int]], word: str = "word") -> list[Record]:
    return [Record(" ".join([word] * n), label, f"g{i}", {}) for i, (n, label) in enumerate(lengths_and_labels)]


def test_it_learns_length_and_only_length():
    train = records([(5, 0), (8, 0), (10, 0), (12, 0), (40, 1), (55, 1), (70, 1), (90, 1)])
    baseline = LengthBaseline().fit(train)
    short, long = baseline.probabilities(records([(6, 0), (80, 0)]))
    assert 0 <= short < 0.5 < long <= 1
    assert baseline.probabilities(records([(6, 0)], word="furthermore")) == [short]  # the words do not matter
    ordered = baseline.probabilities(records([(n, 0) for n in (1, 10, 30, 100, 1000)]))
    assert ordered == sorted(ordered)


def test_classes_are_balanced_whatever_their_sizes():
    """Nine short human texts and one long AI text: a midway length is not called human for numbers alone."""
    train = records([(10, 0)] * 9 + [(100, 1)])
    assert LengthBaseline().fit(train).probabilities(records([(32, 0)]))[0] == pytest.approx(0.5, abs=0.15)


def test_it_must_be_fitted_first():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LengthBaseline().probabilities(records([(5, 0)]))
