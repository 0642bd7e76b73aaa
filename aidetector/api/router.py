"""A thin router over plain functions: a proxy event in, a proxy response out (API Gateway REST, payload 1.0)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from .config import ApiConfig
from .endpoint import invoke_model
from .errors import ApiError
from .routes import PREFLIGHT_STATUS, cors_headers, find
from .validation import batch_payload, detect_payload, parse_body

log = logging.getLogger("aidetector.lambda")
log.setLevel(logging.INFO)
VERSION = "1"

Operation = Callable[[dict[str, Any], ApiConfig, Any, str], dict[str, Any]]


def key_id_of(event: dict[str, Any]) -> str | None:
    """The API key's id, as API Gateway puts it in the request context (the model shares itself fairly by key)."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    key = identity.get("apiKeyId") if isinstance(identity, dict) else None
    return str(key) if key else None


def detect(event: dict[str, Any], config: ApiConfig, client: Any, request_id: str) -> dict[str, Any]:
    payload = detect_payload(parse_body(event, config), config)
    return invoke_model(client, payload, config, request_id, key_id_of(event))


def detect_batch(event: dict[str, Any], config: ApiConfig, client: Any, request_id: str) -> dict[str, Any]:
    payload = batch_payload(parse_body(event, config), config)
    return invoke_model(client, payload, config, request_id, key_id_of(event))


def languages(event: dict[str, Any], config: ApiConfig, client: Any, request_id: str) -> dict[str, Any]:
    """What the deployed model judges: asked of the model itself, so the answer is true of the model that scores."""
    return invoke_model(client, {"describe": "languages"}, config, request_id, key_id_of(event))


def health(event: dict[str, Any], config: ApiConfig, client: Any, request_id: str) -> dict[str, Any]:
    return {"status": "ok", "version": VERSION, "endpoint": config.endpoint_name}


OPERATIONS: dict[str, Operation] = {
    "detect": detect,
    "detect_batch": detect_batch,
    "languages": languages,
    "health": health,
}


def respond(
    status: int,
    body: dict[str, Any] | None,
    config: ApiConfig,
    request_id: str,
    extra_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id, **cors_headers(config.cors_origin)}
    headers.update(extra_headers or {})
    text = "" if body is None else json.dumps(body)
    return {"statusCode": status, "headers": headers, "body": text, "isBase64Encoded": False}


def request_id_of(event: dict[str, Any], context: Any) -> str:
    return str(
        (event.get("requestContext") or {}).get("requestId") or getattr(context, "aws_request_id", None) or uuid.uuid4()
    )


def handle(event: dict[str, Any], config: ApiConfig, client: Any, context: Any = None) -> dict[str, Any]:
    """Route one proxy event; every outcome is a JSON answer with a status, and one JSON log line (no text)."""
    started = time.perf_counter()
    request_id = request_id_of(event, context)
    method = str(event.get("httpMethod", "")).upper()
    path = str(event.get("resource") or event.get("path") or "")
    outcome = "ok"
    try:
        if method == "OPTIONS":
            response = respond(PREFLIGHT_STATUS, None, config, request_id)
        else:
            route = find(method, path)
            if route is None:
                raise ApiError(404, "not_found", f"no route {method} {path}")
            body = OPERATIONS[route.operation](event, config, client, request_id)
            response = respond(200, body, config, request_id)
    except ApiError as exc:
        outcome = exc.code
        response = respond(exc.status, exc.body(), config, request_id, exc.headers)
    except Exception:  # last line of defence: log it, answer JSON, never leak a trace to the caller
        log.exception("unhandled error")
        outcome = "internal_error"
        response = respond(500, ApiError(500, "internal_error", "internal error").body(), config, request_id)
    log.info(
        json.dumps(
            {
                "request_id": request_id,
                "method": method,
                "route": path,
                "status": response["statusCode"],
                "outcome": outcome,
                "latency_ms": round(1000 * (time.perf_counter() - started), 2),
            }
        )
    )
    return response
