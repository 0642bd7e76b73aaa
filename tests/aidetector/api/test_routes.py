"""The public routes, declared once: lookup, the CORS headers every answer carries, and the Lambda package's list
of files, which must name every module of `aidetector/api` (else the zip misses one and the Lambda fails to import)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aidetector.api
from aidetector import resources
from aidetector.api.routes import (
    CORS_EXPOSE_HEADERS,
    MODULES,
    PATHS,
    PREFLIGHT_STATUS,
    ROUTES,
    cors_headers,
    find,
)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_is_found_by_its_method_and_path(route):
    assert find(route.method, route.path) == route


def test_the_original_path_is_an_alias_of_detect_and_lookups_are_exact():
    assert find("POST", "/api-chatgpt-detector").operation == find("POST", "/v1/detect").operation == "detect"
    assert find("GET", "/v1/detect") is None  # a known path with another method
    assert find("POST", "/v1/detect/") is None and find("post", "/v1/detect") is None  # no normalising here
    assert {route.path for route in ROUTES} == PATHS and "/v1/health" in PATHS


def test_the_openapi_document_describes_exactly_these_routes():
    document = json.loads(resources.read_text(resources.OPENAPI))
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    documented = {(m, p) for m, p in documented if m in ("GET", "POST", "PUT", "PATCH", "DELETE")}
    assert documented == {(route.method, route.path) for route in ROUTES}


def test_cors_headers_let_a_browser_call_the_api_and_read_its_limits():
    headers = cors_headers("https://app.example")
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-api-key" in headers["Access-Control-Allow-Headers"].split(",")
    assert set(headers["Access-Control-Allow-Methods"].split(",")) == {r.method for r in ROUTES} | {"OPTIONS"}
    exposed = set(CORS_EXPOSE_HEADERS.split(","))
    assert {"X-Request-Id", "Retry-After", "X-RateLimit-Remaining", "X-Quota-Remaining"} <= exposed
    assert 200 <= PREFLIGHT_STATUS < 300  # a failed preflight blocks the browser's real request


def test_the_lambda_package_lists_every_module_of_the_api():
    folder = Path(aidetector.api.__file__).parent
    assert sorted(MODULES) == sorted(p.name for p in folder.glob("*.py"))
