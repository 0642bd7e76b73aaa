"""What SageMaker sets for a container (env prefix `AIDETECTOR_CONTAINER_`, plus SageMaker's own variables).

SageMaker mounts everything under /opt/ml: hyperparameters in `input/config/hyperparameters.json`, data channels
in `input/data/<channel>/`, the model to write (training) or to serve (inference) in `model/`, a failure reason in
`output/failure`. The root moves with `AIDETECTOR_OPT_ML` so tests run the contract in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ContainerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_CONTAINER_", extra="ignore", populate_by_name=True)

    opt_ml: Path = Field(
        Path("/opt/ml"),
        validation_alias=AliasChoices("AIDETECTOR_OPT_ML", "AIDETECTOR_CONTAINER_OPT_ML"),
        description="SageMaker's mount point (moved only by tests)",
    )
    port: int = Field(
        8080,
        validation_alias=AliasChoices("SAGEMAKER_BIND_TO_PORT", "AIDETECTOR_CONTAINER_PORT"),
        description="port the inference server listens on (SageMaker may choose it)",
    )
    train_channel: str = Field("train", description="data channel the training job reads")

    @property
    def model_dir(self) -> Path:
        return self.opt_ml / "model"

    @property
    def hyperparameters_file(self) -> Path:
        return self.opt_ml / "input" / "config" / "hyperparameters.json"

    def channel_dir(self, channel: str) -> Path:
        return self.opt_ml / "input" / "data" / channel

    @property
    def failure_file(self) -> Path:
        return self.opt_ml / "output" / "failure"

    @property
    def checkpoint_dir(self) -> Path:
        return self.opt_ml / "checkpoints"
