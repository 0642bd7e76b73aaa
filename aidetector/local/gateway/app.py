"""The local API Gateway emulator: what API Gateway enforces, with its status codes and bodies, then the handler.

Order of checks, cheapest first, so that a request without a key never costs more than its headers: route exists
(else 403 Missing Authentication Token) -> announced size (Content-Length over the cap: 413) -> API key (403
Forbidden) -> throttle (429 Too Many Requests) -> the body, streamed with the size cap (413) and a time limit
(408) -> quota (429 Limit Exceeded) -> Lambda proxy. The gateway's own errors keep API Gateway's `{"message"}`
shape and carry the CORS headers (as the AWS stack's gateway responses do); a rejection before the body is read
closes the connection, so an unread upload is never buffered.

Every answer to a keyed call carries the key's throttle and quota state (`X-RateLimit-*`, `X-Quota-*`) and a 429
says when to retry (`Retry-After`). `/openapi.json` (with `servers` naming where it is served) and `/docs`
(Swagger UI from the `swagger-ui-py` package: no CDN) need no key. With `aidetector up`, `/v1/health` also
reports the local processes and their restarts.

The handler is `aidetector.api` called in-process with an explicit configuration (the same code the Lambda runs).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aidetector import resources
from aidetector.api.config import ApiConfig
from aidetector.api.endpoint import runtime_client
from aidetector.api.router import handle
from aidetector.api.routes import PATHS, cors_headers, find
from aidetector.local.gateway.events import MalformedResponse, build_event, parse_response
from aidetector.local.gateway.keys import ApiKey, KeyStore, period_end
from aidetector.local.gateway.settings import GatewaySettings
from aidetector.local.gateway.throttle import TokenBuckets
from aidetector.plans import PlanConfig, load_plans
from aidetector.serving.http import BodyTimeout, BodyTooLarge, HeaderLimit, read_body, uvicorn_options

log = logging.getLogger("aidetector.gateway")
# sagemaker-runtime signs its requests: locally any credentials do, passed to the client, not set in the process.
LOCAL_AWS_SESSION = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "CONNECT"]
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aidetector API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{base}/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{base}/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "{base}/openapi.json", dom_id: "#swagger-ui", deepLinking: true}});</script>
</body></html>
"""


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


def gateway_error(
    status: int,
    message: str,
    error_type: str,
    cors_origin: str = "*",
    headers: dict[str, str] | None = None,
    close: bool = False,
) -> Response:
    """API Gateway's own error shape: `{"message": ...}`, the `x-amzn-ErrorType` header and the CORS headers.
    `close`: the body was not read, so the connection is closed after the answer (nothing buffers the upload)."""
    all_headers = {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4()), **cors_headers(cors_origin)}
    all_headers.update(headers or {})
    if close:
        all_headers["Connection"] = "close"
    return JSONResponse({"message": message}, status, headers=all_headers)


