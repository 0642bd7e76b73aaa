"""Web UI settings (env prefix `AIDETECTOR_WEB_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_WEB_", extra="ignore")

    api_url: str = Field("http://127.0.0.1:8000", description="public API base URL (local gateway or AWS stage)")
    api_key: str = Field(
        "", description="the page's own key (its `web` plan), used when the visitor pastes none; never shown"
    )
    timeout_s: float = Field(30.0, description="how long the page waits for one API answer")
    rate: float = Field(
        2.0, ge=0, description="requests a second the page allows itself: its key's plan rate (0 = unpaced)"
    )
    burst: int = Field(4, ge=1, description="requests the page may send at once: its key's plan burst")
    max_wait_s: float = Field(60.0, ge=0, description="longest the page waits on 429s before it reports the error")
    batch_chunk: int = Field(16, ge=1, le=32, description="texts per batch request (at most the API's item limit)")
    batch_bytes: int = Field(1_500_000, ge=1000, description="largest batch request body (under the API's limit)")
    model_card: str = Field(
        "", description="the model card: an http(s) URL or a file path (the page links to it and can show it)"
    )
    history_limit: int = Field(50, ge=1, description="checks and batch runs the browser keeps in its history")
