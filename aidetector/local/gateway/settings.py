"""Local gateway settings (env prefix `AIDETECTOR_GATEWAY_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aidetector.settings import AppSettings


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_GATEWAY_", extra="ignore")

    host: str = Field("127.0.0.1", description="interface the gateway listens on")
    port: int = Field(8000, description="port of the public API")
    model_url: str = Field("http://127.0.0.1:8080", description="the model server, as sagemaker-runtime's endpoint")
    endpoint_name: str = Field("aidetector-local", description="endpoint name passed to the model server")
    stage: str = Field("prod", description="API Gateway stage name accepted as a path prefix")
    max_payload_bytes: int = Field(10 * 1024 * 1024, description="API Gateway's own payload limit")
    keys_db: Path = Field(default_factory=lambda: AppSettings().home / "keys.sqlite3", description="API keys DB")
    read_timeout_s: float = Field(25.0, description="how long the handler waits for the model")
    cors_origin: str = Field("*", description="Access-Control-Allow-Origin of every answer")
    header_timeout_s: float = Field(10.0, gt=0, description="a client must send its request headers within this")
    body_timeout_s: float = Field(30.0, gt=0, description="and its body within this (else 408)")
    max_header_bytes: int = Field(16_384, ge=1024, description="request line and headers (else 431)")
    stack_file: Path | None = Field(
        None, description="`aidetector up`'s report of its processes, added to /v1/health (set by `up`)"
    )
