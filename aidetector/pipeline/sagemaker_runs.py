"""Create/update and run the SageMaker pipeline (the only part of `aidetector pipeline` that calls AWS)."""

from __future__ import annotations

import time
from typing import Any

from aidetector.pipeline.sagemaker_definition import build_pipeline
from aidetector.pipeline.settings import PipelineSettings

TERMINAL = {"Succeeded", "Failed", "Stopped"}


def upsert(settings: PipelineSettings) -> str:
    import boto3

    pipeline = build_pipeline(settings, boto_session=boto3.Session(region_name=settings.region))
    response = pipeline.upsert(role_arn=settings.role_arn)
    return str(response["PipelineArn"])


def start(settings: PipelineSettings, sagemaker: Any, wait: bool, poll_s: float = 30.0) -> tuple[str, str, str]:
    """Start an execution; with `wait`, poll until it ends. Returns (arn, status, failure reason)."""
    arn = str(sagemaker.start_pipeline_execution(PipelineName=settings.name)["PipelineExecutionArn"])
    status, reason = "Executing", ""
    while wait and status not in TERMINAL:
        time.sleep(poll_s)
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        status, reason = described["PipelineExecutionStatus"], described.get("FailureReason", "")
    return arn, status, reason
