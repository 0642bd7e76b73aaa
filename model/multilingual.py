"""Texts in other languages than English: one character n-gram member, calibrated per language, and an explicit list
of the languages it may judge.

Why this member: the English ensemble reads English (its transformer's vocabulary and its style features are
English), while hashed character n-grams read any script. One model over all the languages the data allows, each
with its own Platt scaling and threshold (its scores are not comparable across languages), measured against one
model per language and against frozen multilingual-e5-small embeddings (docs/BENCHMARKS.md, "Other languages").
A language is *supported* only when its held-out figures pass the rule in `MultilingualSettings` (model/config.py);
the list, thresholds and figures are the manifest's `multilingual` section, written by
`model/multilingual_build.py`. Every other language keeps `inconclusive` (`unsupported_language`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .calibration import Platt
from .ngram import NgramModel

MEMBER = "multilingual"  # multilingual.npz / multilingual.json beside the English members
SECTION = "multilingual"  # the manifest's section
SPLITS = ("train", "calibration", "test")


def split_of(source: str, group: str) -> str:
    """Which split a group of texts belongs to, by a hash of (source, group): 60% train, 20% calibration (Platt and
    threshold), 20% test. Whole groups (a human text and the AI texts made from it) stay on one side."""
    bucket = int(hashlib.sha256(f"{source}|{group}".encode()).hexdigest(), 16) % 10
    return SPLITS[0] if bucket < 6 else SPLITS[1] if bucket < 8 else SPLITS[2]


@dataclass(frozen=True)
class LanguageCalibration:
    platt: Platt
    threshold: float


class MultilingualMember:
    """The member and the calibration of each supported language, as loaded from a model folder."""

    def __init__(self, model: NgramModel, calibrations: dict[str, LanguageCalibration]):
        self.model = model
        self.calibrations = calibrations

    @property
    def supported(self) -> frozenset[str]:
        return frozenset(self.calibrations)

    @classmethod
    def load(cls, folder: Path, section: dict[str, Any]) -> MultilingualMember:
        """From the member's files in `folder` and the manifest's `multilingual` section."""
        languages = section.get("languages", {})
        calibrations = {
            code: LanguageCalibration(Platt(**languages[code]["platt"]), float(languages[code]["threshold"]))
            for code in section.get("supported", [])
        }
        return cls(NgramModel.load(Path(folder), str(section.get("member", MEMBER))), calibrations)

    def threshold(self, language: str) -> float:
        return self.calibrations[language].threshold

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> list[float]:
        """Calibrated P(AI) of each text in its language (each must be supported)."""
        if not texts:
            return []
        log_odds = self.model.log_odds(texts)
        return [
            self.calibrations[code].platt.probability(float(z)) for z, code in zip(log_odds, languages, strict=True)
        ]
