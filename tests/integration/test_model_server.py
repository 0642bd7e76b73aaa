"""The model server as SageMaker and boto3 see it (real server on loopback, tiny real model)."""

import json
import signal
import threading

import boto3
import pytest
import requests
from botocore.config import Config

from tests.conftest import AI_WORDS
from tests.integration.servers import model_server, wait_ready

TEXT = " ".join(AI_WORDS * 2)


def test_ping_reports_the_loaded_model(server):
    answer = requests.get(server.url + "/ping", timeout=5)
    assert answer.status_code == 200 and answer.json()["model_version"]


def test_invocation_single_and_batch(server):
    one = requests.post(server.url + "/invocations", json={"input_text": TEXT, "sentences": True}, timeout=30)
    assert one.status_code == 200
    body = one.json()
    assert body["predicted_class"] in (0, 1) and isinstance(body["predicted_class"], int)
    assert body["input_text"] == TEXT and body["sentences"] and body["request_id"]
    many = requests.post(server.url + "/invocations", json={"inputs": [TEXT, TEXT[:200]]}, timeout=30)
    assert many.status_code == 200 and many.json()["count"] == 2


def test_the_model_describes_its_languages(server):
    answer = requests.post(server.url + "/invocations", json={"describe": "languages"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["supported"] == ["en"]
    assert answer.json()["model_version"] == requests.get(server.url + "/ping", timeout=5).json()["model_version"]
    wrong = requests.post(server.url + "/invocations", json={"describe": "secrets"}, timeout=30)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_field"


def test_long_text_is_not_echoed_in_full(server):
    long_text = " ".join(AI_WORDS * 20)
    body = requests.post(server.url + "/invocations", json={"input_text": long_text}, timeout=30).json()
    assert body["input_truncated"] is True and len(body["input_text"]) == 1001
    assert body["tokens_used"] == body["tokens_total"]


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        (b"{nope", {"content-type": "application/json"}, 400, "invalid_json"),
        (b'{"input_text": 3}', {"content-type": "application/json"}, 400, "invalid_field"),
        (b'{"text": "x"}', {"content-type": "application/json"}, 400, "missing_field"),
        (b'{"input_text": "  "}', {"content-type": "application/json"}, 422, "empty_text"),
        (b'{"input_text": "x"}', {"content-type": "text/csv"}, 415, "unsupported_media_type"),
        (b'{"input_text": "\xff"}', {"content-type": "application/json"}, 400, "invalid_encoding"),
        (json.dumps({"inputs": ["a"] * 5}).encode(), {"content-type": "application/json"}, 413, "too_many_items"),
    ],
)
def test_bad_requests_get_json_errors(server, data, headers, status, code):
    answer = requests.post(server.url + "/invocations", data=data, headers=headers, timeout=10)
    assert answer.status_code == status and answer.json()["error"]["code"] == code


def runtime(url: str):
    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_boto3_sagemaker_runtime_works_unchanged(server):
    client = runtime(server.url)
    answer = client.invoke_endpoint(
        EndpointName="local",
        ContentType="application/json",
        Body=json.dumps({"input_text": TEXT}),
        CustomAttributes="request_id=abc-123",
    )
    body = json.loads(answer["Body"].read())
    assert body["request_id"] == "abc-123" and body["label"] in ("ai", "human", "inconclusive")


def test_boto3_sees_a_real_model_error_for_a_bad_request(server):
    client = runtime(server.url)
    with pytest.raises(client.exceptions.ModelError) as info:
        client.invoke_endpoint(EndpointName="local", ContentType="application/json", Body=b'{"input_text": ""}')
    assert info.value.response["OriginalStatusCode"] == 422
    assert json.loads(info.value.response["OriginalMessage"])["error"]["code"] == "empty_text"


def test_a_model_that_cannot_load_keeps_ping_at_503(tmp_path):
    broken = model_server(tmp_path)  # an empty folder is no artifact
    broken.start(wait=False)
    try:
        wait_ready(broken.url + "/ping", broken.proc, status=503)
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = requests.get(broken.url + "/ping", timeout=5).json()
            if body["status"] == "failed":
                break
            time.sleep(0.2)
        assert body["status"] == "failed" and "not a model artifact" in body["error"]["message"]
        answer = requests.post(broken.url + "/invocations", json={"input_text": TEXT}, timeout=10)
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "model_not_ready"
    finally:
        broken.stop()


def test_sigterm_lets_in_flight_requests_finish(tiny_artifact):
    s = model_server(tiny_artifact).start()
    results: list[int] = []
    long_text = " ".join(AI_WORDS * 30)

    def call() -> None:
        r = requests.post(s.url + "/invocations", json={"input_text": long_text, "sentences": True}, timeout=60)
        results.append(r.status_code)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    import time

    time.sleep(0.3)  # requests are in flight
    s.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(timeout=60)
    code = s.proc.wait(timeout=60)
    assert results == [200] * 6
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after its graceful shutdown
