"""The call to the model: what is sent (endpoint, body, custom attributes) and how every way it can fail becomes
a status and a stable code. AWS is stood in for by moto where it can answer, by botocore's own Stubber for the
model's errors (moto has no ModelError), and by real sockets for an endpoint that is down or hangs."""

from __future__ import annotations

import io
import json
import socket
import threading

import boto3
import pytest
import requests
from botocore.response import StreamingBody
from botocore.stub import Stubber

from aidetector.api.config import ApiConfig
from aidetector.api.endpoint import custom_attributes, invoke_model, runtime_client
from aidetector.api.errors import ApiError
from aidetector.local.ports import free_port

SESSION = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CONFIG = ApiConfig(endpoint_name="detector", read_timeout_s=10.0)
PAYLOAD = {"input_text": "a text", "sentences": False}


def test_custom_attributes_carry_request_id_deadline_and_key():
    assert custom_attributes("req-1", "key-9", 9500) == "request_id=req-1,deadline_ms=9500,key=key-9"
    assert custom_attributes("req-1", None, 1000) == "request_id=req-1,deadline_ms=1000"  # no key: no attribute


def test_custom_attributes_keep_only_safe_ascii_and_are_bounded():
    """SageMaker refuses attributes that are not visible ASCII; `,` and `=` would forge another attribute."""
    attributes = custom_attributes("a,b=c d\u00e9\n" + "x" * 500, "k=1,deadline_ms=0", 1000)
    assert attributes.startswith("request_id=abcd" + "x" * 124 + ",")  # 128 characters at most
    assert attributes.endswith(",key=k1deadline_ms0") and attributes.count("deadline_ms=") == 1
    assert attributes.isascii() and len(attributes) <= 1024


def test_runtime_client_pool_fits_the_local_gateways_threads():
    client = runtime_client(ApiConfig(), region_name="us-east-1")
    assert client.meta.config.max_pool_connections == 64
    assert client.meta.config.retries["total_max_attempts"] == 1
    assert runtime_client(ApiConfig(), region_name="us-east-1") is client  # one client per configuration


def test_the_models_answer_is_returned_as_json(aws):
    answer = {"request_id": "r", "label": "human", "probability_ai": 0.1}
    results = {"results": [{"Body": json.dumps(answer), "ContentType": "application/json"}]}
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results", json=results, timeout=5)
    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    assert invoke_model(client, PAYLOAD, CONFIG, "r") == answer


def test_the_request_names_the_endpoint_and_a_deadline_before_the_read_timeout():
    client = boto3.client("sagemaker-runtime", **SESSION)
    with Stubber(client) as stub:
        expected = {
            "EndpointName": "detector",
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": json.dumps(PAYLOAD).encode(),
            "CustomAttributes": "request_id=req-7,deadline_ms=9500,key=key-3",  # 10 s read timeout less 0.5 s
        }
        body = json.dumps({"ok": True}).encode()
        stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(body), len(body))}, expected)
        assert invoke_model(client, PAYLOAD, CONFIG, "req-7", "key-3") == {"ok": True}
        stub.assert_no_pending_responses()


def model_error(status: int, message: object) -> ApiError:
    """What invoke_model raises when the model server answered `status` with `message` (sagemaker-runtime wraps it
    in a 424 ModelError)."""
    client = boto3.client("sagemaker-runtime", **SESSION)
    text = message if isinstance(message, str) else json.dumps(message)
    with Stubber(client) as stub, pytest.raises(ApiError) as caught:
        stub.add_client_error(
            "invoke_endpoint",
            "ModelError",
            f"Received error ({status}) from primary",
            424,
            modeled_fields={"OriginalStatusCode": status, "OriginalMessage": text},
        )
        invoke_model(client, PAYLOAD, CONFIG, "r")
    return caught.value


def test_a_client_error_of_the_model_keeps_its_status_code_and_message():
    error = model_error(422, {"error": {"code": "empty_text", "message": "the text is empty"}})
    assert (error.status, error.code, error.message) == (422, "empty_text", "the text is empty")


def test_overloaded_is_503_with_retry_after():
    error = model_error(503, {"error": {"code": "overloaded", "message": "busy", "retry_after_s": 7}})
    assert (error.status, error.code, error.headers) == (503, "overloaded", {"Retry-After": "7"})
    assert model_error(503, {"error": {"code": "overloaded", "retry_after_s": 0}}).headers == {"Retry-After": "1"}


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (503, {"error": {"code": "model_not_ready"}}, (503, "model_unavailable")),
        (504, {"error": {"code": "timeout"}}, (504, "timeout")),
        (500, {"error": {"code": "model_error"}}, (502, "model_error")),
        (400, {"error": {"message": "no code"}}, (502, "model_error")),  # a 4xx without our code is not trusted
        (400, "<html>not json</html>", (502, "model_error")),
        (400, '{"error": "a string"}', (502, "model_error")),
        (400, "[1, 2]", (502, "model_error")),
    ],
    ids=["not-ready", "deadline", "crash", "no-code", "html", "error-string", "json-array"],
)
def test_other_model_errors_map_to_a_status_and_code(status, message, expected):
    error = model_error(status, message)
    assert (error.status, error.code) == expected
    assert "Traceback" not in error.message and "<html>" not in error.message  # never the model's own text


@pytest.mark.parametrize(
    ("http_status", "expected"),
    [(404, (503, "model_unavailable")), (500, (503, "model_unavailable")), (400, (502, "model_error"))],
    ids=["no-such-endpoint", "service-error", "refused"],
)
def test_the_services_own_errors(http_status, expected):
    client = boto3.client("sagemaker-runtime", **SESSION)
    with Stubber(client) as stub, pytest.raises(ApiError) as caught:
        stub.add_client_error("invoke_endpoint", "ValidationError", "Endpoint detector not found", http_status)
        invoke_model(client, PAYLOAD, CONFIG, "r")
    assert (caught.value.status, caught.value.code) == expected


def test_an_endpoint_that_is_down_is_503_model_unavailable():
    config = ApiConfig(endpoint_url=f"http://127.0.0.1:{free_port()}", connect_timeout_s=1.0)
    with pytest.raises(ApiError) as caught:
        invoke_model(runtime_client(config, **SESSION), PAYLOAD, config, "r")
    assert (caught.value.status, caught.value.code) == (503, "model_unavailable")


def test_an_endpoint_that_dies_while_answering_is_503_model_unavailable():
    """The model server killed mid-answer: the headers came, the body stopped short (a ResponseStreamingError)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)

        def answer_half() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")

        server = threading.Thread(target=answer_half)
        server.start()
        config = ApiConfig(endpoint_url=f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout_s=5.0)
        with pytest.raises(ApiError) as caught:
            invoke_model(runtime_client(config, **SESSION), PAYLOAD, config, "r")
        server.join()
    assert (caught.value.status, caught.value.code) == (503, "model_unavailable")


def test_an_endpoint_that_never_answers_is_504_after_the_read_timeout():
    with socket.socket() as listener:  # accepts connections (the kernel does), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        config = ApiConfig(endpoint_url=f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout_s=0.5)
        with pytest.raises(ApiError) as caught:
            invoke_model(runtime_client(config, **SESSION), PAYLOAD, config, "r")
    assert (caught.value.status, caught.value.code) == (504, "timeout")
    assert "within 0.5 s" in caught.value.message
