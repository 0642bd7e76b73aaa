"""Mixed authorship through the public API: `label` "mixed" with `class_probabilities`, contiguous `segments` with
character offsets into the text sent, and the measured false-positive rates, in single and batch answers (the
OpenAPI test checks the shapes of every answer; these check the meaning)."""

import json

import pytest
import requests

from aidetector import resources
from tests.conftest import AI_WORDS, HUMAN_WORDS
from tests.integration.test_openapi import validate


def para(words, n=60):
    return " ".join(words[i % len(words)] for i in range(n)).capitalize() + "."


AI, HUMAN = para(AI_WORDS), para(HUMAN_WORDS)
MIXED = AI + "\n\n" + HUMAN + "\n\n" + AI


def post(api, key, path, body):
    answer = requests.post(api.url + path, json=body, headers={"x-api-key": key}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_mixed_text_is_labelled_mixed_with_its_parts(mixed_api, key):
    body = post(mixed_api, key, "/v1/detect", {"input_text": MIXED})
    validate(body, "Detection")
    assert body["label"] == "mixed" and body["reason"] is None and body["predicted_class"] in (0, 1)
    assert [s["label"] for s in body["segments"]] == ["ai", "human", "ai"]
    for segment, part in zip(body["segments"], (AI, HUMAN, AI), strict=True):
        assert MIXED[segment["start"] : segment["end"]] == part  # offsets index the text that was sent
    probabilities = body["class_probabilities"]
    assert set(probabilities) == {"ai", "human", "mixed"} and sum(probabilities.values()) == pytest.approx(1, abs=1e-5)
    assert probabilities["mixed"] == max(probabilities.values())
    assert body["false_positive_rates"] == [
        {"measured_on": "toy", "human_texts": 20, "false_positive_rate": 0.05, "interval95": [0.01, 0.12]}
    ]


def test_one_author_is_one_segment_and_batch_answers_carry_segments_too(mixed_api, key):
    body = post(mixed_api, key, "/v1/detect/batch", {"inputs": [AI + "\n\n" + AI, MIXED, "too short"]})
    validate(body, "BatchResponse")
    pure, mixed, short = body["results"]
    assert len(pure["segments"]) == 1 and pure["label"] != "mixed"
    assert pure["class_probabilities"]["mixed"] == 0 and pure["class_probabilities"]["ai"] == pure["probability_ai"]
    assert mixed["label"] == "mixed" and len(mixed["segments"]) == 3
    assert short["label"] == "inconclusive" and short["reason"] == "too_short"  # abstentions stand


def test_the_documented_labels_include_mixed():
    document = json.loads(resources.read_text(resources.OPENAPI))
    detection = document["components"]["schemas"]["Detection"]["properties"]
    assert "mixed" in detection["label"]["enum"]
    assert {"segments", "class_probabilities", "false_positive_rates"} <= set(detection)
