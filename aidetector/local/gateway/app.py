"""The local API Gateway emulator: what API Gateway enforces, with its status codes and bodies, then the handler.

Order of checks, as on AWS: route exists (else 403 Missing Authentication Token) -> payload size (413) ->
API key (403 Forbidden) -> throttle (429 Too Many Requests) -> quota (429 Limit Exceeded) -> Lambda proxy.
The handler is `aidetector.api` called in-process with an explicit configuration (the same code the Lambda runs).
"""

from __future__ import annotations

import json
import logging
import uuid

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aidetector import resources
from aidetector.api.config import ApiConfig
from aidetector.api.endpoint import runtime_client
from aidetector.api.router import handle
from aidetector.api.routes import PATHS, find
from aidetector.local.gateway.events import MalformedResponse, build_event, parse_response
from aidetector.local.gateway.keys import KeyStore
from aidetector.local.gateway.settings import GatewaySettings
from aidetector.local.gateway.throttle import TokenBuckets
from aidetector.plans import PlanConfig, load_plans

log = logging.getLogger("aidetector.gateway")
# sagemaker-runtime signs its requests: locally any credentials do, passed to the client, not set in the process.
LOCAL_AWS_SESSION = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}


def api_config(settings: GatewaySettings, plans: PlanConfig) -> ApiConfig:
    """What the Lambda gets on AWS from Pulumi's environment, pointed at the local model server."""
    limits = plans.limits
    return ApiConfig(
        endpoint_name=settings.endpoint_name,
        read_timeout_s=settings.read_timeout_s,
        max_body_bytes=limits.max_body_bytes,
        max_batch_items=limits.max_batch_items,
        max_text_chars=limits.max_text_chars,
        cors_origin=settings.cors_origin,
        endpoint_url=settings.model_url,
    )


def gateway_error(status: int, message: str, error_type: str) -> Response:
    """API Gateway's own error shape: `{"message": ...}` and the `x-amzn-ErrorType` header."""
    headers = {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4())}
    return JSONResponse({"message": message}, status, headers=headers)


def create_app(settings: GatewaySettings | None = None, plans: PlanConfig | None = None) -> Starlette:
    settings = settings or GatewaySettings()
    plans = plans or load_plans()
    config = api_config(settings, plans)
    client = runtime_client(config, **LOCAL_AWS_SESSION)
    keys = KeyStore(settings.keys_db, plans.plans)
    buckets = TokenBuckets()
    openapi_document = json.loads(resources.read_text(resources.OPENAPI))

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document)

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
            status, headers, data = parse_response(handle(event, config, client))
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
        if find(method, path) is None and not (method == "OPTIONS" and path in PATHS):
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
