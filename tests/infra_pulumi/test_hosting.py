"""Model hosting: the image by immutable tag, the model from the registry, serverless or autoscaled instances."""

from __future__ import annotations

import json

import boto3
import pytest
from aidetector_infra.settings import SettingsError
from botocore.validate import ParamValidator

from tests.infra_pulumi.program import RECORDED_VERSION, Declared, ProgramRun, program_failure, run_program

MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
DIGEST = "sha256:" + "ab" * 32


def test_model_serves_the_tagged_serve_image_and_a_fixed_registry_version() -> None:
    """Issue 24.3: the endpoint's model is `models/<version>/` (immutable), never the moving `models/latest/`."""
    run = run_program("prod-ap-southeast-2", overrides=(("aidetector:imageTag", "3f2c1d0"),))
    (model,) = run.of_type(MODEL)
    assert model.get("primaryContainer", "image") == run.outputs["repository_urls"]["serve"] + ":3f2c1d0"
    bucket = run.outputs["bucket_name"]
    assert model.get("primaryContainer", "modelDataUrl") == f"s3://{bucket}/models/{RECORDED_VERSION}/model.tar.gz"
    assert model.get("primaryContainer", "environment") == {"AIDETECTOR_MODEL_VERSION": RECORDED_VERSION}
    assert model.inputs["executionRoleArn"] == run.outputs["endpoint_role_arn"]
    # Issue 24.6: the container runs as root (SageMaker's contract), so it runs with no network of its own.
    assert model.inputs["enableNetworkIsolation"] is True


def test_a_pinned_first_model_version() -> None:
    run = run_program("dev", overrides=(("aidetector:modelVersion", "20260101T000000Z"),))
    (model,) = run.of_type(MODEL)
    bucket = run.outputs["bucket_name"]
    assert model.get("primaryContainer", "modelDataUrl") == f"s3://{bucket}/models/20260101T000000Z/model.tar.gz"


def test_an_endpoint_without_a_recorded_model_version_is_refused() -> None:
    assert "no model version is recorded" in program_failure("dev", recorded_version="unset")


def test_image_tag_unset_or_a_digest_is_refused_unless_bootstrapping() -> None:
    """Issue 24.4: the committed `imageTag: unset` would point the endpoint and web service at no image."""
    with pytest.raises(SettingsError, match="unset"):
        run_program("dev", overrides=(("aidetector:imageTag", "unset"),))
    with pytest.raises(SettingsError, match="digest"):
        run_program("dev", overrides=(("aidetector:imageTag", DIGEST),))
    run = run_program("dev", overrides=(("aidetector:imageTag", "unset"), ("aidetector:bootstrap", "true")))
    assert not run.of_type(MODEL) and not run.of_type(ENDPOINT)


def _changes(before: Declared, after: Declared) -> set[str]:
    """The inputs Pulumi would diff: those that differ and are not in the resource's ignore_changes."""
    keys = set(before.inputs) | set(after.inputs)
    ignored = set(before.ignore_changes) & set(after.ignore_changes)
    return {k for k in keys if before.inputs.get(k) != after.inputs.get(k) and k not in ignored and k != "__defaults"}


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_the_live_model_and_config_survive_a_new_image_tag_and_a_new_model_version(stack: str) -> None:
    """Issue 24.1: a release must not replace (and so delete) the model and config the endpoint may still run."""
    first = run_program(stack, overrides=(("aidetector:imageTag", "1111111"),))
    later = run_program(stack, overrides=(("aidetector:imageTag", "2222222"),), recorded_version="20270101T000000Z")
    for type_ in (MODEL, ENDPOINT_CONFIG, ENDPOINT):
        (before,), (after,) = first.of_type(type_), later.of_type(type_)
        assert before.name == after.name
        assert _changes(before, after) == set(), f"{type_} would change: {_changes(before, after)}"
    for type_ in (MODEL, ENDPOINT_CONFIG):  # and Pulumi never deletes them, even when it drops them from its state
        assert first.of_type(type_)[0].retain_on_delete, type_
    assert first.of_type(MODEL)[0].get("primaryContainer", "image").endswith(":1111111")
    assert later.of_type(MODEL)[0].get("primaryContainer", "image").endswith(":2222222")  # ignored, not applied


