"""The local API Gateway emulator: what API Gateway enforces, with its status codes and bodies, then the handler.

Order of checks, as on AWS: route exists (else 403 Missing Authentication Token) -> payload size (413) ->
API key (403 Forbidden) -> throttle (429 Too Many Requests) -> quota (429 Limit Exceeded) -> Lambda proxy.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aidetector.gateway.events import MalformedResponse, build_event, parse_response
from aidetector.gateway.keys import KeyStore
from aidetector.gateway.settings import REPO_ROOT, GatewaySettings
from aidetector.gateway.throttle import TokenBuckets
from aidetector.plans import PlanConfig, lambda_environment, load_plans

log = logging.getLogger("aidetector.gateway")
OPENAPI_FILE = REPO_ROOT / "docs" / "openapi.json"


def load_handler(path: Path) -> ModuleType:
    """Import `lambda/handler.py` by path (`lambda` is a Python keyword, so it cannot be a package)."""
    spec = importlib.util.spec_from_file_location("aidetector_lambda_handler", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the Lambda handler from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def configure_handler_environment(settings: GatewaySettings, plans: PlanConfig) -> None:
    """The env the Lambda gets on AWS from Pulumi, pointed at the local model server with dummy credentials."""
    defaults = {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": settings.model_url,
            "ENDPOINT_NAME": settings.endpoint_name,
            "READ_TIMEOUT_S": str(settings.read_timeout_s),
            "CORS_ORIGIN": settings.cors_origin,
            **lambda_environment(plans),
        }
    )


def gateway_error(status: int, message: str, error_type: str) -> Response:
    """API Gateway's own error shape: `{"message": ...}` and the `x-amzn-ErrorType` header."""
    headers = {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4())}
    return JSONResponse({"message": message}, status, headers=headers)


def create_app(settings: GatewaySettings | None = None, plans: PlanConfig | None = None) -> Starlette:
    settings = settings or GatewaySettings()
    plans = plans or load_plans()
    configure_handler_environment(settings, plans)
    handler_module = load_handler(settings.handler_path)
    routes: dict[tuple[str, str], Any] = handler_module.ROUTES
    paths = {path for _, path in routes}
    keys = KeyStore(settings.keys_db, plans.plans)
    buckets = TokenBuckets()

    async def openapi(request: Request) -> Response:
        return JSONResponse(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")))

    def admit_and_invoke(method: str, path: str, request: Request, body: bytes) -> Response:
        """Key, throttle, quota, then the handler: blocking work (SQLite, boto3), run in one worker-thread hop."""
        key = None
        if method != "OPTIONS":  # CORS preflight is answered without a key, like a MOCK integration
            raw_key = request.headers.get("x-api-key", "")
            key = keys.lookup(raw_key) if raw_key else None
            if key is None:
                return gateway_error(403, "Forbidden", "ForbiddenException")
            plan = plans.plans[key.plan]
            if not buckets.allow(key.name, plan.rate, plan.burst):
                return gateway_error(429, "Too Many Requests", "TooManyRequestsException")
            if not keys.consume(key):
                return gateway_error(429, "Limit Exceeded", "LimitExceededException")
        event = build_event(
            method,
            path,
            path,
            dict(request.headers),
            dict(request.query_params),
            body,
            settings.stage,
            key.name if key else None,
            request.client.host if request.client else "127.0.0.1",
        )
        try:
            status, headers, data = parse_response(handler_module.handler(event, None))
        except MalformedResponse:
            log.exception("malformed Lambda response")
            return gateway_error(502, "Internal server error", "InternalServerErrorException")
        except Exception:
            log.exception("Lambda invocation failed")
            return gateway_error(502, "Internal server error", "InternalServerErrorException")
        headers.setdefault("x-amzn-RequestId", event["requestContext"]["requestId"])
        headers.pop("content-length", None)
        return Response(data, status, headers=headers)

    async def proxy(request: Request) -> Response:
        method, path = request.method.upper(), request.url.path
        if path.startswith(f"/{settings.stage}/"):  # accept the stage prefix, as in the AWS invoke URL
            path = path[len(settings.stage) + 1 :]
        if (method, path) not in routes and not (method == "OPTIONS" and path in paths):
            return gateway_error(403, "Missing Authentication Token", "MissingAuthenticationTokenException")
        body = await request.body()
        if len(body) > settings.max_payload_bytes:
            return gateway_error(413, "Request Too Long", "RequestTooLongException")
        response: Response = await anyio.to_thread.run_sync(admit_and_invoke, method, path, request, body)
        return response

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    app = Starlette(
        routes=[
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/{path:path}", proxy, methods=methods),
        ]
    )
    app.state.keys = keys
    return app


def serve(settings: GatewaySettings | None = None) -> None:
    import uvicorn

    settings = settings or GatewaySettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)
