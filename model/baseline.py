"""A length-only baseline: logistic regression on log word count, so no one mistakes length for skill."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from .data import Record


def _features(records: Sequence[Record]) -> np.ndarray:
    return np.array([[math.log1p(len(r.text.split()))] for r in records])


class LengthBaseline:
    def __init__(self) -> None:
        self.model = LogisticRegression(class_weight="balanced")

    def fit(self, records: Sequence[Record]) -> LengthBaseline:
        self.model.fit(_features(records), [int(r.label or 0) for r in records])
        return self

    def probabilities(self, records: Sequence[Record]) -> list[float]:
        return [float(p) for p in self.model.predict_proba(_features(records))[:, 1]]