def test_endpoint_leaves_the_live_config_to_the_deploy_step(dev: ProgramRun) -> None:
    (endpoint,) = dev.of_type(ENDPOINT)
    (config,) = dev.of_type(ENDPOINT_CONFIG)
    assert endpoint.inputs["name"] == dev.outputs["endpoint_name"] == "aidetector-dev"
    assert endpoint.inputs["endpointConfigName"] == config.name  # the mocks name it after the resource
    assert endpoint.ignore_changes == ["endpointConfigName"]


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_the_variant_parameter_is_what_create_endpoint_config_accepts(stack: str) -> None:
    """The deploy step passes this parameter's JSON to CreateEndpointConfig: validated by botocore's own model."""
    run = run_program(stack)
    parameter = run.named("aws:ssm/parameter:Parameter", f"aidetector-{stack}-endpoint-variant")
    assert parameter.inputs["name"] == f"/aidetector/{stack}/endpoint-variant"
    variant = json.loads(parameter.get("value"))
    sagemaker = boto3.client("sagemaker", region_name=run.region, aws_access_key_id="x", aws_secret_access_key="y")
    validator = ParamValidator()
    shape = sagemaker.meta.service_model.operation_model("CreateEndpointConfig").input_shape
    report = validator.validate(
        {"EndpointConfigName": "c", "ProductionVariants": [{**variant, "ModelName": "m"}]}, shape
    )
    assert not report.has_errors(), report.generate_report()
    (config,) = run.of_type(ENDPOINT_CONFIG)
    (declared,) = config.inputs["productionVariants"]
    assert declared["variantName"] == variant["VariantName"] == "AllTraffic"
    if "ServerlessConfig" in variant:
        assert declared["serverlessConfig"] == {
            "memorySizeInMb": variant["ServerlessConfig"]["MemorySizeInMB"],
            "maxConcurrency": variant["ServerlessConfig"]["MaxConcurrency"],
        }
    else:
        assert (declared["instanceType"], declared["initialInstanceCount"]) == (
            variant["InstanceType"],
            variant["InitialInstanceCount"],
        )


def test_dev_endpoint_is_serverless_without_autoscaling(dev: ProgramRun) -> None:
    (config,) = dev.of_type(ENDPOINT_CONFIG)
    (variant,) = config.inputs["productionVariants"]
    assert variant["variantName"] == "AllTraffic"
    assert variant["serverlessConfig"] == {"memorySizeInMb": 3072, "maxConcurrency": 2}
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    assert not dev.of_type(SCALING_TARGET) and not dev.of_type(SCALING_POLICY)


def test_prod_endpoint_scales_instances_on_invocations(prod: ProgramRun) -> None:
    (config,) = prod.of_type(ENDPOINT_CONFIG)
    (variant,) = config.inputs["productionVariants"]
    assert (variant["instanceType"], variant["initialInstanceCount"]) == ("ml.c5.large", 1)
    assert "serverlessConfig" not in variant
    (target,) = prod.of_type(SCALING_TARGET)
    assert target.inputs["resourceId"] == "endpoint/aidetector-prod-ap-southeast-2/variant/AllTraffic"
    assert target.inputs["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (1, 4)
    (policy,) = prod.of_type(SCALING_POLICY)
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert policy.inputs["resourceId"] == target.inputs["resourceId"]
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"] == {
        "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    }
    assert tracking["targetValue"] == 600


def test_bootstrap_builds_everything_but_what_runs_images() -> None:
    run = run_program("dev", overrides=(("aidetector:bootstrap", "true"),))
    for type_ in (MODEL, ENDPOINT_CONFIG, ENDPOINT, "aws:ecs/expressGatewayService:ExpressGatewayService"):
        assert not run.of_type(type_), type_
    assert run.outputs["endpoint_name"] == "aidetector-dev"  # the name the API and the pipeline will use
    assert run.outputs["web_url"] == ""
    assert run.of_type("aws:apigateway/restApi:RestApi") and run.of_type("aws:ecr/repository:Repository")
