"""Where the product finds its model, its plans and its local state (env prefix `AIDETECTOR_`)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The shipped model is package data of aidetector.model (the repository's model/shipped/).
SHIPPED_MODEL_DIR = Path(str(files("aidetector.model").joinpath("shipped")))


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_", extra="ignore")

    model_dir: Path = Field(SHIPPED_MODEL_DIR, description="artifact folder used when --model is not given")
    home: Path = Field(Path(user_data_dir("aidetector")), description="all local state: keys DB, model registry")
    plans_file: Path | None = Field(
        None, description="usage plans and limits (TOML) instead of the packaged aidetector/resources/plans.toml"
    )
