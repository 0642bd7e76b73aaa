"""The local API Gateway emulator in-process: API Gateway's checks in their order (route, announced size, key,
throttle, body, quota), its own `{"message"}` errors with CORS, the rate and quota headers, and the API's handler
behind them. The model server is a port nobody listens on: nothing here needs the model, and a call that reaches
it shows how the gateway answers when the model is down. (The stack over real sockets: tests/integration.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aidetector.api.routes import CORS_EXPOSE_HEADERS
from aidetector.local.gateway.app import (
    api_config,
    create_app,
    gateway_error_body,
    quota_headers,
    rate_headers,
    read_stack,
)
from aidetector.local.gateway.keys import period_end
from aidetector.local.gateway.settings import GatewaySettings
from aidetector.local.ports import free_port
from aidetector.plans import load_plans
from tests.asgi import call, post_json

PLANS = """
[limits]
max_body_bytes = 1500
max_batch_items = 4
max_text_chars = 500
echo_chars = 100

[plans.free]
rate = 100
burst = 100
quota = 1000
period = "DAY"

[plans.slow]
rate = 0.01
burst = 1
quota = 1000
period = "DAY"

[plans.once]
rate = 100
burst = 100
quota = 1
period = "MONTH"
"""
TEXT = {"input_text": "A paragraph that the gateway passes on to the model server, which is down."}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("gateway")


@pytest.fixture(scope="module")
def settings(folder) -> GatewaySettings:
    return GatewaySettings(
        keys_db=folder / "keys.sqlite3",
        model_url=f"http://127.0.0.1:{free_port()}",  # the model server is down
        max_payload_bytes=2000,
        body_timeout_s=0.3,
        read_timeout_s=2.0,
        cors_origin="https://app.example",
        stack_file=folder / "stack.json",
    )


@pytest.fixture(scope="module")
def plans(folder):
    (folder / "plans.toml").write_text(PLANS)
    return load_plans(str(folder / "plans.toml"))


@pytest.fixture(scope="module")
def app(settings, plans):
    return create_app(settings, plans)


@pytest.fixture
def key(app, request) -> str:
    """A fresh key on the free plan, named after the test (its throttle and quota are its own)."""
    return app.state.keys.create(request.node.name, "free")


def keyed(app, plan: str, name: str) -> dict[str, str]:
    return {"x-api-key": app.state.keys.create(name, plan)}


def assert_gateway_error(answer, status: int, message: str, error_type: str) -> None:
    """API Gateway's own shape: `{"message"}`, its error type header, and CORS so a browser can read it."""
    assert (answer.status, answer.json()) == (status, {"message": message})
    assert answer.headers["x-amzn-errortype"] == error_type and answer.headers["x-amzn-requestid"]
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["access-control-expose-headers"] == CORS_EXPOSE_HEADERS


@pytest.mark.parametrize(("method", "path"), [("GET", "/v2/detect"), ("DELETE", "/v1/detect"), ("GET", "/")])
def test_an_unknown_route_is_403_missing_authentication_token_before_the_key(app, method, path):
    answer = call(app, method, path, headers={"x-api-key": "aid_wrong"})
    assert_gateway_error(answer, 403, "Missing Authentication Token", "MissingAuthenticationTokenException")
    assert answer.headers["connection"] == "close"  # the body was not read: nothing buffers an upload


def test_a_method_starlette_itself_refuses_is_answered_as_api_gateway_does(app):
    answer = call(app, "POST", "/openapi.json")
    assert_gateway_error(answer, 403, "Missing Authentication Token", "MissingAuthenticationTokenException")


@pytest.mark.parametrize("key_value", [None, "", "aid_not_a_key"])
def test_a_missing_or_unknown_key_is_403_forbidden(app, key_value):
    headers = {} if key_value is None else {"x-api-key": key_value}
    answer = call(app, "GET", "/v1/health", headers=headers)
    assert_gateway_error(answer, 403, "Forbidden", "ForbiddenException")


def test_an_announced_body_over_the_cap_is_413_before_the_key_is_looked_up(app):
    answer = call(app, "POST", "/v1/detect", headers={"content-length": "2001", "content-type": "application/json"})
    assert_gateway_error(answer, 413, "Request Too Long", "RequestTooLongException")


def test_a_streamed_body_over_the_cap_is_cut_at_the_cap(app, key):
    chunks = [b"{" + b" " * 999, b" " * 1000, b" " * 1000]  # no Content-Length: counted as it streams in
    answer = call(app, "POST", "/v1/detect", body=chunks, headers={"x-api-key": key})
    assert_gateway_error(answer, 413, "Request Too Long", "RequestTooLongException")
    assert answer.headers["x-ratelimit-limit"] == "100"  # the key was known by then: its throttle state too


def test_a_body_slower_than_its_time_limit_is_408(app, key):
    chunks = [b'{"input_text": ', b'"late"}']
    answer = call(app, "POST", "/v1/detect", body=chunks, pause_s=0.6, headers={"x-api-key": key})
    assert_gateway_error(answer, 408, "Request Timeout", "RequestTimeoutException")


def test_a_cors_preflight_needs_no_key(app):
    answer = call(app, "OPTIONS", "/v1/detect")
    assert answer.status == 204 and answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-api-key" in answer.headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize("prefix", ["", "/prod"])
