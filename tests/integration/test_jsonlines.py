"""JSON Lines on the model server, as SageMaker Batch Transform sends it (SplitType Line, BatchStrategy MultiRecord).

One JSON object per line in, one result per line out, in order; a bad line gets its own error line.
"""

import json

import pytest
import requests

from tests.conftest import AI_WORDS, HUMAN_WORDS
from tests.integration.test_model_server import runtime

AI_TEXT = " ".join(AI_WORDS * 2)
HUMAN_TEXT = " ".join(HUMAN_WORDS * 2)


def post_lines(url: str, body: bytes, content_type: str = "application/jsonlines") -> requests.Response:
    return requests.post(url + "/invocations", data=body, headers={"content-type": content_type}, timeout=60)


def lines_of(answer: requests.Response) -> list[dict]:
    return [json.loads(line) for line in answer.text.split("\n")[:-1]]


@pytest.mark.parametrize(
    "content_type",
    ["application/jsonlines", "application/x-jsonlines", "application/jsonl", "application/jsonlines; charset=utf-8"],
)
def test_one_result_per_line_in_order(server, content_type):
    texts = [AI_TEXT, HUMAN_TEXT] * 5  # more lines than the JSON batch limit (4 here): only the body size bounds it
    body = "".join(json.dumps({"input_text" if i % 2 else "text": t}) + "\n" for i, t in enumerate(texts)).encode()
    answer = post_lines(server.url, body, content_type)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jsonlines"
    assert answer.text.endswith("\n") and answer.text.count("\n") == len(texts)
    results = lines_of(answer)
    assert [r["input_text"] for r in results] == texts
    assert all(r["label"] in ("ai", "human", "inconclusive") and r["model_version"] for r in results)


def test_lines_score_like_the_json_contract(server):
    body = (json.dumps({"text": AI_TEXT}) + "\n" + json.dumps({"text": HUMAN_TEXT})).encode()  # no final newline
    lines = lines_of(post_lines(server.url, body))
    batch = requests.post(server.url + "/invocations", json={"inputs": [AI_TEXT, HUMAN_TEXT]}, timeout=60).json()
    for line, result in zip(lines, batch["results"], strict=True):
        assert line["probability_ai"] == pytest.approx(result["probability_ai"], abs=1e-4)
        assert {k: line[k] for k in ("tokens_total", "threshold", "model_version")} == {
            k: result[k] for k in ("tokens_total", "threshold", "model_version")
        }


def test_a_bad_line_gets_its_own_error_and_the_rest_are_scored(server):
    body = b"\r\n".join(
        [
            json.dumps({"text": AI_TEXT}).encode(),
            b"{not json",
            b"",  # an empty line in the middle is still a line
            b'["a list"]',
            b'{"body": "no text field"}',
            b'{"input_text": 42}',
            b'{"text": "   "}',
            b'{"text": "caf\xff"}',
            json.dumps({"input_text": HUMAN_TEXT}).encode(),
        ]
    )
    answer = post_lines(server.url, body + b"\r\n")
    assert answer.status_code == 200
    results = lines_of(answer)
    assert len(results) == 9
    codes = [r.get("error", {}).get("code") for r in results]
    assert codes == [
        None,
        "invalid_json",
        "invalid_json",
        "invalid_json",
        "missing_field",
        "invalid_field",
        "empty_text",
        "invalid_encoding",
        None,
    ]
    assert all(set(r) == {"error"} and r["error"]["message"] for r in results[1:8])
    assert results[0]["input_text"] == AI_TEXT and results[8]["input_text"] == HUMAN_TEXT


@pytest.mark.parametrize("body", [b"", b"\n", b"  \r\n"])
def test_an_empty_body_is_a_400(server, body):
    answer = post_lines(server.url, body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "empty_body"


def test_the_json_contract_is_unchanged_and_other_types_still_415(server):
    one = requests.post(server.url + "/invocations", json={"input_text": AI_TEXT}, timeout=30)
    assert one.status_code == 200 and one.headers["content-type"] == "application/json"
    assert one.json()["input_text"] == AI_TEXT
    refused = post_lines(server.url, b'{"text": "x"}\n', "text/csv")
    assert refused.status_code == 415 and refused.json()["error"]["code"] == "unsupported_media_type"


def test_boto3_invoke_endpoint_with_jsonlines(server):
    """The runtime path answers JSON Lines too (what a real endpoint would give a jsonlines caller)."""
    client = runtime(server.url)
    body = "\n".join(json.dumps({"text": t}) for t in (AI_TEXT, "", HUMAN_TEXT)) + "\n"
    answer = client.invoke_endpoint(
        EndpointName="local", ContentType="application/jsonlines", Accept="application/jsonlines", Body=body
    )
    assert answer["ContentType"] == "application/jsonlines"
    lines = [json.loads(line) for line in answer["Body"].read().decode().splitlines()]
    assert [line.get("error", {}).get("code") for line in lines] == [None, "empty_text", None]
