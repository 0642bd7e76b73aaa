"""Stylometric member of the ensemble: whole-text statistics fed to gradient-boosted trees.

Why: the transformer reads WordPiece windows and the n-gram member reads bags of n-grams; neither sees how rare the
words are against general English (word frequencies from the `wordfreq` package), how much sentence lengths vary
("burstiness"), how diverse the vocabulary is, or how the text uses punctuation. Measured with the shipped
transformer and n-gram member (the weight grid in the model card): adding these trees lifts AUROC on the held-out
split, on ood_dev and on test.

The text is canonicalised first: Unicode NFKC (an ellipsis becomes three dots), curly quotes and dashes to ASCII as
every member reads them (`model/canonical.py`), every run of whitespace to one space. In our data newlines and
curly quotes record how a corpus was prepared, not who wrote it: none of the Fast-DetectGPT human texts has a
newline while 91% of its AI texts do, and ood_dev has no newline at all. Trees that learned such marks would call a
person's text AI for having paragraphs.

The trees are stored as plain arrays (`style.npz`, checksummed like every artifact file) and walked with numpy:
no pickle to trust, no dependence on scikit-learn's private classes at load time.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .canonical import canonical
from .rarity import zipf

NPZ = "style.npz"
CONFIG = "style.json"

_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_PUNCTUATION = ",.;:!?\"'()-*#/%&["
_DIVERSITY_WORDS = 150  # type-token ratios over a fixed prefix, so they do not fall with length alone

FEATURE_NAMES: tuple[str, ...] = (
    "log_words", "log_chars", "chars_per_word",
    "zipf_mean", "zipf_std", "zipf_p5", "zipf_p10", "zipf_p25", "zipf_p50", "zipf_p75",
    "unknown_words", "zipf_below_2", "zipf_below_3", "zipf_below_4", "zipf_above_6",
    "type_token_ratio", "hapax_ratio",
    "log_sentences", "sentence_words_mean", "sentence_words_std", "sentence_words_cv", "sentence_words_max",
    "repeated_trigrams", "zlib_ratio",
    *(f"per_100_chars[{c}]" for c in _PUNCTUATION),
    "digits", "uppercase", "capitalised_words", "ends_with_terminal", "starts_lowercase", "word_length_mean",
)  # fmt: skip


def style_features(text: str) -> list[float]:
    """One row of `FEATURE_NAMES` for a text."""
    t = canonical(text)
    words = _WORD.findall(t)
    lower = [w.lower() for w in words] or ["x"]
    rarity = np.array([zipf(w) for w in lower])
    n_words, n_chars = len(lower), max(len(t), 1)
    sentences = [s for s in _SENTENCE.findall(t) if s.strip()]
    lengths = np.array([len(_WORD.findall(s)) for s in sentences] or [0])
    trigrams = list(zip(lower, lower[1:], lower[2:], strict=False))
    prefix = Counter(lower[:_DIVERSITY_WORDS])
    prefix_len = min(n_words, _DIVERSITY_WORDS)
    row = [
        np.log1p(n_words), np.log1p(n_chars), n_chars / n_words,
        rarity.mean(), rarity.std(), *np.percentile(rarity, [5, 10, 25, 50, 75]),
        (rarity == 0).mean(), (rarity < 2).mean(), (rarity < 3).mean(), (rarity < 4).mean(), (rarity > 6).mean(),
        len(prefix) / prefix_len, sum(1 for v in prefix.values() if v == 1) / prefix_len,
        np.log1p(len(sentences)), lengths.mean(), lengths.std(), lengths.std() / (lengths.mean() + 1e-6),
        lengths.max(),
        1 - len(set(trigrams)) / max(len(trigrams), 1),
        len(zlib.compress(t.encode())) / max(len(t.encode()), 1),
    ]  # fmt: skip
    row += [t.count(c) / n_chars * 100 for c in _PUNCTUATION]
    row += [
        sum(c.isdigit() for c in t) / n_chars,
        sum(c.isupper() for c in t) / n_chars,
        sum(1 for w in words if w[:1].isupper()) / n_words,
        float(t[-1:] in ".!?\"'") if t else 0.0,
        float(t[:1].islower()),
        float(np.mean([len(w) for w in lower])),
    ]
    return [float(v) for v in row]


def feature_matrix(texts: Sequence[str]) -> np.ndarray:
    """Rows of `style_features`; NaN cannot occur (every ratio has a non-zero denominator), so the trees' rules for
    missing values are never needed."""
    return np.array([style_features(t) for t in texts], dtype=np.float64).reshape(-1, len(FEATURE_NAMES))


@dataclass(frozen=True)
class StyleConfig:
    """Gradient boosting settings (scikit-learn's HistGradientBoostingClassifier), from a small sweep that judged
    each by the blend's AUROC on the held-out split and on ood_dev."""

    max_iter: int = 600
    learning_rate: float = 0.05
    max_leaf_nodes: int = 63
    min_samples_leaf: int = 200
    l2_regularization: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class _Trees:
    """Every tree's nodes in flat arrays; `roots[i]` is tree i's first node. Leaves carry the shrunk value."""

    feature: np.ndarray  # int16
    threshold: np.ndarray  # float64: a sample goes left when its value <= threshold
    left: np.ndarray  # int32, absolute node index
    right: np.ndarray  # int32
    value: np.ndarray  # float64, leaf value (0 on split nodes)
    is_leaf: np.ndarray  # bool
    roots: np.ndarray  # int32

    def raw(self, features: np.ndarray, baseline: float) -> np.ndarray:
        """baseline + the sum of each tree's leaf value: the classifier's decision function (log-odds).

        All trees descend together, one level per step, so the cost is the depth of the deepest tree in numpy calls.
        """
        rows = np.arange(len(features))[:, None]
        node = np.broadcast_to(self.roots, (len(features), len(self.roots))).astype(np.int64)
        active = ~self.is_leaf[node]
        while active.any():
            at = node[active]
            go_left = features[np.broadcast_to(rows, node.shape)[active], self.feature[at]] <= self.threshold[at]
            node[active] = np.where(go_left, self.left[at], self.right[at])
            active = ~self.is_leaf[node]
        return baseline + self.value[node].sum(axis=1)


def _export(classifier: object) -> tuple[_Trees, float]:
    """Flatten a fitted HistGradientBoostingClassifier into `_Trees`.

    Reads its private `_predictors` and `_baseline_prediction`, only at fit time; a test checks that the exported
    trees give the classifier's own decision function, so a scikit-learn that changes them fails there, not in use.
    """
    parts: list[np.ndarray] = []
    roots: list[int] = []
    offset = 0
    for (predictor,) in classifier._predictors:  # type: ignore[attr-defined]  # binary: one tree per iteration
        nodes = predictor.nodes
        if nodes["is_categorical"].any():  # never here: every feature is numeric
            raise ValueError("categorical splits are not supported")
        shifted = nodes.copy()
        shifted["left"] += offset
        shifted["right"] += offset
        parts.append(shifted)
        roots.append(offset)
        offset += len(nodes)
    nodes = np.concatenate(parts)
    leaf = nodes["is_leaf"].astype(bool)
    trees = _Trees(
        feature=nodes["feature_idx"].astype(np.int16),
        threshold=nodes["num_threshold"].astype(np.float64),
        left=nodes["left"].astype(np.int32),
        right=nodes["right"].astype(np.int32),
        value=np.where(leaf, nodes["value"], 0.0).astype(np.float64),
        is_leaf=leaf,
        roots=np.asarray(roots, dtype=np.int32),
    )
    return trees, float(np.ravel(classifier._baseline_prediction)[0])  # type: ignore[attr-defined]


LogOdds = Sequence[float] | np.ndarray  # one member's log-odds per text


def _columns(inputs: Sequence[str]) -> list[str]:
    """The trees' feature columns: the style features, then each stacked member's log-odds."""
    return [*FEATURE_NAMES, *(f"{member}_log_odds" for member in inputs)]


class StyleModel:
    """The trees read the style features and, when stacked, other members' log-odds (`inputs`, in order).

    Why stacked: the n-gram members' log-odds are strong inputs whose reliability depends on the text (its length,
    its rarity profile); trees that see both learn when to trust them, which a fixed blend weight cannot. The
    inputs must be out-of-fold at fit time (`model/ensemble.py`), or the trees learn to trust in-sample scores.
    """

    def __init__(self, config: StyleConfig, trees: _Trees, baseline: float, inputs: Sequence[str] = ()):
        self.config, self.trees, self.baseline, self.inputs = config, trees, baseline, tuple(inputs)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        weights: Sequence[float],
        config: StyleConfig | None = None,
        stacked: Mapping[str, LogOdds] | None = None,
    ) -> StyleModel:
        from sklearn.ensemble import HistGradientBoostingClassifier

        config = config or StyleConfig()
        stacked = stacked or {}
        classifier = HistGradientBoostingClassifier(
            max_iter=config.max_iter,
            learning_rate=config.learning_rate,
            max_leaf_nodes=config.max_leaf_nodes,
            min_samples_leaf=config.min_samples_leaf,
            l2_regularization=config.l2_regularization,
            early_stopping=False,  # a fixed schedule: the held-out split stays for the blend and its calibration
            random_state=config.seed,
        )
        features = _with_inputs(feature_matrix(texts), tuple(stacked), stacked)
        classifier.fit(features, np.asarray(labels), sample_weight=np.asarray(weights, dtype=np.float64))
        trees, baseline = _export(classifier)
        return cls(config, trees, baseline, tuple(stacked))

    def log_odds(self, texts: Sequence[str], stacked: Mapping[str, LogOdds] | None = None) -> np.ndarray:
        """The trees' log-odds of AI per text; `stacked` gives the log-odds of each member named in `inputs`."""
        return self.trees.raw(_with_inputs(feature_matrix(texts), self.inputs, stacked or {}), self.baseline)

    def save(self, folder: Path) -> None:
        np.savez_compressed(Path(folder) / NPZ, **asdict(self.trees))
        meta = {**asdict(self.config), "baseline": self.baseline, "inputs": list(self.inputs)}
        (Path(folder) / CONFIG).write_text(
            json.dumps({**meta, "features": _columns(self.inputs)}, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> StyleModel:
        data = json.loads((Path(folder) / CONFIG).read_text(encoding="utf-8"))
        inputs = tuple(data.get("inputs", []))  # models from before stacking have none
        if data.get("features") != _columns(inputs):
            raise ValueError(f"{folder / CONFIG} was fitted on other style features than this code computes")
        config = StyleConfig(**{k: data[k] for k in StyleConfig.__dataclass_fields__})
        with np.load(Path(folder) / NPZ) as arrays:
            trees = _Trees(**{k: arrays[k] for k in _Trees.__dataclass_fields__})
        return cls(config, trees, float(data["baseline"]), inputs)


def _with_inputs(features: np.ndarray, inputs: Sequence[str], stacked: Mapping[str, LogOdds]) -> np.ndarray:
    """The style features with the stacked members' log-odds appended as columns, in the order of `inputs`."""
    missing = [m for m in inputs if m not in stacked]
    if missing or set(stacked) - set(inputs):
        raise ValueError(f"the style trees read the log-odds of {list(inputs)}, got {sorted(stacked)}")
    columns = [np.asarray(stacked[m], dtype=np.float64).reshape(-1, 1) for m in inputs]
    if any(len(c) != len(features) for c in columns):
        raise ValueError("stacked log-odds and texts differ in number")
    return np.hstack([features, *columns]) if columns else features