def test_health_with_a_key_carries_the_throttle_and_quota_state(app, key, prefix):
    answer = call(app, "GET", f"{prefix}/v1/health", headers={"x-api-key": key})
    assert answer.status == 200 and answer.json()["status"] == "ok"
    assert answer.json()["endpoint"] == "aidetector-local"  # what the handler was configured with
    assert answer.headers["x-ratelimit-limit"] == "100" and answer.headers["x-ratelimit-remaining"] == "99"
    assert answer.headers["x-quota-limit"] == "1000" and answer.headers["x-quota-remaining"] == "999"
    assert int(answer.headers["x-quota-reset"]) >= 1 and answer.headers["x-request-id"]


def test_health_reports_the_local_stack_when_up_writes_one(app, key, settings):
    report = {"supervisor_pid": 1, "processes": {"gateway": {"state": "up", "restarts": 0}}}
    settings.stack_file.write_text(json.dumps(report))
    try:
        assert call(app, "GET", "/v1/health", headers={"x-api-key": key}).json()["local_stack"] == report
        settings.stack_file.write_text("{half a report")  # being rewritten: health answers without it
        assert "local_stack" not in call(app, "GET", "/v1/health", headers={"x-api-key": key}).json()
    finally:
        settings.stack_file.unlink()


def test_the_throttle_answers_429_too_many_requests_with_retry_after(app):
    headers = keyed(app, "slow", "throttled")
    assert call(app, "GET", "/v1/health", headers=headers).status == 200
    answer = call(app, "GET", "/v1/health", headers=headers)
    assert_gateway_error(answer, 429, "Too Many Requests", "TooManyRequestsException")
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(answer.headers["retry-after"]) <= 100  # one token every 100 s at 0.01 a second


def test_the_quota_answers_429_limit_exceeded_until_the_period_ends(app):
    headers = keyed(app, "once", "quota-spent")
    first = call(app, "GET", "/v1/health", headers=headers)
    assert first.status == 200 and first.headers["x-quota-remaining"] == "0"
    answer = call(app, "GET", "/v1/health", headers=headers)
    assert_gateway_error(answer, 429, "Limit Exceeded", "LimitExceededException")
    assert answer.headers["retry-after"] == answer.headers["x-quota-reset"]
    assert app.state.keys.usage("quota-spent")["used"] == 1  # the refused call was not counted


def test_the_handlers_own_errors_pass_through_with_the_rate_headers(app, key):
    answer = call(app, "POST", "/v1/detect", body=b"{}", headers={"x-api-key": key, "content-type": "text/plain"})
    assert answer.status == 415 and answer.json()["error"]["code"] == "unsupported_media_type"
    assert answer.headers["x-ratelimit-limit"] == "100" and "x-quota-remaining" in answer.headers
    too_long = post_json(app, "/v1/detect", {"input_text": "x" * 501}, {"x-api-key": key})  # plans' 500 chars
    assert too_long.status == 413 and too_long.json()["error"]["code"] == "text_too_long"


def test_a_model_that_is_down_is_503_model_unavailable_in_json(app, key):
    answer = post_json(app, "/v1/detect", TEXT, {"x-api-key": key})
    assert answer.status == 503 and answer.json()["error"]["code"] == "model_unavailable"
    assert answer.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize("prefix", ["", "/prod"])
def test_the_openapi_document_names_where_it_is_served(app, prefix):
    answer = call(app, "GET", f"{prefix}/openapi.json")
    assert answer.status == 200 and answer.json()["servers"][0]["url"] == f"http://testserver{prefix}"
    assert "/v1/detect" in answer.json()["paths"]


def test_the_docs_page_and_its_assets_are_local_files(app):
    page = call(app, "GET", "/docs")
    assert page.status == 200 and 'href="http://testserver/docs/swagger-ui.css"' in page.body.decode()
    asset = call(app, "GET", "/docs/swagger-ui-bundle.js")
    assert asset.status == 200 and len(asset.body) > 10_000 and "max-age" in asset.headers["cache-control"]
    assert call(app, "GET", "/docs/keys.sqlite3").status == 403  # only the two assets, nothing else of the disk


def test_the_handler_gets_the_plans_limits_and_the_gateways_settings(settings, plans):
    config = api_config(settings, plans)
    assert (config.max_body_bytes, config.max_batch_items, config.max_text_chars) == (1500, 4, 500)
    assert config.endpoint_url == settings.model_url and config.cors_origin == "https://app.example"
    assert config.endpoint_name == settings.endpoint_name and config.read_timeout_s == 2.0


def test_the_header_helpers():
    assert rate_headers(5, -1) == {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0"}
    headers = quota_headers(10, 12, "DAY")
    assert headers["X-Quota-Limit"] == "10" and headers["X-Quota-Remaining"] == "0"
    seconds_left = (period_end("DAY") - datetime.now(UTC)).total_seconds()
    assert abs(int(headers["X-Quota-Reset"]) - seconds_left) <= 2


def test_read_stack_is_none_unless_a_whole_report_is_there(tmp_path):
    assert read_stack(None) is None and read_stack(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{")
    assert read_stack(tmp_path / "bad.json") is None
    (tmp_path / "good.json").write_text('{"processes": {}}')
    assert read_stack(tmp_path / "good.json") == {"processes": {}}


def test_errors_of_the_protocol_layer_keep_api_gateways_shape():
    assert gateway_error_body(431, "request headers are too large") == {"message": "Request Header Fields Too Large"}
    assert gateway_error_body(400, "malformed HTTP request") == {"message": "Bad Request"}
