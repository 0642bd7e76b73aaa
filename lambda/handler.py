"""AWS Lambda handler behind API Gateway (REST, proxy integration, payload 1.0): validate, invoke, shape.

Only boto3 here (it is in the Lambda runtime), so the deployment package is this one file. No model code: the
model runs in the SageMaker endpoint, or locally in the model server that `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`
points at. Configuration comes from environment variables (see `Config`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

log = logging.getLogger("aidetector.lambda")
log.setLevel(logging.INFO)
VERSION = "1"


@dataclass(frozen=True)
class Config:
    """Everything the handler reads from its environment (set by Pulumi on AWS, by the gateway locally)."""

    endpoint_name: str = field(default_factory=lambda: os.environ.get("ENDPOINT_NAME", "aidetector"))
    read_timeout_s: float = field(default_factory=lambda: float(os.environ.get("READ_TIMEOUT_S", "25")))
    connect_timeout_s: float = field(default_factory=lambda: float(os.environ.get("CONNECT_TIMEOUT_S", "2")))
    max_body_bytes: int = field(default_factory=lambda: int(os.environ.get("MAX_BODY_BYTES", "2097152")))
    max_batch_items: int = field(default_factory=lambda: int(os.environ.get("MAX_BATCH_ITEMS", "32")))
    max_text_chars: int = field(default_factory=lambda: int(os.environ.get("MAX_TEXT_CHARS", "100000")))
    cors_origin: str = field(default_factory=lambda: os.environ.get("CORS_ORIGIN", "*"))
    # On AWS one invocation runs at a time; the local gateway calls the handler from many threads at once, and a
    # pool smaller than their number drops and reopens connections under load.
    max_connections: int = field(default_factory=lambda: int(os.environ.get("MAX_CONNECTIONS", "64")))


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_client: Any = None


def runtime_client(config: Config) -> Any:
    """One client per container, reused across invocations; one attempt, read timeout under API Gateway's 29 s."""
    global _client
    if _client is None:
        _client = boto3.client(
            "sagemaker-runtime",
            config=BotoConfig(
                read_timeout=config.read_timeout_s,
                connect_timeout=config.connect_timeout_s,
                retries={"total_max_attempts": 1, "mode": "standard"},
                max_pool_connections=config.max_connections,
            ),
        )
    return _client


def cors_headers(config: Config) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": config.cors_origin,
        "Access-Control-Allow-Headers": "Content-Type,x-api-key",
        "Access-Control-Allow-Methods": "GET,POST,OPTIONS",
    }


