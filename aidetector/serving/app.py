"""The model server's HTTP edge (Starlette): /ping, /invocations and the sagemaker-runtime path.

`POST /endpoints/{name}/invocations` is what boto3's `sagemaker-runtime` client calls when its endpoint URL points
here; failures there take the shape the real service gives them (424 + `x-amzn-ErrorType: ModelError` with
`OriginalStatusCode`/`OriginalMessage`), so the Lambda handler sees the same errors locally and on AWS.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aidetector.serving.batcher import BatcherClosed, MicroBatcher
from aidetector.serving.codec import (
    RequestError,
    decode,
    decode_lines,
    encode,
    encode_lines,
    encode_result,
    is_jsonlines,
)
from aidetector.serving.settings import ServerSettings
from model.detector import Detector, InputError

log = logging.getLogger("aidetector.serving")
CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
INPUT_ERROR_STATUS = {"text_too_long": 413, "empty_text": 422, "invalid_encoding": 400, "invalid_type": 400}
JSONLINES = "application/jsonlines"
Body = dict[str, Any] | list[dict[str, Any]]  # a JSON object, or one object per line for a JSON Lines request


class ModelState:
    """Loads the model in the background so /ping can answer 503 (not hang) until it is ready.

    With a registry (`registry_uri`) the server serves its `latest` and, when `watch_s` > 0, checks it every
    `watch_s` seconds: a newly promoted (or rolled-back) version is loaded beside the old one and swapped in;
    requests already queued finish on the old model. A version that fails to load leaves the old one serving.
    """

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.detector: Detector | None = None
        self.batcher: MicroBatcher | None = None
        self.error: str | None = None
        self.stopped = threading.Event()
        self.registry = None
        if settings.registry_uri:
            from aidetector.registry.registry import Registry
            from aidetector.registry.settings import RegistrySettings

            self.registry = Registry.from_settings(RegistrySettings(uri=settings.registry_uri))
        self.thread = threading.Thread(target=self._run, name="model-loader", daemon=True)

    def _model_path(self, version: str | None = None) -> Path:
        if self.registry is None:
            return self.settings.model_dir
        return self.registry.fetch(version, self.settings.cache_dir)

    def _swap_in(self, path: Path) -> None:
        started = time.monotonic()
        detector = Detector.from_path(path)
        detector.detect(["Warm-up text for the model server. " * 8])  # first call pays one-off costs
        old = self.batcher
        self.batcher = MicroBatcher(detector.detect, self.settings.max_batch, self.settings.max_wait_ms)
        self.detector = detector
        log.info("model %s loaded in %.1fs", detector.version, time.monotonic() - started)
        if old is not None:
            old.close()  # what was queued on the old model is answered by it before its worker stops

    async def submit(self, texts: list[str], sentences: bool) -> list[Any]:
        """Score on the current model; a request caught by a model swap moves to the new batcher."""
        while True:
            batcher = self.batcher
            if batcher is None:
                raise RuntimeError("the model is not loaded")
            try:
                return await batcher.submit(texts, sentences)
            except BatcherClosed:
                if self.batcher is batcher:
                    raise

    def _run(self) -> None:
        try:
            self._swap_in(self._model_path())
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("model failed to load: %s", self.error)
            return
        if self.registry is None or self.settings.watch_s <= 0:
            return
        refused: str | None = None  # a version that failed to load is not retried every tick
        while not self.stopped.wait(self.settings.watch_s):
            latest = None
            try:
                latest = self.registry.latest()
                if latest and latest != refused and self.detector is not None and latest != self.detector.version:
                    log.info("registry latest is now %s; loading it", latest)
                    self._swap_in(self._model_path(latest))
            except Exception as exc:
                refused = latest
                log.error("could not load the registry's latest %s (still serving the current model): %s", latest, exc)


def _request_id(request: Request) -> str:
    """The caller's id from SageMaker custom attributes (`request_id=...`), else a new one."""
    for part in request.headers.get(CUSTOM_ATTRIBUTES, "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "request_id" and value:
            return value[:128]
    return str(uuid.uuid4())


def create_app(settings: ServerSettings | None = None) -> Starlette:
    settings = settings or ServerSettings()
    state = ModelState(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.thread.start()
        yield
        state.stopped.set()
        if state.batcher is not None:
            state.batcher.close()

    async def ping(request: Request) -> Response:
        if state.detector is not None:
            return JSONResponse({"status": "ok", "model_version": state.detector.version})
        if state.error is not None:
            return JSONResponse(
                {"status": "failed", "error": {"code": "model_load_failed", "message": state.error}}, 503
            )
        return JSONResponse({"status": "loading"}, 503)

    async def score_lines(detector: Detector, body: bytes, request_id: str) -> list[dict[str, Any]]:
        """A JSON Lines request: each line gets its result or its own error; bad lines never fail the others."""
        entries = decode_lines(body, settings.max_body_bytes)
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
        detections = await state.submit(texts, False) if texts else []
        for i, text, detection in zip(positions, texts, detections, strict=True):
            rows[i] = encode_result(text, detection, request_id, settings.echo_chars)
        return rows

    async def invoke(request: Request) -> tuple[int, Body]:
        request_id = _request_id(request)
        started = time.perf_counter()
        body: Body
        try:
            if state.detector is None or state.batcher is None:
                raise RequestError(503, "model_not_ready", "the model is still loading")
            if is_jsonlines(request.headers.get("content-type")):
                lines = await score_lines(state.detector, await request.body(), request_id)
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

    async def invocations(request: Request) -> Response:
        status, body = await invoke(request)
        if isinstance(body, list):
            return Response(encode_lines(body), status, media_type=JSONLINES)
        return JSONResponse(body, status)

    async def runtime_invocations(request: Request) -> Response:
        """sagemaker-runtime's InvokeEndpoint: non-2xx answers wrapped as the service wraps them."""
        status, body = await invoke(request)
        if status == 200:
            headers = {"x-amzn-invoked-production-variant": "local"}
            if isinstance(body, list):
                return Response(encode_lines(body), 200, media_type=JSONLINES, headers=headers)
            return JSONResponse(body, 200, headers=headers)
        wrapped = {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if status < 500 else "SERVER_ERROR_FROM_MODEL",
            "Message": f"Received {'client' if status < 500 else 'server'} error ({status}) from primary",
            "OriginalStatusCode": status,
            "OriginalMessage": json.dumps(body),
        }
        return JSONResponse(wrapped, 424, headers={"x-amzn-ErrorType": "ModelError:"})

    routes = [
        Route("/ping", ping, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
        Route("/endpoints/{name}/invocations", runtime_invocations, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.model = state
    return app


def _logged(request_id: str, started: float, status: int, body: Body) -> tuple[int, Body]:
    log.info(
        json.dumps({"request_id": request_id, "status": status, "ms": round(1000 * (time.perf_counter() - started), 2)})
    )
    return status, body


def serve(settings: ServerSettings | None = None) -> None:
    """Run with uvicorn; SIGTERM stops accepting and lets in-flight requests finish (graceful shutdown)."""
    import uvicorn

    settings = settings or ServerSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=int(settings.graceful_shutdown_s),
        access_log=False,
    )
