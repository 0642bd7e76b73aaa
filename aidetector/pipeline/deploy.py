"""Point a SageMaker endpoint at a registry version without downtime: new model, new endpoint config, update.

`update_endpoint` keeps the old fleet serving until the new one passes its health checks, and SageMaker rolls back
by itself if it does not; `RetainAllVariantProperties` keeps the instance counts that autoscaling has set.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

log = logging.getLogger("aidetector.deploy")
NAME_LIMIT = 63  # SageMaker's limit for model and endpoint-config names


def _name(*parts: str) -> str:
    return "-".join(parts).lower()[:NAME_LIMIT].rstrip("-")


def deploy_version(
    sagemaker: Any,
    endpoint_name: str,
    version: str,
    model_data_url: str,
    image_uri: str,
    role_arn: str,
    wait: bool = True,
) -> str:
    """Create a model and an endpoint config for `version` (copying the live variants' sizing) and switch to it."""
    live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    live_config = sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    suffix = uuid.uuid4().hex[:6]
    model_name = _name(endpoint_name, version, suffix)
    sagemaker.create_model(
        ModelName=model_name,
        PrimaryContainer={
            "Image": image_uri,
            "ModelDataUrl": model_data_url,
            "Environment": {"AIDETECTOR_MODEL_VERSION": version},
        },
        ExecutionRoleArn=role_arn,
        Tags=[{"Key": "aidetector:model-version", "Value": version}],
    )
    variants = [{**variant, "ModelName": model_name} for variant in live_config["ProductionVariants"]]
    config_name = _name(endpoint_name, version, suffix)
    sagemaker.create_endpoint_config(EndpointConfigName=config_name, ProductionVariants=variants)
    sagemaker.update_endpoint(
        EndpointName=endpoint_name, EndpointConfigName=config_name, RetainAllVariantProperties=True
    )
    log.info("endpoint %s: switching to %s (model %s)", endpoint_name, config_name, model_name)
    if wait:
        sagemaker.get_waiter("endpoint_in_service").wait(
            EndpointName=endpoint_name, WaiterConfig={"Delay": 30, "MaxAttempts": 120}
        )
    return config_name
