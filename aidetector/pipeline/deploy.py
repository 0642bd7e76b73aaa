"""Point a SageMaker endpoint at a registry version without downtime: new model, new endpoint config, update.

`update_endpoint` keeps the old fleet serving until the new one passes its health checks, and SageMaker rolls back
by itself if it does not; `RetainAllVariantProperties` keeps the instance counts that autoscaling has set.

This is the one path by which what the endpoint serves changes after Pulumi created it: the release's deploy step
(a new serve image), the pipeline's Deploy step (a new model) and a rollback all come through here. The variant's
sizing comes from the stack (`/aidetector/<stack>/endpoint-variant`), or else is copied from the live configuration;
a live configuration that someone deleted is no obstacle when the sizing is given.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("aidetector.deploy")
NAME_LIMIT = 63  # SageMaker's limit for model and endpoint-config names
MODEL_VERSION_ENV = "AIDETECTOR_MODEL_VERSION"


class DeployError(RuntimeError):
    """The endpoint cannot be switched (and nothing was changed)."""


@dataclass(frozen=True)
class DeployResult:
    endpoint_config: str
    changed: bool  # False: the endpoint already served this image, model and sizing; nothing was created


def _name(*parts: str) -> str:
    return "-".join(parts).lower()[:NAME_LIMIT].rstrip("-")


def _missing(exc: Exception) -> bool:
    """SageMaker answers a Describe* of something that does not exist with a ValidationException."""
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code") in ("ValidationException", "ResourceNotFound")


def _live_config(sagemaker: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(sagemaker.describe_endpoint_config(EndpointConfigName=name))
    except Exception as exc:
        if not _missing(exc):
            raise
        log.warning("endpoint config %s no longer exists: the deploy does not need it", name)
        return None


def _sizing(variant: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in variant.items() if key != "ModelName"}


def _serves_already(
    sagemaker: Any, live: Mapping[str, Any], image_uri: str, model_data_url: str, variants: Sequence[Mapping[str, Any]]
) -> bool:
    live_variants = list(live["ProductionVariants"])
    if [_sizing(v) for v in live_variants] != [_sizing(v) for v in variants]:
        return False
    try:
        models = [sagemaker.describe_model(ModelName=v["ModelName"]) for v in live_variants]
    except Exception as exc:
        if _missing(exc):
            return False
        raise
    containers = [m.get("PrimaryContainer") or {} for m in models]
    return all(c.get("Image") == image_uri and c.get("ModelDataUrl") == model_data_url for c in containers)


def deploy_version(
    sagemaker: Any,
    endpoint_name: str,
    version: str,
    model_data_url: str,
    image_uri: str,
    role_arn: str,
    variants: Sequence[Mapping[str, Any]] | None = None,
    wait: bool = True,
) -> DeployResult:
    """Create a model and an endpoint config for `version` and switch the endpoint to it (unless it serves it).

    `variants`: the ProductionVariants without ModelName (the stack's sizing); None copies the live config's.
    """
    live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    live_config = _live_config(sagemaker, live["EndpointConfigName"])
    if variants is None:
        if live_config is None:
            raise DeployError(
                f"the live config {live['EndpointConfigName']} of {endpoint_name} is gone: give the variant sizing"
                " (--variant-parameter /aidetector/<stack>/endpoint-variant)"
            )
        variants = [_sizing(variant) for variant in live_config["ProductionVariants"]]
    if live_config is not None and _serves_already(sagemaker, live_config, image_uri, model_data_url, variants):
        log.info("endpoint %s already serves %s with %s: nothing to do", endpoint_name, version, image_uri)
        return DeployResult(str(live["EndpointConfigName"]), changed=False)

    suffix = uuid.uuid4().hex[:6]
    model_name = _name(endpoint_name, version, suffix)
    sagemaker.create_model(
        ModelName=model_name,
        PrimaryContainer={
            "Image": image_uri,
            "ModelDataUrl": model_data_url,
            "Environment": {MODEL_VERSION_ENV: version},
        },
        ExecutionRoleArn=role_arn,
        # The container parses untrusted text: it may open no connection (SageMaker still fetches image and model).
        EnableNetworkIsolation=True,
        Tags=[{"Key": "aidetector:model-version", "Value": version}],
    )
    config_name = _name(endpoint_name, version, suffix)
    sagemaker.create_endpoint_config(
        EndpointConfigName=config_name,
        ProductionVariants=[{**_sizing(variant), "ModelName": model_name} for variant in variants],
    )
    sagemaker.update_endpoint(
        EndpointName=endpoint_name, EndpointConfigName=config_name, RetainAllVariantProperties=True
    )
    log.info("endpoint %s: switching to %s (model %s)", endpoint_name, config_name, model_name)
    if wait:
        sagemaker.get_waiter("endpoint_in_service").wait(
            EndpointName=endpoint_name, WaiterConfig={"Delay": 30, "MaxAttempts": 120}
        )
        # A failed update returns the endpoint to InService on its old config: that is no success.
        now = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        if now["EndpointConfigName"] != config_name:
            raise DeployError(
                f"{endpoint_name} rolled back to {now['EndpointConfigName']}: {now.get('FailureReason', 'no reason')}"
            )
    return DeployResult(config_name, changed=True)
