"""Tokenizing and batching of windows: the padding width depends on a window's own length only."""

import pytest

from aidetector.model.artifact import load_artifact
from aidetector.model.forward import encode_batch, padded_width, score_windows, token_ids


@pytest.fixture(scope="module")
def loaded(tiny_artifact):
    return load_artifact(tiny_artifact)


def test_padded_width_rounds_up_to_the_multiple():
    assert [padded_width(n, 32) for n in (1, 32, 33, 64, 65, 130)] == [32, 32, 64, 64, 96, 160]


def test_encode_batch_pads_to_the_requested_width(loaded):
    batch = encode_batch(loaded.tokenizer, [[5, 6, 7], [5]], width=32)
    assert tuple(batch["input_ids"].shape) == (2, 32)
    assert batch["attention_mask"].sum(dim=1).tolist() == [5, 3]  # [CLS] ids [SEP], the rest padding


def test_windows_score_the_same_alone_and_in_any_batch(loaded):
    windows = [[7] * 5, [9] * 40, [11] * 20, [7, 9, 11] * 10]
    together = score_windows(loaded.model, loaded.tokenizer, windows, batch_size=3)
    alone = [score_windows(loaded.model, loaded.tokenizer, [w], batch_size=1)[0] for w in windows]
    assert together.tolist() == pytest.approx(alone, abs=1e-5)


def test_token_ids_read_plain_typography_and_truncate_nothing(loaded):
    curly = "\u201cthe cat\u201d \u2014 it\u2019s here " * 100
    plain = '"the cat" - it\'s here ' * 100
    ids = token_ids(loaded.tokenizer, [curly, plain, "the cat"], batch=2)  # batches of 2: the result is one list
    assert ids[0] == ids[1] and len(ids[0]) > 512  # no model-length truncation
    assert ids[2] == loaded.tokenizer("the cat", add_special_tokens=False)["input_ids"]
