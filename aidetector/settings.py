"""Where the product finds its model and keeps its local state (env prefix `AIDETECTOR_`)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SHIPPED_MODEL_DIR = Path(__file__).resolve().parent.parent / "model" / "shipped"


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_", extra="ignore")

    model_dir: Path = Field(SHIPPED_MODEL_DIR, description="artifact folder used when --model is not given")
    home: Path = Field(Path(user_data_dir("aidetector")), description="all local state: keys DB, model registry")
