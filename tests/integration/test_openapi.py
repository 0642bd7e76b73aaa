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


def test_served_document_is_the_repo_document_with_its_own_address(api):
    """`servers` names the gateway the document was fetched from (port, stage prefix); the rest is the repo's."""
    served = requests.get(api.url + "/openapi.json", timeout=10).json()
    assert served["servers"] == [{"url": api.url, "description": "this gateway"}]
    assert {**served, "servers": DOC["servers"]} == DOC
    staged = requests.get(api.url + "/prod/openapi.json", timeout=10).json()
    assert staged["servers"][0]["url"] == api.url + "/prod"


def test_docs_page_is_served_without_a_key_from_local_files(api):
    page = requests.get(api.url + "/docs", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'url: "{api.url}/openapi.json"' in page.text
    assert "http" not in page.text.replace(api.url, "")  # every asset from this gateway: no CDN, works offline
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        answer = requests.get(f"{api.url}/docs/{asset}", timeout=10)
        assert answer.status_code == 200 and len(answer.content) > 10_000
    assert requests.get(api.url + "/docs/../keys.sqlite3", timeout=10).status_code in (403, 404)


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
