"""Scheduled jobs Lambda (EventBridge Scheduler → here): weekly batch scoring and periodic retraining.

`{"job": "batch"}` starts a SageMaker Batch Transform with the model the endpoint serves right now, over the JSON
Lines under `s3://$BUCKET/$BATCH_INPUT_PREFIX`, writing to `$BATCH_OUTPUT_PREFIX<date>/` (each output line is the
input record joined with the model server's result). `{"job": "retrain"}` starts the SageMaker pipeline.
boto3 only, like the API handler, so the deployment package is this file.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

log = logging.getLogger("aidetector.jobs")
log.setLevel(logging.INFO)


@dataclass(frozen=True)
class JobsConfig:
    endpoint_name: str = field(default_factory=lambda: os.environ.get("ENDPOINT_NAME", "aidetector"))
    bucket: str = field(default_factory=lambda: os.environ.get("BUCKET", ""))
    input_prefix: str = field(default_factory=lambda: os.environ.get("BATCH_INPUT_PREFIX", "batch/input/"))
    output_prefix: str = field(default_factory=lambda: os.environ.get("BATCH_OUTPUT_PREFIX", "batch/output/"))
    instance_type: str = field(default_factory=lambda: os.environ.get("TRANSFORM_INSTANCE_TYPE", "ml.m5.xlarge"))
    pipeline_name: str = field(default_factory=lambda: os.environ.get("PIPELINE_NAME", ""))


def serving_model(sagemaker: Any, endpoint_name: str) -> str:
    """The model behind the endpoint's first variant: the batch job scores with what the API serves."""
    endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    return str(config["ProductionVariants"][0]["ModelName"])


def start_batch(config: JobsConfig, sagemaker: Any, s3: Any, now: datetime) -> dict[str, Any]:
    listing = s3.list_objects_v2(Bucket=config.bucket, Prefix=config.input_prefix, MaxKeys=1)
    if not listing.get("KeyCount"):
        log.info(json.dumps({"job": "batch", "outcome": "skipped", "reason": "no input"}))
        return {"job": "batch", "started": False, "reason": f"nothing under s3://{config.bucket}/{config.input_prefix}"}
    job_name = f"{config.endpoint_name}-batch-{now:%Y%m%d-%H%M%S}"  # within the role's aidetector-<stack>-* scope
    output = f"s3://{config.bucket}/{config.output_prefix}{now:%Y-%m-%d}/"
    sagemaker.create_transform_job(
        TransformJobName=job_name,
        ModelName=serving_model(sagemaker, config.endpoint_name),
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=6,  # the model server's request limit
        TransformInput={
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{config.bucket}/{config.input_prefix}"}
            },
            "ContentType": "application/jsonlines",
            "SplitType": "Line",
        },
        TransformOutput={"S3OutputPath": output, "Accept": "application/jsonlines", "AssembleWith": "Line"},
        TransformResources={"InstanceType": config.instance_type, "InstanceCount": 1},
        DataProcessing={"JoinSource": "Input"},  # keep each input record's own fields (ids) beside its result
        Tags=[{"Key": "aidetector:job", "Value": "weekly-batch"}],
    )
    log.info(json.dumps({"job": "batch", "outcome": "started", "transform_job": job_name, "output": output}))
    return {"job": "batch", "started": True, "transform_job": job_name, "output": output}


def start_retrain(config: JobsConfig, sagemaker: Any, now: datetime) -> dict[str, Any]:
    response = sagemaker.start_pipeline_execution(
        PipelineName=config.pipeline_name, PipelineExecutionDisplayName=f"scheduled-{now:%Y%m%d-%H%M%S}"
    )
    arn = response["PipelineExecutionArn"]
    log.info(json.dumps({"job": "retrain", "outcome": "started", "execution": arn}))
    return {"job": "retrain", "started": True, "execution": arn}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = JobsConfig()
    job = event.get("job") if isinstance(event, dict) else None
    now = datetime.now(UTC)
    sagemaker = boto3.client("sagemaker")
    if job == "batch":
        return start_batch(config, sagemaker, boto3.client("s3"), now)
    if job == "retrain":
        return start_retrain(config, sagemaker, now)
    raise ValueError(f"unknown job {job!r}: expected {{'job': 'batch'}} or {{'job': 'retrain'}}")
