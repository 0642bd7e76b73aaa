"""The model server's HTTP edge (Starlette): GET /ping and POST /invocations, the SageMaker inference contract.

`extensions` add routes around the same invocation (the local stack adds sagemaker-runtime's path with
`aidetector.local.runtime`); the container runs the server without them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from aidetector.model.detector import Detector, InputError
from aidetector.serving.codec import (
    JSONLINES,
    RequestError,
    decode,
    decode_lines,
    encode,
    encode_lines,
    encode_result,
    is_jsonlines,
)
from aidetector.serving.cost import work_tokens
from aidetector.serving.http import (
    BodyTimeout,
    BodyTooLarge,
    HeaderLimit,
    read_body,
    until_disconnected,
    uvicorn_options,
)
from aidetector.serving.model_state import ModelState
from aidetector.serving.scheduler import DeadlineExceeded, Overloaded
from aidetector.serving.settings import ServerSettings

log = logging.getLogger("aidetector.serving")
CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
INPUT_ERROR_STATUS = {"text_too_long": 413, "empty_text": 422, "invalid_encoding": 400, "invalid_type": 400}
CLIENT_CLOSED = 499  # logged only: the client went away before its answer
Body = dict[str, Any] | list[dict[str, Any]]  # a JSON object, or one object per line for a JSON Lines request
Invoke = Callable[[Request], Awaitable[tuple[int, Body]]]
Extension = Callable[[Invoke], Sequence[BaseRoute]]


def custom_attributes(request: Request) -> dict[str, str]:
    """SageMaker custom attributes (`request_id=...,key=...,deadline_ms=...`) as a dict."""
    attributes: dict[str, str] = {}
    for part in request.headers.get(CUSTOM_ATTRIBUTES, "").split(","):
        name, _, value = part.strip().partition("=")
        if name and value:
            attributes[name] = value[:128]
    return attributes


def error_body(status: int, message: str) -> dict[str, Any]:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 431: "headers_too_large"}
    return {"error": {"code": code.get(status, "bad_request"), "message": message}}


class Invocations:
    """One invocation: decode, validate, cost, queue, score on the current model, encode; every failure a status
    and a code."""

    def __init__(self, state: ModelState, settings: ServerSettings):
        self.state, self.settings = state, settings

    def deadline(self, attributes: dict[str, str]) -> float:
        """When the caller stops waiting: its `deadline_ms` budget from now, at most `default_deadline_s`."""
        budget = self.settings.default_deadline_s
        raw = attributes.get("deadline_ms", "")
        if raw.isdigit():
            budget = min(budget, int(raw) / 1000.0)
        return time.monotonic() + budget

    async def costs(self, detector: Detector, texts: list[str], sentences: bool, limit: float) -> list[int]:
        # in a worker thread of its own: one request's tokenising never waits for another's
        return await anyio.to_thread.run_sync(work_tokens, detector, texts, sentences, limit)

    async def scored(
        self, request: Request, texts: list[str], sentences: bool, costs: list[int], key: str, deadline: float
    ) -> list[Any]:
        """Queue the texts; if the client goes away first, their queued work is dropped (`ClientDisconnect`)."""
        work = asyncio.ensure_future(self.state.submit(texts, sentences, costs=costs, key=key, deadline=deadline))
        gone = asyncio.ensure_future(until_disconnected(request))
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not work.done():
            work.cancel()
            raise ClientDisconnect
        return work.result()

    async def score_lines(
        self, detector: Detector, request: Request, body: bytes, request_id: str, key: str, deadline: float
    ) -> list[dict[str, Any]]:
        """A JSON Lines request: each line gets its result or its own error; bad lines never fail the others."""
        entries = decode_lines(body, self.settings.max_body_bytes)
        rows: list[dict[str, Any]] = [{} for _ in entries]
        positions: list[int] = []
        texts: list[str] = []
        for i, entry in enumerate(entries):
            if isinstance(entry, RequestError):
                rows[i] = entry.body()
                continue
            try:
                detector.validate(entry)
            except InputError as exc:
                rows[i] = {"error": {"code": exc.code, "message": exc.message}}
                continue
            positions.append(i)
            texts.append(entry)
        # Batch Transform packs as many lines as fit into a payload: no work cap, but the work counts for fairness.
        costs = await self.costs(detector, texts, False, math.inf) if texts else []
        detections = await self.scored(request, texts, False, costs, key, deadline) if texts else []
        for i, text, detection in zip(positions, texts, detections, strict=True):
            rows[i] = encode_result(text, detection, request_id, self.settings.echo_chars)
        return rows

    async def __call__(self, request: Request) -> tuple[int, Body]:
        attributes = custom_attributes(request)
        request_id = attributes.get("request_id") or str(uuid.uuid4())
        key = attributes.get("key", "")
        deadline = self.deadline(attributes)
        started = time.perf_counter()
        body: Body
        state, settings = self.state, self.settings
        try:
            detector = state.detector
            if detector is None or state.batcher is None:
                raise RequestError(503, "model_not_ready", "the model is still loading")
            raw = await read_body(request, settings.max_body_bytes, settings.body_timeout_s)
            if is_jsonlines(request.headers.get("content-type")):
                lines = await self.score_lines(detector, request, raw, request_id, key or "jsonlines", deadline)
                return _logged(request_id, started, 200, lines)
            invocation = decode(
                raw, request.headers.get("content-type"), settings.max_body_bytes, settings.max_batch_items
            )
            if invocation.describe == "languages":
                return _logged(request_id, started, 200, detector.language_report())
            for text in invocation.texts:
                detector.validate(text)
            costs = await self.costs(detector, invocation.texts, invocation.sentences, settings.max_request_work)
            detections = await self.scored(request, invocation.texts, invocation.sentences, costs, key, deadline)
            status, body = 200, encode(invocation, detections, request_id, settings.echo_chars)
        except RequestError as exc:
            status, body = exc.status, exc.body()
        except InputError as exc:
            status, body = INPUT_ERROR_STATUS.get(exc.code, 400), {"error": {"code": exc.code, "message": exc.message}}
        except BodyTooLarge:
            message = f"request body is over {settings.max_body_bytes} bytes"
            status, body = 413, {"error": {"code": "body_too_large", "message": message}}
        except BodyTimeout:
            message = f"the request body did not arrive within {settings.body_timeout_s:g} s"
            status, body = 408, {"error": {"code": "request_timeout", "message": message}}
        except ClientDisconnect:
            status, body = CLIENT_CLOSED, {"error": {"code": "client_closed", "message": "the client went away"}}
        except Overloaded as exc:
            error = {"code": "overloaded", "message": str(exc), "retry_after_s": exc.retry_after_s}
            status, body = 503, {"error": error}
        except DeadlineExceeded:
            message = "the request's deadline passed before the model could score it"
            status, body = 504, {"error": {"code": "timeout", "message": message}}
        except Exception:
            log.exception("invocation %s failed", request_id)
            status, body = 500, {"error": {"code": "model_error", "message": "the model failed on this request"}}
        return _logged(request_id, started, status, body)


def retry_after(body: Body) -> dict[str, str]:
    """A Retry-After header for an answer that says when to retry (503 overloaded)."""
    if isinstance(body, dict):
        seconds = (body.get("error") or {}).get("retry_after_s")
        if isinstance(seconds, int):
            return {"Retry-After": str(seconds)}
    return {}


def create_app(settings: ServerSettings | None = None, extensions: Sequence[Extension] = ()) -> Starlette:
    settings = settings or ServerSettings()
    state = ModelState(settings)
    invoke = Invocations(state, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.start()
        yield
        state.stop()

    async def ping(request: Request) -> Response:
        report = state.report()
        if state.detector is not None:
            return JSONResponse({"status": "ok", "model_version": state.detector.version, **report})
        if state.error is not None:
            error = {"code": "model_load_failed", "message": state.error}
            return JSONResponse({"status": "failed", "error": error, **report}, 503)
        return JSONResponse({"status": "loading", **report}, 503)

    async def invocations(request: Request) -> Response:
        status, body = await invoke(request)
        if isinstance(body, list):
            return Response(encode_lines(body), status, media_type=JSONLINES)
        return JSONResponse(body, status, headers=retry_after(body))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return JSONResponse(error_body(status, f"{message}: {request.method} {request.url.path}"), status)

    routes: list[BaseRoute] = [
        Route("/ping", ping, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
    ]
    for extension in extensions:
        routes.extend(extension(invoke))
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error})
    app.state.model = state
    return app


def _logged(request_id: str, started: float, status: int, body: Body) -> tuple[int, Body]:
    log.info(
        json.dumps({"request_id": request_id, "status": status, "ms": round(1000 * (time.perf_counter() - started), 2)})
    )
    return status, body


def serve(settings: ServerSettings | None = None, extensions: Sequence[Extension] = ()) -> None:
    """Run with uvicorn; SIGTERM stops accepting and lets in-flight requests finish (graceful shutdown)."""
    import uvicorn

    settings = settings or ServerSettings()
    uvicorn.run(
        HeaderLimit(create_app(settings, extensions), settings.max_header_bytes, error_body),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=int(settings.graceful_shutdown_s),
        access_log=False,
        **uvicorn_options(settings.header_timeout_s, settings.max_header_bytes, error_body),
    )
