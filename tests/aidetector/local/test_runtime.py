"""sagemaker-runtime's InvokeEndpoint path on the local model server, on the tiny real model: answers as the real
service gives them, a model's refusal wrapped in a 424 ModelError that botocore's own parser reads back (status and
message of the model), so the API's code handles the local stack exactly as AWS."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.awsrequest import HTTPHeaders
from botocore.parsers import create_parser

from aidetector.local.runtime import PATH, runtime_routes
from aidetector.serving.app import create_app
from aidetector.serving.settings import ServerSettings
from tests.asgi import call, post_json
from tests.conftest import AI_WORDS

TEXT = " ".join(AI_WORDS * 2)
ROUTE = PATH.format(name="aidetector-local")


def app_for(model_dir, cache_dir, load: bool = True):
    app = create_app(ServerSettings(model_dir=model_dir, cache_dir=cache_dir), extensions=[runtime_routes])
    if load:
        app.state.model.start()
        app.state.model.thread.join(120)
    return app


@pytest.fixture(scope="module")
def app(tiny_artifact, tmp_path_factory):
    app = app_for(tiny_artifact, tmp_path_factory.mktemp("runtime"))
    yield app
    app.state.model.stop()


def as_boto3_reads_it(answer) -> dict:
    """What botocore makes of the answer: the parse `invoke_endpoint` does, modeled error fields included."""
    service = botocore.session.get_session().get_service_model("sagemaker-runtime")
    operation = service.operation_model("InvokeEndpoint")
    parser = create_parser(service.metadata["protocol"])
    headers = HTTPHeaders()  # case-insensitive, as botocore receives them from urllib3
    for name, value in answer.headers.items():
        headers[name] = value
    response = {"status_code": answer.status, "headers": headers, "body": answer.body}
    parsed = parser.parse(response, operation.output_shape)
    error_shape = service.shape_for_error_code(parsed.get("Error", {}).get("Code", ""))
    if error_shape is not None:
        parsed.update(parser.parse(response, error_shape))
    return parsed


def test_a_scored_text_is_answered_as_invoke_endpoint_answers(app):
    answer = post_json(app, ROUTE, {"input_text": TEXT})
    assert answer.status == 200 and answer.headers["x-amzn-invoked-production-variant"] == "local"
    direct = post_json(app, "/invocations", {"input_text": TEXT}).json()
    assert answer.json()["probability_ai"] == direct["probability_ai"]  # the same invocation behind both paths
    parsed = as_boto3_reads_it(answer)
    assert parsed["InvokedProductionVariant"] == "local" and "Error" not in parsed


def test_json_lines_keep_their_type(app):
    body = (json.dumps({"text": TEXT}) + "\n").encode()
    answer = call(app, "POST", ROUTE, body=body, headers={"content-type": "application/jsonlines"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/jsonlines")
    assert answer.headers["x-amzn-invoked-production-variant"] == "local"
    assert 0 <= json.loads(answer.body.decode().splitlines()[0])["probability_ai"] <= 1


def test_a_refusal_of_the_model_is_a_424_model_error_with_the_models_answer(app):
    answer = post_json(app, ROUTE, {"input_text": "   "})
    assert answer.status == 424 and answer.headers["x-amzn-errortype"] == "ModelError:"
    assert answer.json()["ErrorCode"] == "CLIENT_ERROR_FROM_MODEL"
    parsed = as_boto3_reads_it(answer)
    assert parsed["Error"]["Code"] == "ModelError" and parsed["OriginalStatusCode"] == 422
    assert json.loads(parsed["OriginalMessage"])["error"]["code"] == "empty_text"


def test_a_model_that_is_not_ready_is_a_server_error_from_the_model(tiny_artifact, tmp_path):
    loading = app_for(tiny_artifact, tmp_path, load=False)
    answer = post_json(loading, ROUTE, {"input_text": TEXT})
    assert answer.status == 424 and answer.json()["ErrorCode"] == "SERVER_ERROR_FROM_MODEL"
    assert "(503)" in answer.json()["Message"]
    parsed = as_boto3_reads_it(answer)
    assert parsed["OriginalStatusCode"] == 503
    assert json.loads(parsed["OriginalMessage"])["error"]["code"] == "model_not_ready"


def test_only_post_is_routed(app):
    assert call(app, "GET", ROUTE).status == 405
    assert post_json(app, "/endpoints/x/other", {"input_text": TEXT}).status == 404
