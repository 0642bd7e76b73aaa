"""Model-server settings (env prefix `AIDETECTOR_SERVE_`). On SageMaker, `aidetector.container.serving` sets the
port and the model folder from the container contract."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aidetector.plans import load_plans
from aidetector.settings import AppSettings


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_SERVE_", extra="ignore")

    host: str = Field("0.0.0.0", description="all interfaces, as a container must; `aidetector up` binds loopback")
    port: int = Field(8080, description="port of /ping and /invocations")
    model_dir: Path = Field(
        default_factory=lambda: AppSettings().model_dir, description="artifact folder (default: AIDETECTOR_MODEL_DIR)"
    )
    max_batch: int = Field(16, ge=1, description="texts per model call")
    # 0 = greedy batching: a batch takes every text waiting when the model becomes free. Under load batches fill
    # by themselves (texts queue while the model runs); at low load nobody waits for company.
    max_wait_ms: float = Field(0.0, ge=0, description="how long the first text of a batch waits for company")
    max_body_bytes: int = Field(6 * 1024 * 1024, description="SageMaker's own request limit")
    max_batch_items: int = Field(
        default_factory=lambda: load_plans().limits.max_batch_items, description="texts per request"
    )
    echo_chars: int = Field(
        default_factory=lambda: load_plans().limits.echo_chars, description="longer texts are not echoed in full"
    )
    registry_uri: str | None = Field(None, description="serve the registry's latest instead of model_dir")
    watch_s: float = Field(0.0, ge=0, description="with a registry: check for a new latest this often (0 = never)")
    cache_dir: Path = Field(
        default_factory=lambda: AppSettings().home / "cache", description="where S3 registry versions are unpacked"
    )
    graceful_shutdown_s: float = Field(25.0, description="in-flight requests finish within this after SIGTERM")
    # What one request may cost and how the model is shared (aidetector/serving/scheduler.py, serving/cost.py).
    max_request_work: int = Field(
        32_768,
        ge=1024,
        description="work tokens per request (window tokens + 128 per text + per-sentence scores); over: 413",
    )
    max_batch_work: int = Field(8_192, ge=256, description="work tokens per model call (a bigger text runs alone)")
    max_queue_s: float = Field(
        10.0, gt=0, description="refuse with 503 + Retry-After a request predicted to wait longer than this"
    )
    default_deadline_s: float = Field(
        55.0, gt=0, description="deadline of a request whose caller sends none (SageMaker waits 60 s)"
    )
    # The HTTP edge's own limits (aidetector/serving/http.py).
    header_timeout_s: float = Field(10.0, gt=0, description="a client must send its request headers within this")
    body_timeout_s: float = Field(30.0, gt=0, description="and its body within this (else 408)")
    max_header_bytes: int = Field(16_384, ge=1024, description="request line and headers (else 431)")
