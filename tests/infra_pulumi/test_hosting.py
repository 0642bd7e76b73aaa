"""Model hosting: the image by immutable tag, the model from the registry, serverless or autoscaled instances."""

from __future__ import annotations

from tests.infra_pulumi.program import ProgramRun, run_program

MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
DIGEST = "sha256:" + "ab" * 32


def test_model_serves_the_tagged_serve_image_and_the_promoted_model() -> None:
    run = run_program("prod-ap-southeast-2", overrides=(("aidetector:imageTag", "3f2c1d0"),))
    (model,) = run.of_type(MODEL)
    assert model.get("primaryContainer", "image") == run.outputs["repository_urls"]["serve"] + ":3f2c1d0"
    bucket = run.outputs["bucket_name"]
    assert model.get("primaryContainer", "modelDataUrl") == f"s3://{bucket}/models/latest/model.tar.gz"
    assert model.inputs["executionRoleArn"] == run.outputs["sagemaker_role_arn"]


def test_a_pinned_model_version_and_an_image_digest() -> None:
    run = run_program(
        "dev", overrides=(("aidetector:imageTag", DIGEST), ("aidetector:modelVersion", "20260101T000000Z"))
    )
    (model,) = run.of_type(MODEL)
    assert model.get("primaryContainer", "image") == run.outputs["repository_urls"]["serve"] + "@" + DIGEST
    bucket = run.outputs["bucket_name"]
    assert model.get("primaryContainer", "modelDataUrl") == f"s3://{bucket}/models/20260101T000000Z/model.tar.gz"


def test_endpoint_leaves_the_live_config_to_the_pipeline(dev: ProgramRun) -> None:
    (endpoint,) = dev.of_type(ENDPOINT)
    (config,) = dev.of_type(ENDPOINT_CONFIG)
    assert endpoint.inputs["name"] == dev.outputs["endpoint_name"] == "aidetector-dev"
    assert endpoint.inputs["endpointConfigName"] == config.name  # the mocks name it after the resource
    assert endpoint.ignore_changes == ["endpointConfigName"]


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
