"""The AWS pipeline's settings (env prefix `AIDETECTOR_PIPELINE_`), set by the release workflow from stack outputs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIDETECTOR_PIPELINE_", extra="ignore")

    name: str = Field("aidetector-dev-train", description="SageMaker pipeline name")
    stack: str = Field("dev", description="Pulumi stack (names the SSM parameters)")
    region: str = Field("us-east-1", description="AWS region")
    role_arn: str = Field(
        "arn:aws:iam::000000000000:role/aidetector-dev-pipeline",
        description="role the pipeline and its jobs run as (stack output pipeline_role_arn)",
    )
    endpoint_role_arn: str = Field(
        "arn:aws:iam::000000000000:role/aidetector-dev-endpoint",
        description="role the models of the Deploy step run as (stack output endpoint_role_arn)",
    )
    bucket: str = Field("aidetector-dev-data", description="bucket of data, registry and job outputs")
    train_image_uri: str = Field(
        "000000000000.dkr.ecr.us-east-1.amazonaws.com/aidetector-dev-train:latest", description="training image"
    )
    serve_image_uri: str = Field(
        "000000000000.dkr.ecr.us-east-1.amazonaws.com/aidetector-dev-serve:latest", description="serving image"
    )
    endpoint_name: str = Field("aidetector-dev", description="endpoint the Deploy step updates")
    base_model: str = Field("roberta-base", description="any hub checkpoint; SageMaker can download it")
    epochs: str = Field("2", description="training epochs (a hyperparameter string)")
    train_instance_type: str = Field("ml.g5.xlarge", description="training instance")
    processing_instance_type: str = Field("ml.m5.xlarge", description="evaluate/promote instance")
    max_training_hours: int = Field(4, description="training job time limit")
    min_auroc: float = Field(0.80, description="gate floor: a candidate below is refused")
    max_fpr: float = Field(0.10, description="gate ceiling on the false-positive rate")

    @property
    def registry_uri(self) -> str:
        return f"s3://{self.bucket}/models"

    @property
    def model_version_parameter(self) -> str:
        return f"/aidetector/{self.stack}/model-version"

    @property
    def variant_parameter(self) -> str:
        return f"/aidetector/{self.stack}/endpoint-variant"

    @property
    def slack_parameter(self) -> str:
        return f"/aidetector/{self.stack}/slack-webhook-url"
