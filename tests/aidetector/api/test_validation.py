"""Request bodies in, model payloads out: each refusal is an `ApiError` with its status and stable code, decided
before any model call (the Lambda pays for nothing it refuses)."""

from __future__ import annotations

import base64
import json

import pytest

from aidetector.api.config import ApiConfig
from aidetector.api.errors import ApiError
from aidetector.api.validation import batch_payload, check_text, detect_payload, header, parse_body

CONFIG = ApiConfig(max_body_bytes=1000, max_batch_items=3, max_text_chars=50)
JSON = {"Content-Type": "application/json"}


def event(body: str | None, headers: dict[str, str] | None = None, b64: bool = False) -> dict:
    return {"headers": JSON if headers is None else headers, "body": body, "isBase64Encoded": b64}


def refused(call, *args) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


def test_headers_are_found_whatever_case_the_client_sent():
    e = event("{}", {"CoNtEnT-TyPe": "application/json", "X-Api-Key": "k"})
    assert header(e, "content-type") == "application/json" and header(e, "x-api-key") == "k"
    assert header(e, "accept") is None and header({"headers": None}, "content-type") is None


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
def test_json_bodies_are_parsed_with_or_without_parameters(content_type):
    assert parse_body(event('{"input_text": "hi"}', {"content-type": content_type}), CONFIG) == {"input_text": "hi"}


def test_a_base64_body_is_decoded_first():
    """API Gateway base64-encodes a body it does not see as text."""
    raw = base64.b64encode(json.dumps({"input_text": "héllo"}).encode()).decode()
    assert parse_body(event(raw, b64=True), CONFIG) == {"input_text": "héllo"}


@pytest.mark.parametrize(
    ("body", "headers", "b64", "status", "code"),
    [
        ('{"input_text": "hi"}', {"content-type": "text/plain"}, False, 415, "unsupported_media_type"),
        ('{"input_text": "hi"}', {}, False, 415, "unsupported_media_type"),
        ("not base64!!", None, True, 400, "invalid_encoding"),
        (base64.b64encode(b'{"a": "\xff"}').decode(), None, True, 400, "invalid_encoding"),
        ("{", None, False, 400, "invalid_json"),
        ("", None, False, 400, "invalid_json"),
        ("[1, 2]", None, False, 400, "invalid_json"),
        ("[" * 100_000 + "]" * 100_000, None, False, 413, "body_too_large"),
        ('{"input_text": "hi", "sentences": "yes"}', None, False, 400, "invalid_field"),
    ],
    ids=["text-plain", "no-type", "bad-base64", "not-utf8", "broken", "empty", "array", "too-large", "sentences"],
)
def test_bodies_refused_with_their_status_and_code(body, headers, b64, status, code):
    error = refused(parse_body, event(body, headers, b64), CONFIG)
    assert (error.status, error.code) == (status, code)


def test_the_size_cap_counts_bytes_not_characters():
    """500 two-byte characters are 1000+ bytes on the wire: the cap is what API Gateway and the model receive."""
    body = json.dumps({"input_text": "é" * 500}, ensure_ascii=False)
    assert len(body) < CONFIG.max_body_bytes < len(body.encode("utf-8"))
    assert refused(parse_body, event(body), CONFIG).code == "body_too_large"


@pytest.mark.parametrize(
    ("body", "words"),
    [("[" * 50_000 + "]" * 50_000, "nested too deeply"), ('{"n": ' + "9" * 5000 + "}", "not valid JSON")],
    ids=["deep-nesting", "huge-integer"],
)
def test_bodies_that_break_the_json_parser_are_400_not_500(body, words):
    error = refused(parse_body, event(body), ApiConfig())
    assert (error.status, error.code) == (400, "invalid_json") and words in error.message


@pytest.mark.parametrize(
    ("value", "status", "code"),
    [
        (42, 400, "invalid_field"),
        (None, 400, "invalid_field"),
        (" \n\t", 422, "empty_text"),
        ("\u200b \u00ad\ufeff", 422, "empty_text"),  # only invisible characters, which the model does not read
        ("ok \ud800 text", 400, "invalid_encoding"),
        ("x" * 51, 413, "text_too_long"),
    ],
)
def test_texts_refused_with_their_status_and_code(value, status, code):
    error = refused(check_text, value, "input_text", CONFIG)
    assert (error.status, error.code) == (status, code) and "'input_text'" in error.message


def test_a_text_with_invisible_characters_among_its_words_is_kept_as_sent():
    assert check_text("ze\u200bro wid\u00adth", "input_text", CONFIG) == "ze\u200bro wid\u00adth"


def test_a_text_of_exactly_the_limit_is_accepted():
    assert check_text("x" * CONFIG.max_text_chars, "input_text", CONFIG) == "x" * CONFIG.max_text_chars


def test_detect_payload_is_what_the_model_server_reads():
    assert detect_payload({"input_text": "a text"}, CONFIG) == {"input_text": "a text", "sentences": False}
    assert detect_payload({"input_text": "a text", "sentences": True, "extra": 1}, CONFIG) == {
        "input_text": "a text",
        "sentences": True,
    }  # unknown fields are not passed on
    assert refused(detect_payload, {"text": "a text"}, CONFIG).code == "missing_field"


def test_batch_payload_checks_the_list_then_every_text():
    assert batch_payload({"inputs": ["a", "b"]}, CONFIG) == {"inputs": ["a", "b"], "sentences": False}
    for inputs in (None, [], "a text", {"a": 1}):
        assert refused(batch_payload, {"inputs": inputs}, CONFIG).code == "invalid_field"
    too_many = refused(batch_payload, {"inputs": ["a"] * 4}, CONFIG)
    assert (too_many.status, too_many.code) == (413, "too_many_items") and "at most 3" in too_many.message
    empty_second = refused(batch_payload, {"inputs": ["a", " "]}, CONFIG)
    assert empty_second.code == "empty_text" and "'inputs[1]'" in empty_second.message  # which text, by index
