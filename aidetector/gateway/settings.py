"""Local gateway settings (env prefix `AIDETECTOR_GATEWAY_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aidetector.settings import AppSettings

REPO_ROOT = Path(__file__).resolve().parents[2]


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    model_url: str = Field("http://127.0.0.1:8080", description="the model server, as sagemaker-runtime's endpoint")
    endpoint_name: str = "aidetector-local"
    stage: str = "prod"
    max_payload_bytes: int = Field(10 * 1024 * 1024, description="API Gateway's own payload limit")
    handler_path: Path = REPO_ROOT / "lambda" / "handler.py"
    keys_db: Path = Field(default_factory=lambda: AppSettings().home / "keys.sqlite3")
    read_timeout_s: float = 25.0
    cors_origin: str = "*"
