"""Switching a SageMaker endpoint to a registry version: new model and config, no-op when already served,
refusal before any change, rollback detected. moto has no update_endpoint, so botocore's Stubber answers for AWS."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from aidetector.pipeline.deploy import DeployError, DeployResult, deploy_version

NOW = "2026-01-01T00:00:00Z"


VARIANT = {"VariantName": "AllTraffic", "InstanceType": "ml.c5.large", "InitialInstanceCount": 1,
           "InitialVariantWeight": 1.0}  # fmt: skip


def _endpoint(config: str) -> dict:
    return {"EndpointName": "ep", "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep",
            "EndpointConfigName": config, "EndpointStatus": "InService", "CreationTime": NOW,
            "LastModifiedTime": NOW}  # fmt: skip


def _config(name: str, model: str) -> dict:
    return {"EndpointConfigName": name, "EndpointConfigArn": f"arn:aws:sagemaker:us-east-1:1:endpoint-config/{name}",
            "ProductionVariants": [{**VARIANT, "ModelName": model}], "CreationTime": NOW}  # fmt: skip


def test_deploy_switches_the_endpoint_to_a_new_config(sagemaker):
    """moto has no update_endpoint, so the SageMaker API is stubbed (AWS itself, not our code)."""
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("old-config"), {"EndpointName": "ep"})
        stub.add_response(
            "describe_endpoint_config", _config("old-config", "old-model"), {"EndpointConfigName": "old-config"}
        )
        stub.add_response(
            "describe_model",
            {"ModelName": "old-model", "ModelArn": "arn:aws:sagemaker:us-east-1:1:model/old-model", "CreationTime": NOW,
             "PrimaryContainer": {"Image": "img:old", "ModelDataUrl": "s3://b/models/old/model.tar.gz"}},
        )  # fmt: skip
        stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:1:model/new"})
        stub.add_response("create_endpoint_config", {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:ec/new"})
        stub.add_response("update_endpoint", {"EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep"})
        result = deploy_version(
            sagemaker, "ep", "20260301T000000Z", "s3://b/models/20260301T000000Z/model.tar.gz", "img:sha",
            "arn:aws:iam::1:role/sm", wait=False,
        )  # fmt: skip
        stub.assert_no_pending_responses()
    assert result.changed and result.endpoint_config.startswith("ep-20260301t000000z-")


def test_deploy_with_the_stacks_sizing_needs_no_live_config(sagemaker):
    """Issue 24.1: the live config deleted (by an older release), the deploy still switches the endpoint."""
    sent: list[dict] = []
    sagemaker.meta.events.register("provide-client-params.sagemaker.*", lambda params, **_: sent.append(params))
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("gone-config"))
        stub.add_client_error(
            "describe_endpoint_config", "ValidationException", "Could not find endpoint configuration"
        )
        stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:1:model/new"})
        stub.add_response("create_endpoint_config", {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:ec/new"})
        stub.add_response("update_endpoint", {"EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep"})
        result = deploy_version(
            sagemaker, "ep", "v2", "s3://b/models/v2/model.tar.gz", "img:sha", "arn:aws:iam::1:role/endpoint",
            variants=[VARIANT], wait=False,
        )  # fmt: skip
        stub.assert_no_pending_responses()
    model, config = sent[2], sent[3]
    assert model["EnableNetworkIsolation"] is True and model["ExecutionRoleArn"] == "arn:aws:iam::1:role/endpoint"
    assert model["PrimaryContainer"]["ModelDataUrl"] == "s3://b/models/v2/model.tar.gz"  # a version, not latest
    assert config["ProductionVariants"] == [{**VARIANT, "ModelName": model["ModelName"]}]
    assert sent[4]["RetainAllVariantProperties"] is True  # autoscaled instance counts are kept
    assert result.changed


def test_deploy_without_sizing_and_without_a_live_config_refuses_before_changing_anything(sagemaker):
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("gone-config"))
        stub.add_client_error("describe_endpoint_config", "ValidationException", "Could not find")
        with pytest.raises(DeployError, match="variant-parameter"):
            deploy_version(sagemaker, "ep", "v2", "s3://b/models/v2/model.tar.gz", "img:sha", "arn:r", wait=False)
        stub.assert_no_pending_responses()


def test_deploying_what_the_endpoint_already_serves_changes_nothing(sagemaker):
    """A re-run of the release (or its deploy step) must not roll the fleet for nothing."""
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("live"))
        stub.add_response("describe_endpoint_config", _config("live", "live-model"))
        stub.add_response(
            "describe_model",
            {"ModelName": "live-model", "ModelArn": "arn:aws:sagemaker:us-east-1:1:model/live-model",
             "CreationTime": NOW, "PrimaryContainer": {"Image": "img:sha", "ModelDataUrl": "s3://b/models/v2/m.tgz"}},
        )  # fmt: skip
        result = deploy_version(
            sagemaker, "ep", "v2", "s3://b/models/v2/m.tgz", "img:sha", "arn:r", variants=[VARIANT], wait=False
        )
        stub.assert_no_pending_responses()
    assert result == DeployResult("live", changed=False)


def test_a_rolled_back_update_is_a_failed_deploy(sagemaker, monkeypatch):
    """SageMaker returns a failed update to InService on the old config: SSM must not then name the new version."""
    monkeypatch.setattr(sagemaker, "get_waiter", lambda name: type("W", (), {"wait": lambda self, **kw: None})())
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("live"))
        stub.add_response("describe_endpoint_config", _config("live", "live-model"))
        stub.add_response(
            "describe_model",
            {"ModelName": "live-model", "ModelArn": "arn:aws:sagemaker:us-east-1:1:model/live-model",
             "CreationTime": NOW, "PrimaryContainer": {"Image": "img:old", "ModelDataUrl": "s3://b/models/v1/m.tgz"}},
        )  # fmt: skip
        stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:1:model/new"})
        stub.add_response("create_endpoint_config", {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:ec/new"})
        stub.add_response("update_endpoint", {"EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep"})
        stub.add_response("describe_endpoint", {**_endpoint("live"), "FailureReason": "ping failed"})
        with pytest.raises(DeployError, match="rolled back to live: ping failed"):
            deploy_version(
                sagemaker, "ep", "v2", "s3://b/models/v2/m.tgz", "img:sha", "arn:aws:iam::1:role/ep", wait=True
            )
        stub.assert_no_pending_responses()
