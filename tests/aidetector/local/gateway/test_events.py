"""API Gateway proxy events (payload 1.0) as the local gateway builds them, and the Lambda's answers parsed as API
Gateway parses them: checked against the real router, which is what runs behind them on AWS."""

from __future__ import annotations

import base64
import json

import pytest

from aidetector.api.config import ApiConfig
from aidetector.api.router import handle
from aidetector.local.gateway.events import MalformedResponse, build_event, parse_response


def event(body: bytes = b"", path: str = "/v1/health", method: str = "GET", **changes) -> dict:
    options = {"headers": {"Content-Type": "application/json"}, "query": {}, "stage": "prod", "api_key_id": "alice"}
    options.update(changes)
    return build_event(
        method,
        path,
        path,
        options["headers"],
        options["query"],
        body,
        options["stage"],
        options["api_key_id"],
        "10.0.0.1",
    )


def test_the_event_has_the_proxy_fields_the_lambda_reads():
    e = event(b'{"input_text": "hi"}', "/v1/detect", "POST", query={"debug": "1"})
    assert (e["httpMethod"], e["resource"], e["path"]) == ("POST", "/v1/detect", "/v1/detect")
    assert e["body"] == '{"input_text": "hi"}' and e["isBase64Encoded"] is False
    assert e["queryStringParameters"] == {"debug": "1"} and e["multiValueQueryStringParameters"] == {"debug": ["1"]}
    assert e["multiValueHeaders"] == {"Content-Type": ["application/json"]}
    context = e["requestContext"]
    assert context["path"] == "/prod/v1/detect" and context["stage"] == "prod"  # the stage, as in the invoke URL
    assert context["identity"] == {"sourceIp": "10.0.0.1", "apiKeyId": "alice", "apiKey": None}
    assert context["requestId"] != event()["requestContext"]["requestId"]  # one id per request


def test_no_body_and_no_query_are_null_as_on_aws():
    e = event()
    assert e["body"] is None and e["queryStringParameters"] is None and e["multiValueQueryStringParameters"] is None


def test_a_body_that_is_not_utf8_arrives_base64_encoded():
    raw = b'{"input_text": "\xff\xfe"}'
    e = event(raw, "/v1/detect", "POST")
    assert e["isBase64Encoded"] is True and base64.b64decode(e["body"]) == raw


def test_the_router_answers_the_event_and_the_answer_parses():
    """The round trip the gateway makes: event -> the API's handler -> status, headers and body."""
    config = ApiConfig(endpoint_name="local")
    health = event()
    status, headers, body = parse_response(handle(health, config, client=None))
    assert status == 200 and json.loads(body) == {"status": "ok", "version": "1", "endpoint": "local"}
    assert headers["X-Request-Id"] == health["requestContext"]["requestId"]  # the router reads our request id
    refused = handle(event(b"\xff", "/v1/detect", "POST"), config, client=None)  # base64 in, decoded by the API
    status, _, body = parse_response(refused)
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_encoding"


def test_a_base64_answer_is_decoded_and_headers_become_strings():
    answer = {"statusCode": 200, "headers": {"X-Count": 3}, "body": base64.b64encode(b"\x00\x01").decode()}
    assert parse_response({**answer, "isBase64Encoded": True}) == (200, {"X-Count": "3"}, b"\x00\x01")
    assert parse_response({"statusCode": 204}) == (204, {}, b"")


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "200 OK",
        {"body": "{}"},
        {"statusCode": "200", "body": "{}"},
        {"statusCode": 200, "headers": [["a", "b"]]},
        {"statusCode": 200, "body": {"not": "a string"}},
    ],
    ids=["none", "string", "no-status", "status-string", "headers-list", "body-object"],
)
def test_answers_api_gateway_would_reject_are_malformed(answer):
    with pytest.raises(MalformedResponse):
        parse_response(answer)