def respond(status: int, body: dict[str, Any], config: Config, request_id: str) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id, **cors_headers(config)}
    return {"statusCode": status, "headers": headers, "body": json.dumps(body), "isBase64Encoded": False}


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def parse_body(event: dict[str, Any], config: Config) -> dict[str, Any]:
    media = (_header(event, "content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    raw = event.get("body") or ""
    try:
        data = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ApiError(400, "invalid_encoding", "request body could not be decoded") from exc
    if len(data) > config.max_body_bytes:
        raise ApiError(413, "body_too_large", f"request body is over {config.max_body_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", "request body is not valid UTF-8") from exc
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", f"request body is not valid JSON ({exc.msg})") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "request body must be a JSON object")
    if not isinstance(body.get("sentences", False), bool):
        raise ApiError(400, "invalid_field", "'sentences' must be true or false")
    return body


def check_text(value: Any, name: str, config: Config) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"'{name}' must be a string")
    if not value.strip():
        raise ApiError(422, "empty_text", f"'{name}' is empty or only whitespace")
    if len(value) > config.max_text_chars:
        raise ApiError(
            413, "text_too_long", f"'{name}' has {len(value)} characters; the maximum is {config.max_text_chars}"
        )
    return value


def detect_payload(body: dict[str, Any], config: Config) -> dict[str, Any]:
    if "input_text" not in body:
        raise ApiError(400, "missing_field", "send 'input_text' (a string)")
    return {
        "input_text": check_text(body["input_text"], "input_text", config),
        "sentences": body.get("sentences", False),
    }


def batch_payload(body: dict[str, Any], config: Config) -> dict[str, Any]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ApiError(400, "invalid_field", "'inputs' must be a non-empty list of strings")
    if len(inputs) > config.max_batch_items:
        raise ApiError(413, "too_many_items", f"at most {config.max_batch_items} texts per request")
    return {
        "inputs": [check_text(t, f"inputs[{i}]", config) for i, t in enumerate(inputs)],
        "sentences": body.get("sentences", False),
    }


def invoke_model(payload: dict[str, Any], config: Config, request_id: str) -> dict[str, Any]:
    """Call the endpoint; map every failure to a status and a stable code (never a stack trace)."""
    client = runtime_client(config)
    try:
        answer = client.invoke_endpoint(
            EndpointName=config.endpoint_name,
            ContentType="application/json",
            Accept="application/json",
            Body=json.dumps(payload).encode("utf-8"),
            CustomAttributes=f"request_id={request_id}",
        )
        result: dict[str, Any] = json.loads(answer["Body"].read())
        return result
    except client.exceptions.ModelError as exc:
        original = exc.response.get("OriginalStatusCode")
        try:
            error = json.loads(exc.response.get("OriginalMessage") or "{}").get("error", {})
        except (json.JSONDecodeError, AttributeError):
            error = {}
        if isinstance(original, int) and 400 <= original < 500 and error.get("code"):
            raise ApiError(original, error["code"], error.get("message", "")) from exc
        if original == 503:
            raise ApiError(503, "model_unavailable", "the model is not ready; retry shortly") from exc
        raise ApiError(502, "model_error", "the model failed on this request") from exc
    except ReadTimeoutError as exc:
        raise ApiError(504, "timeout", f"the model did not answer within {config.read_timeout_s:g} s") from exc
    except ConnectionError as exc:
        raise ApiError(503, "model_unavailable", "the model endpoint cannot be reached; retry shortly") from exc
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 502)
        code = "model_unavailable" if status in (503, 404) or status >= 500 else "model_error"
        raise ApiError(
            503 if code == "model_unavailable" else 502, code, "the model endpoint refused the call"
        ) from exc
    except BotoCoreError as exc:
        raise ApiError(502, "model_error", "the model call failed") from exc


def route_detect(event: dict[str, Any], config: Config, request_id: str) -> dict[str, Any]:
    return invoke_model(detect_payload(parse_body(event, config), config), config, request_id)


def route_batch(event: dict[str, Any], config: Config, request_id: str) -> dict[str, Any]:
    return invoke_model(batch_payload(parse_body(event, config), config), config, request_id)


def route_health(event: dict[str, Any], config: Config, request_id: str) -> dict[str, Any]:
    return {"status": "ok", "version": VERSION, "endpoint": config.endpoint_name}


Route = Callable[[dict[str, Any], Config, str], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/v1/detect"): route_detect,
    ("POST", "/api-chatgpt-detector"): route_detect,  # the original design's path, kept as an alias
    ("POST", "/v1/detect/batch"): route_batch,
    ("GET", "/v1/health"): route_health,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point (`handler.handler`)."""
    config = Config()
    started = time.perf_counter()
    request_id = str(
        (event.get("requestContext") or {}).get("requestId") or getattr(context, "aws_request_id", None) or uuid.uuid4()
    )
    method = str(event.get("httpMethod", "")).upper()
    path = str(event.get("resource") or event.get("path") or "")
    outcome = "ok"
    try:
        if method == "OPTIONS":
            response = respond(204, {}, config, request_id)
            response["body"] = ""
        else:
            route = ROUTES.get((method, path))
            if route is None:
                raise ApiError(404, "not_found", f"no route {method} {path}")
            response = respond(200, route(event, config, request_id), config, request_id)
    except ApiError as exc:
        outcome = exc.code
        response = respond(exc.status, {"error": {"code": exc.code, "message": exc.message}}, config, request_id)
    except Exception:  # last line of defence: log it, answer JSON, never leak a trace to the caller
        log.exception("unhandled error")
        outcome = "internal_error"
        response = respond(500, {"error": {"code": "internal_error", "message": "internal error"}}, config, request_id)
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
