"""Character and word n-gram TF-IDF + logistic regression: the second member of the ensemble, and (with
`view="skeleton"`, word n-grams over `model/skeleton.py`'s skeleton) the third.

Why: the fine-tuned transformer reads the text in windows and misses surface statistics that a bag of n-grams over
the whole text catches (each member's AUROC on the held-out split and on ood_dev is in the manifest,
`ensemble.member_auroc`, and in the model card). Features are hashed, so the model is two float vectors and a few
settings — no vocabulary to store and no pickle to trust: `ngram.npz` is plain arrays, checksummed like every
artifact file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from .canonical import english_reading, plain_typography
from .skeleton import skeleton

SURFACE = "surface"  # the text's own characters and words
SKELETON = "skeleton"  # the words of its syntax skeleton (model/skeleton.py)


@dataclass(frozen=True)
class NgramConfig:
    view: str = SURFACE
    char_ngrams: tuple[int, int] = (1, 4)
    char_features: int = 2**18  # 0: no character n-grams
    word_ngrams: tuple[int, int] = (1, 2)
    word_features: int = 2**17
    c: float = 1.0  # inverse L2 strength of the logistic regression
    english: bool = True  # read the English way, typos mended (model/canonical.py); False: the multilingual member


# The skeleton member: word 1-4-grams of skeleton tokens (a skeleton's words are few, so longer n-grams carry the
# syntax); 2^18 hashed features keep its file at 0.8 MB.
SKELETON_CONFIG = NgramConfig(view=SKELETON, char_features=0, word_ngrams=(1, 4), word_features=2**18)


@lru_cache(maxsize=4)
def _vectorizers(config: NgramConfig) -> tuple[Any, Any]:
    """Hashing vectorizers are stateless: the same settings give the same features, nothing to store.

    Built once per config (cached), not on every call on the serving path.
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    common: dict[str, Any] = {"alternate_sign": False, "norm": None, "dtype": np.float32}
    char = (
        HashingVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, n_features=config.char_features, **common)
        if config.char_features
        else None
    )
    # Skeleton tokens are case-coded ("CZ3") and include punctuation: split on spaces only, keep case.
    tokens: dict[str, Any] = {"token_pattern": r"\S+", "lowercase": False} if config.view == SKELETON else {}
    word = HashingVectorizer(
        analyzer="word", ngram_range=config.word_ngrams, n_features=config.word_features, **tokens, **common
    )
    return char, word


def counts(config: NgramConfig, texts: Sequence[str]) -> sparse.csr_matrix:
    """Hashed n-gram counts of the texts, a row each: what `NgramModel.fit_counts` and `log_odds_of_counts` read."""
    char, word = _vectorizers(config)
    if config.view == SKELETON:
        return word.transform([skeleton(t) for t in texts]).tocsr()  # skeleton() reads plain typography itself
    read = english_reading if config.english else plain_typography  # the same n-grams whatever editor typed quotes
    plain = [read(t) for t in texts]
    parts = ([char.transform(plain)] if char is not None else []) + [word.transform(plain)]
    return sparse.hstack(parts).tocsr()


class NgramModel:
    def __init__(self, config: NgramConfig, idf: np.ndarray, coef: np.ndarray, intercept: float):
        from sklearn.feature_extraction.text import TfidfTransformer

        self.config, self.coef, self.intercept = config, coef.astype(np.float32), float(intercept)
        self._tfidf = TfidfTransformer(sublinear_tf=True)
        self._tfidf.idf_ = idf.astype(np.float64)

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[int], weights: Sequence[float], config: NgramConfig | None = None
    ) -> NgramModel:
        config = config or NgramConfig()
        return cls.fit_counts(counts(config, list(texts)), labels, weights, config)

    @classmethod
    def fit_counts(
        cls,
        matrix: sparse.csr_matrix,
        labels: Sequence[int] | np.ndarray,
        weights: Sequence[float] | np.ndarray,
        config: NgramConfig,
    ) -> NgramModel:
        """`fit` on counts already computed with `counts(config, ...)`: out-of-fold fits slice one matrix
        (`model/ensemble.py`) instead of hashing the same texts once per fold."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        tfidf = TfidfTransformer(sublinear_tf=True)
        features = tfidf.fit_transform(matrix)
        regression = LogisticRegression(C=config.c, solver="liblinear", max_iter=2000)
        regression.fit(features, np.asarray(labels), sample_weight=np.asarray(weights))
        return cls(config, tfidf.idf_, regression.coef_[0], float(regression.intercept_[0]))

    def log_odds(self, texts: Sequence[str]) -> np.ndarray:
        """The regression's decision value (log-odds of AI) per text."""
        return self.log_odds_of_counts(counts(self.config, list(texts)))

    def log_odds_of_counts(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """`log_odds` of rows of `counts(self.config, ...)`."""
        features = self._tfidf.transform(matrix)
        return np.asarray(features @ self.coef + self.intercept, dtype=np.float64).ravel()

    def save(self, folder: Path, name: str = "ngram") -> None:
        """Write `<name>.npz` (arrays) and `<name>.json` (settings); the member's name is the file stem."""
        # float16 halves the file (0.9 MB compressed); log-odds move by < 0.05 (tested), far below a decision.
        np.savez_compressed(
            Path(folder) / f"{name}.npz", idf=self._tfidf.idf_.astype(np.float16), coef=self.coef.astype(np.float16)
        )
        (Path(folder) / f"{name}.json").write_text(
            json.dumps({**asdict(self.config), "intercept": self.intercept}, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path, name: str = "ngram") -> NgramModel:
        data = json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))
        config = NgramConfig(
            view=str(data.get("view", SURFACE)),  # artifacts from before the skeleton view have no `view`
            char_ngrams=(int(data["char_ngrams"][0]), int(data["char_ngrams"][1])),
            char_features=int(data["char_features"]),
            word_ngrams=(int(data["word_ngrams"][0]), int(data["word_ngrams"][1])),
            word_features=int(data["word_features"]),
            c=float(data["c"]),
            english=bool(data.get("english", True)),  # the English members saved before the field are English
        )
        intercept = float(data["intercept"])
        with np.load(Path(folder) / f"{name}.npz") as arrays:
            return cls(config, arrays["idf"], arrays["coef"], intercept)
