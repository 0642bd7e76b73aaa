"""What a request costs the model, in work tokens, on the tiny real model: the windows it reads plus a share per
text, more with per-sentence scores, and a request over the cap refused with 413 `too_much_work`, for long texts
before any tokenising."""

from __future__ import annotations

import re

import pytest

from aidetector.model.detector import Detector
from aidetector.model.forward import special_token_count, token_ids
from aidetector.model.sentences import split_sentences
from aidetector.serving.codec import RequestError
from aidetector.serving.cost import SENTENCE_OVERHEAD, TEXT_OVERHEAD, work_tokens
from tests.conftest import AI_WORDS, HUMAN_WORDS

SHORT = " ".join(HUMAN_WORDS[:8])
LONG = " ".join(AI_WORDS * 12)  # many windows of the tiny model
SENTENCES = "The gulls stole his chips. Grandma complained about parking. We walked down to the harbour."


@pytest.fixture(scope="module")
def detector(tiny_artifact) -> Detector:
    return Detector.from_path(tiny_artifact)


def test_a_text_in_one_window_costs_its_tokens_the_special_tokens_and_a_share(detector):
    ids = token_ids(detector.artifact.tokenizer, [SHORT])[0]
    assert len(detector.plan.windows(ids)) == 1
    specials = special_token_count(detector.artifact.tokenizer)
    assert work_tokens(detector, [SHORT], False, 1e9) == [len(ids) + specials + TEXT_OVERHEAD]


def test_a_long_text_costs_every_window_it_is_read_in(detector):
    ids = token_ids(detector.artifact.tokenizer, [LONG])[0]
    windows = detector.plan.windows(ids)
    assert len(windows) > 1
    specials = special_token_count(detector.artifact.tokenizer)
    [cost] = work_tokens(detector, [LONG], False, 1e9)
    assert cost == sum(len(w.ids) for w in windows) + specials * len(windows) + TEXT_OVERHEAD
    assert cost > len(ids) + specials + TEXT_OVERHEAD  # overlapping windows read some tokens twice


def test_sentence_scores_add_the_text_again_and_a_share_per_sentence(detector):
    [plain] = work_tokens(detector, [SENTENCES], False, 1e9)
    [with_sentences] = work_tokens(detector, [SENTENCES], True, 1e9)
    tokens = len(token_ids(detector.artifact.tokenizer, [SENTENCES])[0])
    assert len(split_sentences(SENTENCES)) == 3
    assert with_sentences - plain == tokens + 3 * SENTENCE_OVERHEAD


def test_each_text_has_its_own_cost_in_the_order_sent(detector):
    costs = work_tokens(detector, [SHORT, LONG, SHORT], False, 1e9)
    assert costs[0] == costs[2] < costs[1]
    assert work_tokens(detector, [], False, 0) == []


def test_a_request_of_exactly_the_cap_passes_and_one_token_more_is_413(detector):
    total = sum(work_tokens(detector, [SHORT, LONG], True, 1e9))
    assert sum(work_tokens(detector, [SHORT, LONG], True, total)) == total
    with pytest.raises(RequestError) as caught:
        work_tokens(detector, [SHORT, LONG], True, total - 1)
    error = caught.value
    assert (error.status, error.code) == (413, "too_much_work")
    assert f"this request of 2 texts needs more than {total - 1} work tokens" in error.message


def test_a_huge_text_is_refused_by_its_word_count_before_it_is_tokenised(detector):
    """The floor: at least one token a word (up to what the windows read), so the refusal needs only a split."""
    words = 50_000
    huge = " ".join(HUMAN_WORDS[i % len(HUMAN_WORDS)] for i in range(words))
    with pytest.raises(RequestError) as caught:
        work_tokens(detector, [huge], False, 4096)
    counted = int(re.search(r"counted so far: (\d+)", caught.value.message).group(1))
    most = detector.plan.max_windows * detector.plan.content_tokens
    assert counted == min(words, most) + TEXT_OVERHEAD  # the floor's count, not a tokeniser's


def test_a_batch_is_refused_at_the_first_text_that_passes_the_cap(detector):
    """A hostile batch of many long texts costs the split of the texts up to the cap, not of all of them."""
    one = work_tokens(detector, [LONG], False, 1e9)[0]
    with pytest.raises(RequestError) as caught:
        work_tokens(detector, [LONG] * 1000, False, one * 2.5)
    counted = int(re.search(r"counted so far: (\d+)", caught.value.message).group(1))
    assert counted < one * 4 and "of 1000 texts" in caught.value.message
