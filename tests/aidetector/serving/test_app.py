"""The model server's HTTP edge in-process, on the tiny real model: /ping while loading, failed and ready, and
/invocations with every refusal a status and a stable code (body, texts, work, time, a client that left), JSON Lines,
and JSON for what Starlette itself would answer in plain text. (The server as a process: tests/integration.)"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from starlette.requests import Request

from aidetector.model.artifact import read_manifest
from aidetector.serving.app import (
    CUSTOM_ATTRIBUTES,
    Invocations,
    create_app,
    custom_attributes,
    error_body,
    retry_after,
)
from aidetector.serving.settings import ServerSettings
from tests.asgi import acall, call, post_json, run, scope
from tests.conftest import AI_WORDS, HUMAN_WORDS

TEXT = " ".join(AI_WORDS * 2)
HUMAN = " ".join(HUMAN_WORDS * 2)


def settings_for(model_dir, tmp_path, **changes) -> ServerSettings:
    values = {
        "model_dir": model_dir,
        "cache_dir": tmp_path / "cache",
        "max_batch_items": 4,
        "echo_chars": 40,
        "max_body_bytes": 300_000,
        "max_request_work": 4096,
        "body_timeout_s": 0.3,
    }
    return ServerSettings(**{**values, **changes})


def started(settings: ServerSettings):
    app = create_app(settings)
    app.state.model.start()
    app.state.model.thread.join(120)
    return app


@pytest.fixture(scope="module")
def app(tiny_artifact, tmp_path_factory):
    app = started(settings_for(tiny_artifact, tmp_path_factory.mktemp("serving")))
    yield app
    app.state.model.stop()


def invoke(app, payload, attributes: str = ""):
    headers = {CUSTOM_ATTRIBUTES: attributes} if attributes else {}
    return post_json(app, "/invocations", payload, headers)


def test_ping_says_ok_with_the_model_version_and_the_queue(app, tiny_artifact):
    answer = call(app, "GET", "/ping")
    assert answer.status == 200 and answer.json()["status"] == "ok"
    assert answer.json()["model_version"] == read_manifest(tiny_artifact)["version"]
    assert answer.json()["serving"] == "model_dir" and "queued_texts" in answer.json()["scheduler"]


def test_ping_is_503_while_loading_and_invocations_say_not_ready(tiny_artifact, tmp_path):
    loading = create_app(settings_for(tiny_artifact, tmp_path))  # its loader never started
    answer = call(loading, "GET", "/ping")
    assert (answer.status, answer.json()["status"]) == (503, "loading")
    refused = invoke(loading, {"input_text": TEXT})
    assert (refused.status, refused.json()["error"]["code"]) == (503, "model_not_ready")


def test_ping_is_503_failed_when_the_model_cannot_load(tmp_path):
    broken = started(settings_for(tmp_path / "missing", tmp_path))
    answer = call(broken, "GET", "/ping")
    assert (answer.status, answer.json()["status"]) == (503, "failed")
    assert answer.json()["error"]["code"] == "model_load_failed" and "missing" in answer.json()["error"]["message"]


def test_one_text_is_scored_under_the_callers_request_id(app, tiny_artifact):
    answer = invoke(app, {"input_text": TEXT}, "request_id=req-42,key=alice,deadline_ms=20000")
    body = answer.json()
    assert answer.status == 200 and body["request_id"] == "req-42"
    assert body["model_version"] == read_manifest(tiny_artifact)["version"] and 0 <= body["probability_ai"] <= 1
    assert body["input_text"] == TEXT[:40] + "…" and body["input_truncated"] is True  # echo_chars = 40


def test_a_batch_is_scored_in_order(app):
    answer = invoke(app, {"inputs": [TEXT, HUMAN, TEXT], "sentences": True})
    body = answer.json()
    assert answer.status == 200 and body["count"] == 3 and body["request_id"]  # one is made when none is sent
    first, second, third = body["results"]
    assert [first["input_text"], second["input_text"]] == [TEXT[:40] + "…", HUMAN[:40] + "…"]  # in order
    # the same text scores the same in one batch (to float rounding: padding beside other texts moves the 6th digit)
    assert first["probability_ai"] == pytest.approx(third["probability_ai"], abs=1e-5)
    assert all(r["sentences"] for r in body["results"])


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"input_text": " "}, 422, "empty_text"),
        ({"input_text": "bad \ud800 text"}, 400, "invalid_encoding"),
        ({"input_text": "x" * 100_001}, 413, "text_too_long"),
        ({"inputs": [TEXT] * 5}, 413, "too_many_items"),
        ({"inputs": [TEXT, 3]}, 400, "invalid_field"),
        ({"text": TEXT}, 400, "missing_field"),
        ({"input_text": " ".join(AI_WORDS * 200)}, 413, "too_much_work"),  # over the 4096 work tokens
    ],
    ids=["empty", "surrogate", "too-long", "too-many", "not-string", "missing", "too-much-work"],
)
def test_refusals_have_their_status_and_code(app, payload, status, code):
    answer = invoke(app, payload)
    assert (answer.status, answer.json()["error"]["code"]) == (status, code)
    assert answer.json()["error"]["message"]


def test_a_body_that_is_not_json_or_not_json_typed(app):
    wrong_type = call(app, "POST", "/invocations", body=b"hi", headers={"content-type": "text/plain"})
    assert (wrong_type.status, wrong_type.json()["error"]["code"]) == (415, "unsupported_media_type")
    broken = call(app, "POST", "/invocations", body=b"{", headers={"content-type": "application/json"})
    assert (broken.status, broken.json()["error"]["code"]) == (400, "invalid_json")


def test_a_body_announced_over_the_cap_is_413_and_a_slow_one_408(app):
    big = call(app, "POST", "/invocations", headers={"content-type": "application/json", "content-length": "300001"})
    assert (big.status, big.json()["error"]["code"]) == (413, "body_too_large")
    slow = call(app, "POST", "/invocations", body=[b'{"input_text": ', b'"late"}'], pause_s=0.6)
    assert (slow.status, slow.json()["error"]["code"]) == (408, "request_timeout")


def test_json_lines_give_one_row_per_line_with_bad_lines_failing_alone(app):
    lines = json.dumps({"input_text": TEXT}) + "\n{broken\n" + json.dumps({"text": " "}) + "\n"
    answer = call(app, "POST", "/invocations", body=lines.encode(), headers={"content-type": "application/jsonlines"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/jsonlines")
    rows = [json.loads(line) for line in answer.body.decode().splitlines()]
    assert len(rows) == 3 and 0 <= rows[0]["probability_ai"] <= 1
    assert [rows[1]["error"]["code"], rows[2]["error"]["code"]] == ["invalid_json", "empty_text"]


def test_a_client_that_went_away_is_logged_499_and_the_server_serves_on(app):
    """Its queued texts are dropped (how many were already in a model call is a race: tests/reliability)."""
    body = json.dumps({"inputs": [TEXT, HUMAN, TEXT, HUMAN], "sentences": True}).encode()
    answer = call(app, "POST", "/invocations", body=body, headers={"content-type": "application/json"}, hang_up=True)
    assert (answer.status, answer.json()["error"]["code"]) == (499, "client_closed")
    assert invoke(app, {"input_text": TEXT}).status == 200


def test_a_request_whose_deadline_has_passed_is_504(app):
    answer = invoke(app, {"input_text": TEXT}, "request_id=late,deadline_ms=0")
    assert (answer.status, answer.json()["error"]["code"]) == (504, "timeout")


def test_overload_is_a_quick_503_with_retry_after(tiny_artifact, tmp_path):
    """With a queue limit far below one model call, a request that would wait behind another's running work is
    refused at once, and says when to retry."""
    settings = settings_for(tiny_artifact, tmp_path, max_queue_s=0.001, max_batch_items=8, max_request_work=10**7)
    busy = started(settings)
    heavy = json.dumps({"inputs": ["Furthermore it is important to note this. " * 150] * 8, "sentences": True})
    light = json.dumps({"input_text": TEXT})

    def post(body: str, key: str):
        headers = {"content-type": "application/json", CUSTOM_ATTRIBUTES: f"key={key}"}
        return acall(busy, "POST", "/invocations", body=body.encode(), headers=headers)

    async def light_while_heavy_runs():
        scheduler = busy.state.model.batcher
        batches = scheduler.queue_state()["batches"]
        heavy_task = asyncio.ensure_future(post(heavy, "heavy"))
        while scheduler.queue_state()["batches"] == batches:  # until the heavy work is in the model
            await asyncio.sleep(0.002)
        return await asyncio.gather(post(light, "light"), heavy_task)

    try:
        refused, heavy_answer = run(light_while_heavy_runs())
    finally:
        busy.state.model.stop()
    assert heavy_answer.status == 200 and heavy_answer.json()["count"] == 8
    assert (refused.status, refused.json()["error"]["code"]) == (503, "overloaded")
    assert refused.headers["retry-after"] == str(refused.json()["error"]["retry_after_s"])
    assert int(refused.headers["retry-after"]) >= 1


def test_starlettes_own_errors_are_json_with_a_code(app):
    missing = call(app, "GET", "/nowhere")
    assert (missing.status, missing.json()["error"]["code"]) == (404, "not_found")
    wrong_method = call(app, "GET", "/invocations")
    assert (wrong_method.status, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")
    assert "GET /invocations" in wrong_method.json()["error"]["message"]


def test_custom_attributes_are_read_as_a_dict_with_bounded_values():
    header = " request_id=r1 , key=k=v,broken,deadline_ms=" + "9" * 300
    request = Request(scope("POST", "/invocations", {CUSTOM_ATTRIBUTES: header}), None)
    attributes = custom_attributes(request)
    assert attributes == {"request_id": "r1", "key": "k=v", "deadline_ms": "9" * 128}
    assert custom_attributes(Request(scope("POST", "/invocations"), None)) == {}


def test_the_deadline_is_the_callers_budget_at_most_the_default(tiny_artifact, tmp_path):
    invocations = Invocations(None, settings_for(tiny_artifact, tmp_path, default_deadline_s=10))  # type: ignore[arg-type]
    now = time.monotonic()
    assert invocations.deadline({"deadline_ms": "2000"}) - now == pytest.approx(2.0, abs=0.1)
    assert invocations.deadline({"deadline_ms": "60000"}) - now == pytest.approx(10.0, abs=0.1)  # capped
    assert invocations.deadline({"deadline_ms": "soon"}) - now == pytest.approx(10.0, abs=0.1)  # not a number
    assert invocations.deadline({}) - now == pytest.approx(10.0, abs=0.1)


def test_error_bodies_and_retry_after():
    assert error_body(431, "too big") == {"error": {"code": "headers_too_large", "message": "too big"}}
    assert error_body(418, "odd")["error"]["code"] == "bad_request"
    assert retry_after({"error": {"code": "overloaded", "retry_after_s": 4}}) == {"Retry-After": "4"}
    assert retry_after({"error": {"code": "timeout"}}) == {} and retry_after([{"a": 1}]) == {}
