"""Creating/updating the SageMaker pipeline and starting an execution, against moto's SageMaker."""

from __future__ import annotations

import boto3

from aidetector.pipeline import sagemaker_runs
from aidetector.pipeline.settings import PipelineSettings
from tests.aidetector.pipeline.conftest import BUCKET

SETTINGS = PipelineSettings(
    name="aidetector-test-train", bucket=BUCKET, role_arn="arn:aws:iam::123456789012:role/pipeline",
    train_image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/t:sha",
)  # fmt: skip


def test_upsert_creates_then_updates_the_pipeline(bucket):
    arn = sagemaker_runs.upsert(SETTINGS)
    assert arn.endswith(":pipeline/aidetector-test-train")
    assert sagemaker_runs.upsert(SETTINGS) == arn  # a second release updates the same pipeline
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    described = sagemaker.describe_pipeline(PipelineName=SETTINGS.name)
    assert described["RoleArn"] == SETTINGS.role_arn and '"Train"' in described["PipelineDefinition"]


def test_start_without_waiting_returns_the_execution(bucket):
    sagemaker_runs.upsert(SETTINGS)
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    arn, status, reason = sagemaker_runs.start(SETTINGS, sagemaker, wait=False)
    assert arn.startswith(sagemaker.describe_pipeline(PipelineName=SETTINGS.name)["PipelineArn"])
    assert (status, reason) == ("Executing", "")
    summaries = sagemaker.list_pipeline_executions(PipelineName=SETTINGS.name)["PipelineExecutionSummaries"]
    assert [s["PipelineExecutionArn"] for s in summaries] == [arn]
