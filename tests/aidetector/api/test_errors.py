"""`ApiError`: the status, stable code and safe message every refusal of the API carries, and its JSON body."""

from __future__ import annotations

import json

from aidetector.api.config import ApiConfig
from aidetector.api.errors import ApiError
from aidetector.api.router import handle


def test_carries_status_code_message_and_the_documented_body():
    error = ApiError(413, "text_too_long", "'input_text' has 9 characters; the maximum is 5")
    assert (error.status, error.code) == (413, "text_too_long")
    assert str(error) == error.message  # what a log line shows is the safe message, nothing more
    assert error.body() == {"error": {"code": "text_too_long", "message": error.message}}
    assert json.loads(json.dumps(error.body())) == error.body()  # the body is plain JSON


def test_headers_default_to_none_and_are_never_shared():
    """Retry-After is set on one error's headers; a shared default dict would leak it into every other answer."""
    first, second = ApiError(400, "a", "a"), ApiError(400, "b", "b")
    first.headers["Retry-After"] = "3"
    assert second.headers == {}
    assert ApiError(503, "overloaded", "busy", {"Retry-After": "2"}).headers == {"Retry-After": "2"}


def test_the_router_answers_an_api_error_as_its_status_body_and_headers():
    """An unknown route is the router's own ApiError: its status, its body, its code in the answer."""
    answer = handle({"httpMethod": "GET", "resource": "/nowhere", "headers": {}}, ApiConfig(), client=None)
    expected = ApiError(404, "not_found", "no route GET /nowhere")
    assert answer["statusCode"] == expected.status
    assert json.loads(answer["body"]) == expected.body()
