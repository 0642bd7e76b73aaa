"""The OpenAPI document in the repo is what the gateway serves, and live answers match its schemas."""

import json

import jsonschema
import pytest
import requests
from jsonschema.validators import Draft202012Validator

from aidetector import resources
from tests.conftest import AI_WORDS

DOC = json.loads(resources.read_text(resources.OPENAPI))


def validate(instance, schema_name):
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": DOC["components"]}
    Draft202012Validator(schema).validate(instance)


def test_served_document_is_the_repo_document(api):
    assert requests.get(api.url + "/openapi.json", timeout=10).json() == DOC


def test_every_documented_route_exists_and_needs_a_key(api):
    for path, operations in DOC["paths"].items():
        for method in operations:
            answer = requests.request(method.upper(), api.url + path, timeout=10)
            assert answer.status_code == 403 and answer.json() == {"message": "Forbidden"}
            validate(answer.json(), "GatewayError")


@pytest.mark.parametrize("sentences", [False, True])
def test_answers_match_the_schemas(api, key, sentences):
    text = " ".join(AI_WORDS * 2)
    one = requests.post(
        api.url + "/v1/detect",
        json={"input_text": text, "sentences": sentences},
        headers={"x-api-key": key},
        timeout=30,
    )
    validate(one.json(), "Detection")
    many = requests.post(
        api.url + "/v1/detect/batch",
        json={"inputs": [text, "short one"], "sentences": sentences},
        headers={"x-api-key": key},
        timeout=30,
    )
    validate(many.json(), "BatchResponse")
    health = requests.get(api.url + "/v1/health", headers={"x-api-key": key}, timeout=10)
    validate(health.json(), "Health")
    bad = requests.post(api.url + "/v1/detect", json={}, headers={"x-api-key": key}, timeout=10)
    validate(bad.json(), "Error")
    assert str(bad.status_code) in DOC["paths"]["/v1/detect"]["post"]["responses"]


def test_schema_rejects_a_wrong_answer():
    with pytest.raises(jsonschema.ValidationError):
        validate({"predicted_class": "ai"}, "Detection")
