"""Model-server settings (env prefix `AIDETECTOR_SERVE_`; the port also honours SageMaker's variable)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aidetector.plans import load_plans
from aidetector.settings import SHIPPED_MODEL_DIR, AppSettings

SAGEMAKER_MODEL_DIR = Path("/opt/ml/model")


def default_model_dir() -> Path:
    """`$AIDETECTOR_MODEL_DIR`, else SageMaker's /opt/ml/model when it holds a model, else the shipped model."""
    env = os.environ.get("AIDETECTOR_MODEL_DIR")
    if env:
        return Path(env)
    if (SAGEMAKER_MODEL_DIR / "manifest.json").is_file():
        return SAGEMAKER_MODEL_DIR
    return SHIPPED_MODEL_DIR


def default_port() -> int:
    return int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_SERVE_", extra="ignore")

    host: str = "0.0.0.0"  # a container must listen on all interfaces; `aidetector up` binds loopback
    port: int = Field(default_factory=default_port)
    model_dir: Path = Field(default_factory=default_model_dir)
    max_batch: int = Field(16, ge=1, description="texts per model call")
    # 0 = greedy batching: a batch takes every text waiting when the model becomes free. Under load batches fill
    # by themselves (texts queue while the model runs); at low load nobody waits for company.
    max_wait_ms: float = Field(0.0, ge=0, description="how long the first text of a batch waits for company")
    max_body_bytes: int = Field(6 * 1024 * 1024, description="SageMaker's own request limit")
    max_batch_items: int = Field(default_factory=lambda: load_plans().limits.max_batch_items)
    echo_chars: int = Field(default_factory=lambda: load_plans().limits.echo_chars)
    registry_uri: str | None = Field(None, description="serve the registry's latest instead of model_dir")
    watch_s: float = Field(0.0, ge=0, description="with a registry: check for a new latest this often (0 = never)")
    cache_dir: Path = Field(
        default_factory=lambda: AppSettings().home / "cache", description="where S3 registry versions are unpacked"
    )
    graceful_shutdown_s: float = Field(25.0, description="in-flight requests finish within this after SIGTERM")
