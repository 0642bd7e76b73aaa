"""How unlike the training texts a text is: the Detector widens the band where it answers `inconclusive` for
texts far from everything it was trained on, instead of guessing with confidence it has not earned.

The measure is a Mahalanobis distance in the transformer's own representation of the text (the length-weighted
mean of the windows' final [CLS] states, computed in the same forward pass as the score): a shrunk (Ledoit-Wolf)
covariance of the training texts, and the distance to the nearer of the two class means, so that a text typical
of either class is familiar. It is expressed in units of the 99th percentile of the held-out training texts'
distances: above 1, a text is further from the training data than 99% of texts like it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NPZ = "novelty.npz"
CONFIG = "novelty.json"


@dataclass
class NoveltyModel:
    means: np.ndarray  # one row per class (human, AI)
    precision: np.ndarray  # inverse of the shrunk shared covariance
    scale: float  # the reference quantile of held-out training distances
    quantile: float

    @classmethod
    def fit(
        cls, features: np.ndarray, labels: np.ndarray, reference: np.ndarray, quantile: float = 0.99
    ) -> NoveltyModel:
        """Fit on training texts' features; `reference` (held-out training texts) sets the unit."""
        from sklearn.covariance import LedoitWolf

        labels = np.asarray(labels)
        means = np.stack([features[labels == k].mean(axis=0) for k in (0, 1)])
        centred = features - means[labels]
        precision = LedoitWolf(assume_centered=True).fit(centred).precision_
        model = cls(means, precision, 1.0, quantile)
        model.scale = float(np.quantile(model.distance(reference), quantile))
        return model

    def distance(self, features: np.ndarray) -> np.ndarray:
        diffs = features[:, None, :] - self.means[None, :, :]  # texts x classes x dims
        squared = np.einsum("ncd,de,nce->nc", diffs, self.precision, diffs)
        return np.sqrt(np.maximum(squared.min(axis=1), 0.0))

    def novelty(self, features: np.ndarray) -> np.ndarray:
        """Distance in units of the reference quantile: above 1 is further than that share of held-out texts."""
        return self.distance(np.atleast_2d(features)) / self.scale

    def save(self, folder: Path) -> None:
        # float16 halves the file (the artifact has a 50 MB budget); distances move by well under 0.1%
        np.savez(folder / NPZ, means=self.means.astype(np.float32), precision=self.precision.astype(np.float16))
        config = {"scale": self.scale, "quantile": self.quantile, "dims": int(self.means.shape[1])}
        (folder / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> NoveltyModel:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        with np.load(folder / NPZ) as arrays:
            means, precision = arrays["means"].astype(np.float64), arrays["precision"].astype(np.float64)
        if means.shape[1] != config["dims"] or precision.shape != (config["dims"], config["dims"]):
            raise ValueError(f"{folder / NPZ} does not match {CONFIG}")
        return cls(means, precision, float(config["scale"]), float(config["quantile"]))
