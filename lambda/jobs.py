"""Scheduled jobs Lambda (EventBridge Scheduler → here): weekly batch scoring and periodic retraining.

`{"job": "batch"}` starts a SageMaker Batch Transform with the model the endpoint serves right now, over the JSON
Lines under `s3://$BUCKET/$BATCH_INPUT_PREFIX`, writing to `$BATCH_OUTPUT_PREFIX<date>/` (each output line is the
input record joined with the model server's result). The transform runs a model of its own: the serving model's
container (image and model data) under the batch role, which may read batch/input/ and write batch/output/ - the
endpoint's own role may do neither. `{"job": "retrain"}` starts the SageMaker pipeline.
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
from botocore.exceptions import ClientError

log = logging.getLogger("aidetector.jobs")
log.setLevel(logging.INFO)

MODEL_VERSION_ENV = "AIDETECTOR_MODEL_VERSION"
# One request of the transform carries at most this much JSON Lines. The model scores about 14 windows of 256
# tokens (~1 KB of text each) per second on 2 vCPUs (docs/BENCHMARKS.md), so 1 MB is about 70 s of work on such an
# instance even if every record is long; 6 MB (the server's limit) could run past the invocation timeout below.
MAX_PAYLOAD_MB = 1
INVOCATION_TIMEOUT_S = 600  # ModelClientConfig: how long the transform waits for one request (AWS allows 1-3600)
INVOCATION_RETRIES = 1


@dataclass(frozen=True)
class JobsConfig:
    endpoint_name: str = field(default_factory=lambda: os.environ.get("ENDPOINT_NAME", "aidetector"))
    bucket: str = field(default_factory=lambda: os.environ.get("BUCKET", ""))
    input_prefix: str = field(default_factory=lambda: os.environ.get("BATCH_INPUT_PREFIX", "batch/input/"))
    output_prefix: str = field(default_factory=lambda: os.environ.get("BATCH_OUTPUT_PREFIX", "batch/output/"))
    instance_type: str = field(default_factory=lambda: os.environ.get("TRANSFORM_INSTANCE_TYPE", "ml.m5.xlarge"))
    pipeline_name: str = field(default_factory=lambda: os.environ.get("PIPELINE_NAME", ""))
    batch_role_arn: str = field(default_factory=lambda: os.environ.get("BATCH_ROLE_ARN", ""))
    model_version_parameter: str = field(default_factory=lambda: os.environ.get("MODEL_VERSION_PARAM", ""))


def _missing(exc: ClientError) -> bool:
    """SageMaker answers a Describe* of something that does not exist with a ValidationException."""
    return exc.response.get("Error", {}).get("Code") in ("ValidationException", "ResourceNotFound")


def serving_container(config: JobsConfig, sagemaker: Any, ssm: Any) -> dict[str, Any]:
    """The container the endpoint's variant serves: image, model data and environment.

    Normally read from the endpoint's live configuration and its model. When either has been deleted (by hand, or
    by an older release that replaced them), the endpoint itself still says which image it runs, and SSM which
    registry version the last deploy switched it to: the batch scores with that instead of failing.
    """
    endpoint = sagemaker.describe_endpoint(EndpointName=config.endpoint_name)
    try:
        live = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        model = sagemaker.describe_model(ModelName=live["ProductionVariants"][0]["ModelName"])
        container = model.get("PrimaryContainer") or model["Containers"][0]
        return {key: container[key] for key in ("Image", "ModelDataUrl", "Environment") if key in container}
    except ClientError as exc:
        if not _missing(exc):
            raise
        log.warning(json.dumps({"job": "batch", "fallback": "endpoint config or model missing", "error": str(exc)}))
    images = [
        image.get("ResolvedImage") or image.get("SpecifiedImage")
        for variant in endpoint.get("ProductionVariants", [])
        for image in variant.get("DeployedImages", [])
    ]
    version = ssm.get_parameter(Name=config.model_version_parameter)["Parameter"]["Value"]
    if not images or not version or version == "unset":
        raise RuntimeError(f"cannot tell what endpoint {config.endpoint_name} serves: no live config, image or version")
    return {
        "Image": images[0],
        "ModelDataUrl": f"s3://{config.bucket}/models/{version}/model.tar.gz",
        "Environment": {MODEL_VERSION_ENV: version},
    }


def start_batch(config: JobsConfig, sagemaker: Any, s3: Any, ssm: Any, now: datetime) -> dict[str, Any]:
    listing = s3.list_objects_v2(Bucket=config.bucket, Prefix=config.input_prefix, MaxKeys=1)
    if not listing.get("KeyCount"):
        log.info(json.dumps({"job": "batch", "outcome": "skipped", "reason": "no input"}))
        return {"job": "batch", "started": False, "reason": f"nothing under s3://{config.bucket}/{config.input_prefix}"}
    job_name = f"{config.endpoint_name}-batch-{now:%Y%m%d-%H%M%S}"  # within the role's aidetector-<stack>-* scope
    output = f"s3://{config.bucket}/{config.output_prefix}{now:%Y-%m-%d}/"
    sagemaker.create_model(
        ModelName=job_name,
        PrimaryContainer=serving_container(config, sagemaker, ssm),
        ExecutionRoleArn=config.batch_role_arn,
        EnableNetworkIsolation=True,  # as the endpoint's: the container opens no connection itself
        Tags=[{"Key": "aidetector:job", "Value": "weekly-batch"}],
    )
    sagemaker.create_transform_job(
        TransformJobName=job_name,
        ModelName=job_name,
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=MAX_PAYLOAD_MB,
        ModelClientConfig={
            "InvocationsTimeoutInSeconds": INVOCATION_TIMEOUT_S,
            "InvocationsMaxRetries": INVOCATION_RETRIES,
        },
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
        return start_batch(config, sagemaker, boto3.client("s3"), boto3.client("ssm"), now)
    if job == "retrain":
        return start_retrain(config, sagemaker, now)
    raise ValueError(f"unknown job {job!r}: expected {{'job': 'batch'}} or {{'job': 'retrain'}}")
