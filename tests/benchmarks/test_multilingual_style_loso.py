"""The style-feature experiment reads any script the same way: the same finite features for Chinese and German."""

from __future__ import annotations

import math
from pathlib import Path

from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    return load_module(ROOT / "benchmarks" / "multilingual_style_loso.py", "multilingual_style_loso")


def test_style_features_are_the_same_finite_set_in_any_script():
    script = load_script()
    german = script.features("Gestern waren wir am Hafen. Die Möwen haben gelacht! Oma hat sich beschwert, wie immer.")
    chinese = script.features("昨天我们带着小狗去老码头散步。弟弟一直在笑，海鸥偷走了薯条！奶奶抱怨停车费。")
    assert list(german) == list(chinese) and all(math.isfinite(v) for v in [*german.values(), *chinese.values()])
    assert german["is_cjk"] == 0.0 and chinese["is_cjk"] == 1.0
    assert german["n_sentences"] == 3 and chinese["n_sentences"] == 3
    assert chinese["p_cjk_stop"] > 0 and german["p_period"] > 0
