"""Web UI settings (env prefix `AIDETECTOR_WEB_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_WEB_", extra="ignore")

    api_url: str = Field("http://127.0.0.1:8000", description="public API base URL (local gateway or AWS stage)")
    api_key: str = Field("", description="key used when the visitor pastes none")
    timeout_s: float = Field(30.0, description="how long the page waits for one API answer")
    batch_chunk: int = Field(16, ge=1, le=32, description="texts per batch request")
    fpr_note: str = Field("", description="false-positive rate statement shown under the verdict")
