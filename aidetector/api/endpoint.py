"""The call to the model: sagemaker-runtime InvokeEndpoint, every failure mapped to a status and a stable code."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError, ReadTimeoutError

from .config import ApiConfig
from .errors import ApiError

_clients: dict[ApiConfig, Any] = {}
_lock = threading.Lock()


def runtime_client(config: ApiConfig, **session: Any) -> Any:
    """One client per configuration, reused across invocations; one attempt, read timeout under API Gateway's 29 s.

    `session` passes boto3.client arguments the local gateway needs (region, dummy credentials) explicitly."""
    with _lock:
        if config not in _clients:
            _clients[config] = boto3.client(
                "sagemaker-runtime",
                endpoint_url=config.endpoint_url,
                config=BotoConfig(
                    read_timeout=config.read_timeout_s,
                    connect_timeout=config.connect_timeout_s,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                    max_pool_connections=config.max_connections,
                ),
                **session,
            )
        return _clients[config]


def custom_attributes(request_id: str, key_id: str | None, budget_ms: int) -> str:
    """SageMaker custom attributes (visible ASCII, at most 1024 characters) the model server reads: the request id,
    the caller's API key id (its fair share of the model is per key) and how long the caller waits (the deadline
    after which the model server drops the request's queued work)."""
    parts = [f"request_id={_attribute(request_id)}", f"deadline_ms={budget_ms}"]
    if key_id:
        parts.append(f"key={_attribute(key_id)}")
    return ",".join(parts)


def _attribute(value: str) -> str:
    return "".join(c for c in value if c.isascii() and (c.isalnum() or c in "-_.:"))[:128]


def invoke_model(
    client: Any, payload: dict[str, Any], config: ApiConfig, request_id: str, key_id: str | None = None
) -> dict[str, Any]:
    """Call the endpoint; map every failure to a status and a stable code (never a stack trace)."""
    budget_ms = max(1000, int(config.read_timeout_s * 1000) - 500)  # answer (or give up) before our read times out
    try:
        answer = client.invoke_endpoint(
            EndpointName=config.endpoint_name,
            ContentType="application/json",
            Accept="application/json",
            Body=json.dumps(payload).encode("utf-8"),
            CustomAttributes=custom_attributes(request_id, key_id, budget_ms),
        )
        result: dict[str, Any] = json.loads(answer["Body"].read())
        return result
    except client.exceptions.ModelError as exc:
        original = exc.response.get("OriginalStatusCode")
        try:
            error = json.loads(exc.response.get("OriginalMessage") or "{}").get("error", {})
        except (json.JSONDecodeError, AttributeError):
            error = {}
        if not isinstance(error, dict):
            error = {}
        if isinstance(original, int) and 400 <= original < 500 and error.get("code"):
            raise ApiError(original, error["code"], error.get("message", "")) from exc
        if original == 503 and error.get("code") == "overloaded":
            retry = max(1, int(error.get("retry_after_s") or 1))
            raise ApiError(
                503, "overloaded", error.get("message", "the model is busy"), {"Retry-After": str(retry)}
            ) from exc
        if original == 503:
            raise ApiError(503, "model_unavailable", "the model is not ready; retry shortly") from exc
        if original == 504:
            raise ApiError(504, "timeout", "the model could not answer before the deadline") from exc
        raise ApiError(502, "model_error", "the model failed on this request") from exc
    except ReadTimeoutError as exc:
        raise ApiError(504, "timeout", f"the model did not answer within {config.read_timeout_s:g} s") from exc
    except (ConnectionError, HTTPClientError) as exc:  # down, or went down while it held the request or answered it
        raise ApiError(503, "model_unavailable", "the model endpoint cannot be reached; retry shortly") from exc
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 502)
        code = "model_unavailable" if status in (503, 404) or status >= 500 else "model_error"
        raise ApiError(
            503 if code == "model_unavailable" else 502, code, "the model endpoint refused the call"
        ) from exc
    except BotoCoreError as exc:
        raise ApiError(502, "model_error", "the model call failed") from exc
