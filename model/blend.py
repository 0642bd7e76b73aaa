"""The ensemble's blend, one rule for every caller: log-odds = transformer + w * ngram + a * style.

The Detector blends with the weights in the manifest; `aidetector ensemble` blends with every candidate weight pair
to choose them. Both call these functions, so the weights chosen are the weights applied to the same scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .ngram import NgramModel
from .style import StyleModel

LEXICAL_MEMBERS = ("ngram", "skeleton")  # n-gram members, by file stem (model/ngram.py); the style trees may read them
BLENDED_MEMBERS = ("transformer", "ngram", "style")  # what the blend adds (the skeleton only feeds the style trees)

ArrayLike = Sequence[float] | np.ndarray


def member_log_odds(
    texts: Sequence[str], lexical: Mapping[str, NgramModel], style: StyleModel | None
) -> dict[str, np.ndarray]:
    """Each member's log-odds besides the transformer's, by name: the n-gram members, then the style trees fed the
    ones they read."""
    scores = {name: model.log_odds(texts) for name, model in lexical.items()}
    if style is not None:
        scores["style"] = style.log_odds(texts, stacked={name: scores[name] for name in style.inputs})
    return scores


def blend(
    transformer: ArrayLike, members: Mapping[str, ArrayLike], ngram_weight: float, style_weight: float
) -> np.ndarray:
    """The blended log-odds; a member the model lacks adds nothing."""
    blended = np.asarray(transformer, dtype=np.float64)
    if "ngram" in members:
        blended = blended + ngram_weight * np.asarray(members["ngram"], dtype=np.float64)
    if "style" in members:
        blended = blended + style_weight * np.asarray(members["style"], dtype=np.float64)
    return blended
