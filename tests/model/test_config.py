"""The ML core's settings: `AIDETECTOR_TRAIN_*`, `AIDETECTOR_DETECT_*`, `AIDETECTOR_MULTILINGUAL_*` variables,
defaults, validation, and the parsed forms of the comma-separated settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from aidetector.model.config import (
    DetectSettings,
    MultilingualSettings,
    TrainSettings,
    comma_items,
    packaged_base_model,
)


@pytest.fixture
def clean_env(monkeypatch):
    for cls, prefix in ((TrainSettings, "TRAIN"), (DetectSettings, "DETECT"), (MultilingualSettings, "MULTILINGUAL")):
        for name in cls.model_fields:
            monkeypatch.delenv(f"AIDETECTOR_{prefix}_{name.upper()}", raising=False)
    return monkeypatch


def test_comma_items_strip_and_drop_empty_items():
    assert comma_items("a, b,") == ["a", "b"]
    assert comma_items(" , ") == [] and comma_items("") == []


def test_each_settings_class_reads_its_own_prefix(clean_env):
    clean_env.setenv("AIDETECTOR_TRAIN_EPOCHS", "2")
    clean_env.setenv("AIDETECTOR_TRAIN_FP16", "false")
    clean_env.setenv("AIDETECTOR_DETECT_MAX_CHARS", "50000")
    clean_env.setenv("AIDETECTOR_DETECT_WINDOW_TOKENS", "64")
    clean_env.setenv("AIDETECTOR_MULTILINGUAL_MIN_AUROC", "0.95")
    train, detect, multilingual = TrainSettings(), DetectSettings(), MultilingualSettings()
    assert (train.epochs, train.fp16) == (2.0, False)
    assert (detect.max_chars, detect.window_tokens) == (50_000, 64)
    assert multilingual.min_auroc == 0.95
    assert TrainSettings(epochs=3).epochs == 3.0  # arguments win over the environment


def test_defaults(clean_env):
    train, detect, multilingual = TrainSettings(), DetectSettings(), MultilingualSettings()
    assert train.base_model == "packaged:minilm-l6" and (train.max_length, train.batch_size) == (128, 32)
    assert train.parsed_source_weights() == {"argugpt": 0.5}
    assert train.parsed_train_sources() == frozenset() and train.parsed_split_together() == frozenset()
    assert (detect.min_words, detect.max_chars, detect.window_tokens) == (30, 100_000, None)
    assert detect.language_set() == {"en"}
    assert (multilingual.exclude_languages, multilingual.test_only_sources) == ("en", "airabic")


@pytest.mark.parametrize(
    ("cls", "bad"),
    [
        (TrainSettings, {"epochs": 0}),
        (TrainSettings, {"max_length": 4}),
        (TrainSettings, {"max_length": 1024}),
        (TrainSettings, {"valid_fraction": 0.5}),
        (TrainSettings, {"ema_decay": 1}),
        (TrainSettings, {"precision": "float16"}),
        (DetectSettings, {"stride_fraction": 0}),
        (DetectSettings, {"window_tokens": 8}),
        (DetectSettings, {"mixed_threshold": 1.5}),
        (DetectSettings, {"language_sample_chars": 10}),
        (MultilingualSettings, {"min_auroc": 0.5}),
        (MultilingualSettings, {"char_features": 100}),
    ],
)
def test_values_outside_their_range_are_refused(clean_env, cls, bad):
    with pytest.raises(ValidationError, match=next(iter(bad))):
        cls(**bad)


def test_comma_separated_settings_parse(clean_env):
    settings = TrainSettings(
        source_weights="a=0.5, b = 2,", train_sources="x, y", split_together="train.jsonl,extra.jsonl"
    )
    assert settings.parsed_source_weights() == {"a": 0.5, "b": 2.0}
    assert settings.parsed_train_sources() == frozenset({"x", "y"})
    assert settings.parsed_split_together() == frozenset({"train.jsonl", "extra.jsonl"})
    with pytest.raises(ValueError):
        TrainSettings(source_weights="a=lots").parsed_source_weights()
    assert DetectSettings(languages="EN, de,").language_set() == {"en", "de"}


def test_the_device_auto_means_the_gpu_when_torch_sees_one(clean_env):
    import torch

    assert TrainSettings().resolved_device() == ("cuda" if torch.cuda.is_available() else "cpu")
    assert TrainSettings(device="cpu").resolved_device() == "cpu"
    assert TrainSettings(device="cuda:1").resolved_device() == "cuda:1"


def test_the_packaged_base_model_comes_from_its_wheel(clean_env):
    folder = Path(packaged_base_model())
    assert folder.name == "model" and (folder / "config.json").is_file()
    assert TrainSettings().resolved_base_model() == str(folder)
    assert TrainSettings(base_model="/models/roberta").resolved_base_model() == "/models/roberta"
