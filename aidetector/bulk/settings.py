"""Batch-scoring settings (env prefix `AIDETECTOR_BATCH_`); CLI flags override them per run."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_workers() -> int:
    """One model per core, capped: beyond a few copies memory grows while throughput does not."""
    return max(1, min(os.cpu_count() or 1, 8))


class BatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_BATCH_", extra="ignore")

    workers: int = Field(default_factory=default_workers, ge=1, description="model processes, or concurrent requests")
    chunk_size: int = Field(64, ge=1, description="rows scored and committed together (the unit of resume)")
    text_field: str = Field("text", min_length=1, description="JSONL field or CSV column holding the text")
    request_items: int = Field(16, ge=1, description="texts per request to a model server (its batch limit)")
    request_timeout_s: float = Field(120.0, gt=0, description="read timeout of one request to a model server")
    max_wait_s: float = Field(600.0, ge=0, description="how long to keep retrying an unreachable model server")
    retry_initial_s: float = Field(0.5, gt=0, description="first pause between retries; doubles each time")
    retry_max_s: float = Field(10.0, gt=0, description="longest pause between retries")
    progress: bool = Field(True, description="show a progress bar on stderr")
