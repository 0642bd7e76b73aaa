"""The AWS pipeline's settings (env prefix `AIDETECTOR_PIPELINE_`), set by the release workflow from stack outputs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_PIPELINE_", extra="ignore")

    name: str = "aidetector-dev-train"
    stack: str = "dev"
    region: str = "us-east-1"
    role_arn: str = "arn:aws:iam::000000000000:role/aidetector-dev-sagemaker"
    bucket: str = "aidetector-dev-data"
    train_image_uri: str = "000000000000.dkr.ecr.us-east-1.amazonaws.com/aidetector-dev-train:latest"
    serve_image_uri: str = "000000000000.dkr.ecr.us-east-1.amazonaws.com/aidetector-dev-serve:latest"
    endpoint_name: str = "aidetector-dev"
    base_model: str = Field("roberta-base", description="any hub checkpoint; SageMaker can download it")
    epochs: str = "2"
    train_instance_type: str = "ml.g5.xlarge"
    processing_instance_type: str = "ml.m5.xlarge"
    max_training_hours: int = 4
    min_auroc: float = 0.80
    max_fpr: float = 0.10

    @property
    def registry_uri(self) -> str:
        return f"s3://{self.bucket}/models"

    @property
    def model_version_parameter(self) -> str:
        return f"/aidetector/{self.stack}/model-version"

    @property
    def slack_parameter(self) -> str:
        return f"/aidetector/{self.stack}/slack-webhook-url"