def swagger_ui_folder() -> Path | None:
    """Swagger UI's files inside the installed `swagger-ui-py` package (found without importing it)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if all((folder / name).is_file() for name in DOCS_ASSETS) else None


def rate_headers(plan_burst: int, tokens_left: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(plan_burst), "X-RateLimit-Remaining": str(max(0, tokens_left))}


def quota_headers(quota: int, used: int, period: str) -> dict[str, str]:
    reset = max(1, math.ceil((period_end(period) - datetime.now(UTC)).total_seconds()))
    return {"X-Quota-Limit": str(quota), "X-Quota-Remaining": str(max(0, quota - used)), "X-Quota-Reset": str(reset)}


def read_stack(path: Path | None) -> dict[str, Any] | None:
    """`aidetector up`'s report of its processes (written by its supervisor), if there is one."""
    if path is None:
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def create_app(settings: GatewaySettings | None = None, plans: PlanConfig | None = None) -> Starlette:
    settings = settings or GatewaySettings()
    plans = plans or load_plans()
    config = api_config(settings, plans)
    client = runtime_client(config, **LOCAL_AWS_SESSION)
    keys = KeyStore(settings.keys_db, plans.plans)
    buckets = TokenBuckets()
    openapi_document = json.loads(resources.read_text(resources.OPENAPI))
    docs_folder = swagger_ui_folder()
    origin = settings.cors_origin

    def stage_prefix(request: Request) -> str:
        return f"/{settings.stage}" if request.url.path.startswith(f"/{settings.stage}/") else ""

    def base_url(request: Request) -> str:
        return str(request.base_url).rstrip("/") + stage_prefix(request)

    async def openapi(request: Request) -> Response:
        """The repository's document, with `servers` naming the address it was fetched from."""
        document = {**openapi_document, "servers": [{"url": base_url(request), "description": "this gateway"}]}
        return JSONResponse(document, headers=cors_headers(origin))

    async def docs(request: Request) -> Response:
        if docs_folder is None:
            return gateway_error(404, "API docs need the swagger-ui-py package", "NotFoundException", origin)
        return HTMLResponse(DOCS_PAGE.format(base=base_url(request)))

    async def docs_asset(request: Request) -> Response:
        name = request.path_params["name"]
        if docs_folder is None or name not in DOCS_ASSETS:
            return gateway_error(403, "Missing Authentication Token", "MissingAuthenticationTokenException", origin)
        return FileResponse(docs_folder / name, headers={"Cache-Control": "public, max-age=86400"})

    def invoke(method: str, path: str, request: Request, body: bytes, key: ApiKey | None) -> Response:
        """Quota, then the handler: blocking work (SQLite, boto3), run in one worker-thread hop."""
        extra: dict[str, str] = {}
        if key is not None:
            plan = plans.plans[key.plan]
            counted, used = keys.consume_counted(key)
            extra = quota_headers(plan.quota, used, plan.period)
            if not counted:
                reset = extra["X-Quota-Reset"]
                return gateway_error(
                    429, "Limit Exceeded", "LimitExceededException", origin, {**extra, "Retry-After": reset}
                )
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
            return gateway_error(502, "Internal server error", "InternalServerErrorException", origin)
        except Exception:
            log.exception("Lambda invocation failed")
            return gateway_error(502, "Internal server error", "InternalServerErrorException", origin)
        if path == "/v1/health" and status == 200:
            data = with_stack(data)
        headers.setdefault("x-amzn-RequestId", event["requestContext"]["requestId"])
        headers.pop("content-length", None)
        headers.update(extra)
        return Response(data, status, headers=headers)

    def with_stack(data: bytes) -> bytes:
        stack = read_stack(settings.stack_file)
        if stack is None:
            return data
        try:
            answer = json.loads(data)
        except ValueError:
            return data
        answer["local_stack"] = stack
        return json.dumps(answer).encode()

    async def proxy(request: Request) -> Response:
        method, path = request.method.upper(), request.url.path
        if path.startswith(f"/{settings.stage}/"):  # accept the stage prefix, as in the AWS invoke URL
            path = path[len(settings.stage) + 1 :]
        preflight = method == "OPTIONS" and path in PATHS  # CORS preflight: no key, like a MOCK integration
        if find(method, path) is None and not preflight:
            return gateway_error(
                403, "Missing Authentication Token", "MissingAuthenticationTokenException", origin, close=True
            )
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_payload_bytes:
            return gateway_error(413, "Request Too Long", "RequestTooLongException", origin, close=True)
        key: ApiKey | None = None
        rate: dict[str, str] = {}
        if not preflight:
            raw_key = request.headers.get("x-api-key", "")
            key = await anyio.to_thread.run_sync(keys.lookup, raw_key) if raw_key else None
            if key is None:
                return gateway_error(403, "Forbidden", "ForbiddenException", origin, close=True)
            plan = plans.plans[key.plan]
            allowed, left, wait = buckets.take(key.name, plan.rate, plan.burst)
            rate = rate_headers(plan.burst, left)
            if not allowed:
                retry = {"Retry-After": str(max(1, math.ceil(wait)))}
                return gateway_error(
                    429, "Too Many Requests", "TooManyRequestsException", origin, {**rate, **retry}, close=True
                )
        try:
            body = await read_body(request, settings.max_payload_bytes, settings.body_timeout_s)
        except BodyTooLarge:
            return gateway_error(413, "Request Too Long", "RequestTooLongException", origin, rate, close=True)
        except BodyTimeout:
            return gateway_error(408, "Request Timeout", "RequestTimeoutException", origin, rate, close=True)
        except ClientDisconnect:
            log.info("client went away while sending %s %s", method, path)
            return Response(status_code=400)  # nobody reads it
        response: Response = await anyio.to_thread.run_sync(invoke, method, path, request, body, key)
        response.headers.update(rate)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        """What Starlette itself would answer in plain text (an unrouted method) answered as API Gateway does."""
        return gateway_error(
            403, "Missing Authentication Token", "MissingAuthenticationTokenException", origin, close=True
        )

    app = Starlette(
        routes=[
            Route("/openapi.json", openapi, methods=["GET"]),
            Route(f"/{settings.stage}/openapi.json", openapi, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Route(f"/{settings.stage}/docs", docs, methods=["GET"]),
            Route("/docs/{name}", docs_asset, methods=["GET"]),
            Route(f"/{settings.stage}/docs/{{name}}", docs_asset, methods=["GET"]),
            Route("/{path:path}", proxy, methods=METHODS),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.state.keys = keys
    return app


def gateway_error_body(status: int, message: str) -> dict[str, Any]:
    """The body of an answer uvicorn's protocol layer gives itself (malformed request, headers too large)."""
    return {"message": "Request Header Fields Too Large" if status == 431 else "Bad Request"}


def serve(settings: GatewaySettings | None = None) -> None:
    import uvicorn

    settings = settings or GatewaySettings()
    uvicorn.run(
        HeaderLimit(create_app(settings), settings.max_header_bytes, gateway_error_body),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        **uvicorn_options(settings.header_timeout_s, settings.max_header_bytes, gateway_error_body),
    )
