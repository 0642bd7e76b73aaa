"""The API router in-process, for what needs no model: routing, body decoding, CORS and log lines.
(Calls that reach the model are tested against the real model server in tests/integration.)"""

import base64
import json
import logging

import pytest

from aidetector.api.config import ApiConfig
from aidetector.api.router import handle

CONFIG = ApiConfig()


def call(event):
    """No test here reaches the model: a client that is never called stands for the endpoint's."""
    return handle(event, CONFIG, client=None)


def event(method, path, body=None, headers=None, b64=False):
    return {
        "httpMethod": method,
        "resource": path,
        "path": path,
        "headers": headers or {},
        "body": body,
        "isBase64Encoded": b64,
        "requestContext": {"requestId": "req-1"},
    }


def test_health_and_cors_headers():
    answer = call(event("GET", "/v1/health"))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["status"] == "ok"
    assert answer["headers"]["Access-Control-Allow-Origin"] == "*" and answer["headers"]["X-Request-Id"] == "req-1"
    assert answer["isBase64Encoded"] is False


def test_preflight_and_unknown_route():
    assert call(event("OPTIONS", "/v1/detect"))["statusCode"] == 204
    missing = call(event("DELETE", "/v1/detect"))
    assert missing["statusCode"] == 404 and json.loads(missing["body"])["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "b64", "status", "code"),
    [
        (base64.b64encode(b"\xff\xfe").decode(), True, 400, "invalid_encoding"),
        ("not base64!!", True, 400, "invalid_encoding"),
        ("[1, 2]", False, 400, "invalid_json"),
        ('{"input_text": "ok", "sentences": 1}', False, 400, "invalid_field"),
    ],
)
def test_bodies_refused_before_any_model_call(body, b64, status, code):
    answer = call(event("POST", "/v1/detect", body, {"Content-Type": "application/json"}, b64))
    assert answer["statusCode"] == status and json.loads(answer["body"])["error"]["code"] == code


def test_logs_are_json_without_the_text(caplog):
    secret = "my very private essay text"
    with caplog.at_level(logging.INFO, logger="aidetector.lambda"):
        call(event("POST", "/v1/detect", json.dumps({"input_text": " "}), {"content-type": "application/json"}))
        call(event("POST", "/v1/detect", json.dumps({"input_text": secret}), {"content-type": "text/plain"}))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "aidetector.lambda"]
    assert [line["status"] for line in lines] == [422, 415]
    assert all({"request_id", "latency_ms", "outcome"} <= set(line) for line in lines)
    assert secret not in caplog.text
