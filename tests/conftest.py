"""Shared fixtures: a tiny randomly initialised BERT with its own tokenizer, and small labelled datasets.

Everything is built here, in seconds, with no network and no `../shared` data.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_stack"]

HUMAN_WORDS = (
    "honestly we walked down to the old harbour yesterday and my brother kept laughing about the "
    "weird gulls that stole his chips while grandma complained loudly about parking fees again"
).split()
AI_WORDS = (
    "furthermore it is important to note that this comprehensive approach delves into multifaceted "
    "aspects ultimately fostering a nuanced understanding and seamless integration of key insights"
).split()


def make_records(n: int, seed: int = 0, words: int = 60) -> list[dict]:
    """Half human, half AI texts with different vocabularies, paired by `group` like the real data."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        vocab = AI_WORDS if label else HUMAN_WORDS
        text = " ".join(rng.choice(vocab) for _ in range(words)).capitalize() + "."
        rows.append(
            {
                "text": text,
                "label": label,
                "source": "toy_a" if i % 4 < 2 else "toy_b",
                "generator": "toy-llm" if label else "human",
                "domain": "d1" if i % 3 else "d2",
                "group": f"g{i // 2}",
            }
        )
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """moto standing in for AWS (the only thing tests mock), with dummy credentials and a region."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece tokenizer over the toy vocabulary: its whole words, and every letter
    alone and as a continuation, so other words split into letters. The vocabulary is written out rather than
    trained: tokenizers' WordPiece trainer picks a different vocabulary on each run, which made the tiny model, and
    the scores tests compare, differ from one test session to the next."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_base")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = sorted({*HUMAN_WORDS, *AI_WORDS, *"the quick brown fox jumps over the lazy dog".split()})
    letters = sorted({c for w in words for c in w})
    vocab = [*specials, *letters, *(f"##{c}" for c in letters), *(w for w in words if w not in letters)]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=2,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def toy_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("toy_data")
    return {
        "train": write_jsonl(folder / "train.jsonl", make_records(160, seed=1)),
        "test": write_jsonl(folder / "test.jsonl", make_records(40, seed=2)),
    }


@pytest.fixture(scope="session")
def tiny_settings(tiny_base: Path):  # type: ignore[no-untyped-def]
    from aidetector.model.config import TrainSettings

    return TrainSettings(
        base_model=str(tiny_base),
        epochs=5,
        max_length=32,
        batch_size=16,
        learning_rate=1e-3,
        eval_every=10,
        patience=10,
        valid_fraction=0.2,
        num_threads=1,
        warmup_fraction=0.0,
        fp16=False,
        # A random tiny model cannot learn with frozen random embeddings (its logits then differ by ~0.01 and the
        # results hang on float noise); unfrozen, it learns the toy task for real in 40 steps.
        freeze_embeddings=False,
    )


@pytest.fixture(scope="session")
def tiny_artifact(tiny_settings, toy_data: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A real (short) training run of the tiny model on the toy data."""
    from aidetector.model.train import train

    out = tmp_path_factory.mktemp("artifacts") / "tiny"
    return train([toy_data["train"]], out, tiny_settings, progress=False)
