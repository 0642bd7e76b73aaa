"""Registry settings (env prefix `AIDETECTOR_REGISTRY_`): where versions live and how strict the promotion gate is."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aidetector.settings import AppSettings


def default_registry_uri() -> str:
    return str(AppSettings().home / "models")


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_REGISTRY_", extra="ignore")

    uri: str = Field(default_factory=default_registry_uri, description="a folder, or s3://bucket/prefix")
    # A candidate may be this much worse than `latest` on the same evaluation data and still be promoted:
    # evaluation noise on a few thousand texts is about this size.
    auroc_tolerance: float = Field(0.005, ge=0, le=1, description="AUROC a candidate may lose against latest")
    fpr_tolerance: float = Field(0.005, ge=0, le=1, description="FPR a candidate may gain against latest")
    # Absolute floors, whatever `latest` is (also used by the SageMaker pipeline's condition step).
    min_auroc: float = Field(0.80, ge=0, le=1, description="floor on the candidate's AUROC")
    max_fpr: float = Field(0.10, ge=0, le=1, description="ceiling on the candidate's false-positive rate")
    region: str | None = Field(None, description="AWS region of the S3 store (default: the boto3 default)")
