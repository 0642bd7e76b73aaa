"""The model server's HTTP edge (Starlette): GET /ping and POST /invocations, the SageMaker inference contract.

`extensions` add routes around the same invocation (the local stack adds sagemaker-runtime's path with
`aidetector.local.runtime`); the container runs the server without them.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
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
from aidetector.serving.model_state import ModelState
from aidetector.serving.settings import ServerSettings

log = logging.getLogger("aidetector.serving")
CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
INPUT_ERROR_STATUS = {"text_too_long": 413, "empty_text": 422, "invalid_encoding": 400, "invalid_type": 400}
Body = dict[str, Any] | list[dict[str, Any]]  # a JSON object, or one object per line for a JSON Lines request
Invoke = Callable[[Request], Awaitable[tuple[int, Body]]]
Extension = Callable[[Invoke], Sequence[BaseRoute]]


def _request_id(request: Request) -> str:
    """The caller's id from SageMaker custom attributes (`request_id=...`), else a new one."""
    for part in request.headers.get(CUSTOM_ATTRIBUTES, "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "request_id" and value:
            return value[:128]
    return str(uuid.uuid4())


class Invocations:
    """One invocation: decode, validate, score on the current model, encode; every failure a status and a code."""

    def __init__(self, state: ModelState, settings: ServerSettings):
        self.state, self.settings = state, settings

    async def score_lines(self, detector: Detector, body: bytes, request_id: str) -> list[dict[str, Any]]:
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
        detections = await self.state.submit(texts, False) if texts else []
        for i, text, detection in zip(positions, texts, detections, strict=True):
            rows[i] = encode_result(text, detection, request_id, self.settings.echo_chars)
        return rows

    async def __call__(self, request: Request) -> tuple[int, Body]:
        request_id = _request_id(request)
        started = time.perf_counter()
        body: Body
        state, settings = self.state, self.settings
        try:
            if state.detector is None or state.batcher is None:
                raise RequestError(503, "model_not_ready", "the model is still loading")
            if is_jsonlines(request.headers.get("content-type")):
                lines = await self.score_lines(state.detector, await request.body(), request_id)
                return _logged(request_id, started, 200, lines)
            invocation = decode(
                await request.body(),
                request.headers.get("content-type"),
                settings.max_body_bytes,
                settings.max_batch_items,
            )
            for text in invocation.texts:
                state.detector.validate(text)
            detections = await state.submit(invocation.texts, invocation.sentences)
            status, body = 200, encode(invocation, detections, request_id, settings.echo_chars)
        except RequestError as exc:
            status, body = exc.status, exc.body()
        except InputError as exc:
            status, body = INPUT_ERROR_STATUS.get(exc.code, 400), {"error": {"code": exc.code, "message": exc.message}}
        except Exception:
            log.exception("invocation %s failed", request_id)
            status, body = 500, {"error": {"code": "model_error", "message": "the model failed on this request"}}
        return _logged(request_id, started, status, body)


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
        if state.detector is not None:
            return JSONResponse({"status": "ok", "model_version": state.detector.version})
        if state.error is not None:
            return JSONResponse(
                {"status": "failed", "error": {"code": "model_load_failed", "message": state.error}}, 503
            )
        return JSONResponse({"status": "loading"}, 503)

    async def invocations(request: Request) -> Response:
        status, body = await invoke(request)
        if isinstance(body, list):
            return Response(encode_lines(body), status, media_type=JSONLINES)
        return JSONResponse(body, status)

    routes: list[BaseRoute] = [
        Route("/ping", ping, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
    ]
    for extension in extensions:
        routes.extend(extension(invoke))
    app = Starlette(routes=routes, lifespan=lifespan)
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
        create_app(settings, extensions),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=int(settings.graceful_shutdown_s),
        access_log=False,
    )
