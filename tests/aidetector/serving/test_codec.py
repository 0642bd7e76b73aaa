"""The model server's request/response contract: bodies decoded with a status and a stable code for each refusal,
answers encoded with the text echoed (cut past `echo_chars`), and JSON Lines where a bad line fails alone."""

from __future__ import annotations

import json

import pytest

from aidetector.model.detector import Detection
from aidetector.serving.codec import (
    JSONLINES_TYPES,
    RequestError,
    decode,
    decode_lines,
    echo,
    encode,
    encode_lines,
    encode_result,
    is_jsonlines,
)

MAX_BODY, MAX_ITEMS = 1000, 3


def detection(probability: float = 0.9, version: str = "v1") -> Detection:
    return Detection(
        predicted_class=int(probability >= 0.5),
        label="ai" if probability >= 0.5 else "human",
        probability_ai=probability,
        confidence="high",
        threshold=0.5,
        tokens_total=12,
        tokens_used=12,
        windows=1,
        model_version=version,
    )


def refused(call, *args) -> RequestError:
    with pytest.raises(RequestError) as caught:
        call(*args)
    return caught.value


def test_one_text_or_a_batch_with_the_sentences_flag():
    single = decode(b'{"input_text": "hello"}', "application/json", MAX_BODY, MAX_ITEMS)
    assert (single.texts, single.batch, single.sentences) == (["hello"], False, False)
    batch = decode(b'{"inputs": ["a", "b"], "sentences": true}', "application/json; charset=utf-8", MAX_BODY, 3)
    assert (batch.texts, batch.batch, batch.sentences) == (["a", "b"], True, True)
    assert decode(b'{"input_text": "x"}', None, MAX_BODY, MAX_ITEMS).texts == ["x"]  # no type: JSON is assumed


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"input_text": "x"}', "text/plain", 415, "unsupported_media_type"),
        (b" " * (MAX_BODY + 1), "application/json", 413, "body_too_large"),
        (b'{"input_text": "\xff"}', "application/json", 400, "invalid_encoding"),
        (b"{", "application/json", 400, "invalid_json"),
        (b'"a string"', "application/json", 400, "invalid_json"),
        (b'{"input_text": "x", "sentences": 1}', "application/json", 400, "invalid_field"),
        (b'{"inputs": []}', "application/json", 400, "invalid_field"),
        (b'{"inputs": "a"}', "application/json", 400, "invalid_field"),
        (b'{"inputs": ["a", 2]}', "application/json", 400, "invalid_field"),
        (b'{"inputs": ["a", "b", "c", "d"]}', "application/json", 413, "too_many_items"),
        (b'{"text": "x"}', "application/json", 400, "missing_field"),
        (b'{"input_text": ["x"]}', "application/json", 400, "invalid_field"),
    ],
    ids=[
        "type",
        "size",
        "utf8",
        "broken",
        "not-object",
        "sentences",
        "empty-inputs",
        "inputs-string",
        "inputs-number",
        "too-many",
        "missing",
        "text-list",
    ],
)
def test_bodies_refused_with_their_status_and_code(body, content_type, status, code):
    error = refused(decode, body, content_type, MAX_BODY, MAX_ITEMS)
    assert (error.status, error.code) == (status, code)
    assert error.body() == {"error": {"code": code, "message": error.message}} and str(error) == error.message


@pytest.mark.parametrize("content_type", [*JSONLINES_TYPES, "Application/JSONLines; charset=utf-8"])
def test_json_lines_is_recognised_by_each_of_its_names(content_type):
    assert is_jsonlines(content_type)


@pytest.mark.parametrize("content_type", [None, "", "application/json", "text/plain"])
def test_other_types_are_not_json_lines(content_type):
    assert not is_jsonlines(content_type)


def test_echo_keeps_short_texts_and_cuts_long_ones_with_an_ellipsis():
    assert echo("abcde", 5) == "abcde"
    assert echo("abcdef", 5) == "abcde…"


def test_a_single_answer_is_the_result_itself_and_a_batch_wraps_its_results():
    invocation = decode(b'{"input_text": "a short text"}', "application/json", MAX_BODY, MAX_ITEMS)
    single = encode(invocation, [detection()], "req-1", echo_chars=5)
    assert single == {
        "request_id": "req-1",
        "input_text": "a sho…",
        "input_truncated": True,
        **detection().to_dict(),
    }
    batch_invocation = decode(b'{"inputs": ["one", "two"]}', "application/json", MAX_BODY, MAX_ITEMS)
    batch = encode(batch_invocation, [detection(0.9, "v7"), detection(0.1, "v7")], "req-2", echo_chars=100)
    assert (batch["request_id"], batch["model_version"], batch["count"]) == ("req-2", "v7", 2)
    assert [r["input_text"] for r in batch["results"]] == ["one", "two"]  # in the order of the request
    assert [r["label"] for r in batch["results"]] == ["ai", "human"]
    assert not any(r["input_truncated"] for r in batch["results"])


def test_an_answer_count_that_does_not_match_the_texts_is_an_error_not_a_silent_cut():
    invocation = decode(b'{"inputs": ["one", "two"]}', "application/json", MAX_BODY, MAX_ITEMS)
    with pytest.raises(ValueError):
        encode(invocation, [detection()], "req", 100)


def test_encode_result_puts_the_request_fields_before_the_detection():
    row = encode_result("text", detection(), "r", 100)
    assert list(row)[:3] == ["request_id", "input_text", "input_truncated"] and row["probability_ai"] == 0.9


def test_json_lines_give_one_entry_per_line_and_each_bad_line_its_own_error():
    body = (
        "\n".join(
            [
                '{"input_text": "first"}',
                '{"text": "second, by its other name"}',
                "",
                "{broken",
                "[1]",
                '{"input_text": 5}',
                '{"body": "no text field"}',
                '{"input_text": "last, with CRLF"}\r',
            ]
        ).encode()
        + b"\n\xff\xfe\n"
    )
    entries = decode_lines(body, MAX_BODY)
    assert entries[0] == "first" and entries[1] == "second, by its other name" and entries[7] == "last, with CRLF"
    codes = [e.code if isinstance(e, RequestError) else None for e in entries]
    assert codes == [
        None, None, "invalid_json", "invalid_json", "invalid_json", "invalid_field", "missing_field", None,
        "invalid_encoding",
    ]  # fmt: skip


@pytest.mark.parametrize(("body", "status", "code"), [(b"", 400, "empty_body"), (b"\n \n", 400, "empty_body")])
def test_only_an_empty_or_oversized_json_lines_body_fails_whole(body, status, code):
    error = refused(decode_lines, body, MAX_BODY)
    assert (error.status, error.code) == (status, code)
    too_big = refused(decode_lines, b'{"text": "x"}\n' * 100, MAX_BODY)
    assert (too_big.status, too_big.code) == (413, "body_too_large")


def test_the_newline_that_ends_the_last_line_does_not_start_another():
    assert decode_lines(b'{"text": "a"}\n{"text": "b"}\n', MAX_BODY) == ["a", "b"]


def test_encode_lines_writes_one_json_object_per_line_in_utf8():
    rows = [{"input_text": "naïve"}, {"error": {"code": "invalid_json", "message": "m"}}]
    data = encode_lines(rows)
    assert data.endswith(b"\n") and "naïve".encode() in data  # not escaped: a reader sees the text itself
    assert [json.loads(line) for line in data.decode().splitlines()] == rows
