"""API Gateway REST proxy events (payload format 1.0) and proxy responses, built and checked as AWS does."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any


def build_event(
    method: str,
    path: str,
    resource: str,
    headers: dict[str, str],
    query: dict[str, str],
    body: bytes,
    stage: str,
    api_key_id: str | None,
    source_ip: str,
) -> dict[str, Any]:
    """The event a Lambda proxy integration receives; a body that is not UTF-8 arrives base64-encoded."""
    try:
        text: str | None = body.decode("utf-8") if body else None
        is_b64 = False
    except UnicodeDecodeError:
        text, is_b64 = base64.b64encode(body).decode("ascii"), True
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "apiKeyId": api_key_id, "apiKey": None},
        },
        "body": text,
        "isBase64Encoded": is_b64,
    }


class MalformedResponse(ValueError):
    """A Lambda answer API Gateway would reject with 502."""


def parse_response(answer: Any) -> tuple[int, dict[str, str], bytes]:
    if not isinstance(answer, dict) or not isinstance(answer.get("statusCode"), int):
        raise MalformedResponse("statusCode missing")
    headers = answer.get("headers") or {}
    body = answer.get("body") or ""
    if not isinstance(headers, dict) or not isinstance(body, str):
        raise MalformedResponse("headers or body of the wrong type")
    data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")
    return answer["statusCode"], {str(k): str(v) for k, v in headers.items()}, data
