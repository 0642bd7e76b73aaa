"""The public API through the local gateway: keys, plans, routes and errors, as on API Gateway."""

import json

import pytest
import requests

from tests.conftest import AI_WORDS

TEXT = " ".join(AI_WORDS * 2)


def post(api, path, key, **kwargs):
    headers = {"x-api-key": key, **kwargs.pop("headers", {})} if key else kwargs.pop("headers", {})
    return requests.post(api.url + path, headers=headers, timeout=30, **kwargs)


@pytest.mark.parametrize("path", ["/v1/detect", "/api-chatgpt-detector", "/prod/v1/detect"])
def test_detect(api, key, path):
    answer = post(api, path, key, json={"input_text": TEXT})
    assert answer.status_code == 200
    body = answer.json()
    for field in (
        "input_text",
        "predicted_class",
        "label",
        "probability_ai",
        "confidence",
        "threshold",
        "tokens_total",
        "tokens_used",
        "model_version",
        "request_id",
    ):
        assert field in body
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["x-request-id"] == body["request_id"]


def test_batch_and_health(api, key):
    answer = post(api, "/v1/detect/batch", key, json={"inputs": [TEXT, TEXT], "sentences": True})
    assert answer.status_code == 200 and [r["sentences"] != [] for r in answer.json()["results"]] == [True, True]
    health = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_languages_are_asked_of_the_model_and_need_a_key(api, key):
    answer = requests.get(api.url + "/v1/languages", headers={"x-api-key": key}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "en" in body["supported"] and body["judged"][0]["path"] == "english_ensemble"
    assert body["model_version"] == post(api, "/v1/detect", key, json={"input_text": TEXT}).json()["model_version"]
    assert "unsupported_language" in body["other_languages"]
    assert requests.get(api.url + "/v1/languages", timeout=10).status_code == 403


def test_the_detect_route_takes_texts_only(api, key):
    answer = post(api, "/v1/detect", key, json={"describe": "languages"})
    assert answer.status_code == 400  # the public detect route takes texts only; describing is GET /v1/languages


def test_cors_preflight_needs_no_key(api):
    answer = requests.options(api.url + "/v1/detect", timeout=10)
    assert answer.status_code == 204 and "x-api-key" in answer.headers["access-control-allow-headers"]


@pytest.mark.parametrize("key_value", [None, "aid_not-a-real-key"])
def test_missing_or_invalid_key_is_forbidden(api, key_value):
    answer = post(api, "/v1/detect", key_value, json={"input_text": TEXT})
    assert answer.status_code == 403 and answer.json() == {"message": "Forbidden"}


def test_unknown_route(api, key):
    answer = post(api, "/v2/whatever", key, json={})
    assert answer.status_code == 403 and answer.json() == {"message": "Missing Authentication Token"}
    assert requests.get(api.url + "/v1/detect", headers={"x-api-key": key}, timeout=10).status_code == 403


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": b"{oops", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
        ({"data": b'{"input_text": "x"}', "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"json": {"text": "x"}}, 400, "missing_field"),
        ({"json": {"input_text": ["x"]}}, 400, "invalid_field"),
        ({"json": {"input_text": 12}}, 400, "invalid_field"),
        ({"json": {"input_text": " \n "}}, 422, "empty_text"),
        ({"json": {"input_text": "\u200b \u200b\u00ad"}}, 422, "empty_text"),
        ({"json": {"input_text": "x" * 20_001}}, 413, "text_too_long"),
        ({"json": {"input_text": TEXT, "sentences": "yes"}}, 400, "invalid_field"),
        (
            {"data": b'{"input_text": "caf\xe9"}', "headers": {"content-type": "application/json"}},
            400,
            "invalid_encoding",
        ),
        ({"json": {"input_text": "y" * 19_000, "pad": "z" * 190_000}}, 413, "body_too_large"),
    ],
)
def test_bad_input_gets_a_json_error(api, key, kwargs, status, code):
    answer = post(api, "/v1/detect", key, **kwargs)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code and answer.json()["error"]["message"]
    assert "Traceback" not in answer.text


def test_too_many_batch_items(api, key):
    answer = post(api, "/v1/detect/batch", key, json={"inputs": [TEXT] * 5})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_many_items"
    answer = post(api, "/v1/detect/batch", key, json={"inputs": []})
    assert answer.status_code == 400


def test_throttle_answers_429_too_many_requests(api, store):
    key = store.create("throttled", "tiny")  # burst 2, refill one token per 5 s
    codes = [requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10).status_code for _ in range(4)]
    assert codes[:2] == [200, 200]
    last = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    assert last.status_code == 429 and last.json() == {"message": "Too Many Requests"}


def test_quota_answers_429_limit_exceeded_and_survives_a_restart(api, store):
    key = store.create("quota", "quota3")
    for _ in range(3):
        assert requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10).status_code == 200
    over = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    assert over.status_code == 429 and over.json() == {"message": "Limit Exceeded"}
    api.stop()
    api.start()  # a restart loses no usage count
    again = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    assert again.status_code == 429 and again.json() == {"message": "Limit Exceeded"}
    assert store.usage("quota")["used"] == 3


def test_revoked_key_is_forbidden(api, store):
    key = store.create("to-revoke", "free")
    assert requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10).status_code == 200
    store.revoke("to-revoke")
    answer = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    assert answer.status_code == 403


def aidetector(env: dict, *args: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_keys_cli_issues_a_key_the_running_gateway_accepts(api, home, plans_file):
    import os

    env = {**os.environ, "AIDETECTOR_HOME": str(home), "AIDETECTOR_PLANS_FILE": str(plans_file)}
    raw = aidetector(env, "keys", "create", "--name", "cli-key").strip().splitlines()[-1]
    assert raw.startswith("aid_")
    assert post(api, "/v1/detect", raw, json={"input_text": TEXT}).status_code == 200
    listing = aidetector(env, "keys", "list")
    assert "cli-key" in listing and raw not in listing
    usage = json.loads(aidetector(env, "keys", "usage", "cli-key"))
    assert usage["used"] == 1 and usage["plan"] == "free"
    db = (home / "keys.sqlite3").read_bytes()
    assert raw.encode() not in db  # stored hashed, never in clear
