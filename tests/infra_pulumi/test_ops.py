"""Operations: SSM parameters, alarms -> SNS -> Slack relay, and the schedules that start the jobs Lambda."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import boto3
from aidetector_infra.settings import ALARM_RELAY_BUNDLE, API_BUNDLE, JOBS_BUNDLE
from botocore.stub import Stubber

from tests.by_path import load_module
from tests.infra_pulumi.program import (
    REPO_ROOT,
    ProgramRun,
    allows,
    reveal,
    role_statements,
    run_program,
    statements_of,
)

PARAMETER = "aws:ssm/parameter:Parameter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
JOBS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:aidetector-dev-jobs"


def parameters(run: ProgramRun) -> dict[str, tuple[str, str]]:
    return {p.inputs["name"]: (p.inputs["type"], reveal(p.inputs["value"])) for p in run.of_type(PARAMETER)}


def test_parameters_hold_image_tags_model_version_and_secrets() -> None:
    run = run_program("dev", overrides=(("aidetector:imageTag", "3f2c1d0"),))
    found = parameters(run)
    assert found == {
        "/aidetector/dev/image-tags/train": ("String", "3f2c1d0"),
        "/aidetector/dev/image-tags/serve": ("String", "3f2c1d0"),
        "/aidetector/dev/image-tags/web": ("String", "3f2c1d0"),
        "/aidetector/dev/model-version": ("String", "unset"),
        "/aidetector/dev/endpoint-variant": (
            "String",
            '{"ServerlessConfig": {"MaxConcurrency": 2, "MemorySizeInMB": 3072}, "VariantName": "AllTraffic"}',
        ),
        "/aidetector/dev/slack-webhook-url": ("SecureString", "unset"),
        "/aidetector/dev/web-api-key": ("SecureString", "aidetector-dev-web-key-value"),
    }
    # The deploy step writes the model version after creation; `pulumi up` must not reset it.
    assert run.named(PARAMETER, "aidetector-dev-model-version").ignore_changes == ["value"]


def test_slack_webhook_comes_from_secret_config() -> None:
    url = "https://hooks.slack.com/services/T0/B0/secret"
    run = run_program("dev", secrets=(("aidetector:slackWebhookUrl", url),))
    assert parameters(run)["/aidetector/dev/slack-webhook-url"] == ("SecureString", url)


def test_alarms_cover_api_endpoint_and_lambdas_and_publish_to_the_topic(prod: ProgramRun) -> None:
    topic = prod.outputs["alarm_topic_arn"]
    alarms = {a.inputs["metricName"]: a.inputs for a in prod.of_type(ALARM) if a.inputs["namespace"] != "AWS/Lambda"}
    lambda_alarms = [a.inputs for a in prod.of_type(ALARM) if a.inputs["namespace"] == "AWS/Lambda"]
    assert set(alarms) == {"5XXError", "Latency", "Invocation5XXErrors", "ModelLatency"}
    for alarm in [*alarms.values(), *lambda_alarms]:
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic]
    api = {"ApiName": "aidetector-prod-ap-southeast-2-api", "Stage": "prod"}
    assert alarms["5XXError"]["dimensions"] == api and alarms["5XXError"]["statistic"] == "Average"
    assert alarms["5XXError"]["threshold"] == 0.02
    assert alarms["Latency"]["extendedStatistic"] == "p90" and alarms["Latency"]["threshold"] == 8000
    endpoint = {"EndpointName": "aidetector-prod-ap-southeast-2", "VariantName": "AllTraffic"}
    assert alarms["Invocation5XXErrors"]["dimensions"] == endpoint
    assert alarms["ModelLatency"]["threshold"] == 4000 * 1000  # microseconds
    assert sorted(a["dimensions"]["FunctionName"] for a in lambda_alarms) == [
        "aidetector-prod-ap-southeast-2-api",
        "aidetector-prod-ap-southeast-2-jobs",
    ]


def test_alarm_relay_is_subscribed_to_the_topic(dev: ProgramRun) -> None:
    topic = dev.outputs["alarm_topic_arn"]
    (subscription,) = dev.of_type("aws:sns/topicSubscription:TopicSubscription")
    relay_arn = "arn:aws:lambda:us-east-1:123456789012:function:aidetector-dev-alarm-relay"
    assert subscription.inputs == {"topic": topic, "protocol": "lambda", "endpoint": relay_arn}
    permission = dev.named("aws:lambda/permission:Permission", "aidetector-dev-alarm-relay-invoke")
    assert permission.inputs["principal"] == "sns.amazonaws.com" and permission.inputs["sourceArn"] == topic
    relay = dev.named("aws:lambda/function:Function", "aidetector-dev-alarm-relay")
    assert relay.inputs["handler"] == "alarm_relay.handler"
    assert relay.inputs["environment"]["variables"] == {"SLACK_WEBHOOK_PARAM": "/aidetector/dev/slack-webhook-url"}
    (logs, read, decrypt) = statements_of(
        dev.named("aws:iam/rolePolicy:RolePolicy", "aidetector-dev-alarm-relay-role-policy").get("policy")
    )
    assert logs["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/aidetector-dev-alarm-relay:*"
    ]
    assert read["Action"] == ["ssm:GetParameter"]
    assert read["Resource"] == ["arn:aws:ssm:us-east-1:123456789012:parameter/aidetector/dev/slack-webhook-url"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}}


def test_schedules_start_the_jobs_lambda_with_their_job() -> None:
    run = run_program("prod-ap-southeast-2")
    schedules = {s.inputs["name"]: s.inputs for s in run.of_type("aws:scheduler/schedule:Schedule")}
    prefix = "aidetector-prod-ap-southeast-2"
    assert set(schedules) == {f"{prefix}-batch", f"{prefix}-retrain"}
    expected = {"batch": "cron(0 3 ? * MON *)", "retrain": "cron(0 4 1 * ? *)"}
    jobs_arn = f"arn:aws:lambda:ap-southeast-2:123456789012:function:{prefix}-jobs"
    for job, expression in expected.items():
        schedule = schedules[f"{prefix}-{job}"]
        assert schedule["scheduleExpression"] == expression
        assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
        assert schedule["state"] == "ENABLED"
        assert schedule["target"]["arn"] == jobs_arn
        assert schedule["target"]["roleArn"] == f"arn:aws:iam::123456789012:role/{prefix}-scheduler"
        assert json.loads(schedule["target"]["input"]) == {"job": job}


def test_dev_schedules_are_paused(dev: ProgramRun) -> None:
    assert {s.inputs["state"] for s in dev.of_type("aws:scheduler/schedule:Schedule")} == {"DISABLED"}


def test_jobs_lambda_knows_the_endpoint_bucket_and_pipeline(dev: ProgramRun) -> None:
    jobs = dev.named("aws:lambda/function:Function", "aidetector-dev-jobs")
    assert jobs.inputs["handler"] == "jobs.handler"
    assert jobs.inputs["environment"]["variables"] == {
        "ENDPOINT_NAME": "aidetector-dev",
        "BUCKET": dev.outputs["bucket_name"],
        "BATCH_INPUT_PREFIX": "batch/input/",
        "BATCH_OUTPUT_PREFIX": "batch/output/",
        "TRANSFORM_INSTANCE_TYPE": "ml.m5.xlarge",
        "PIPELINE_NAME": dev.outputs["pipeline_name"],
        "BATCH_ROLE_ARN": "arn:aws:iam::123456789012:role/aidetector-dev-batch",
        "MODEL_VERSION_PARAM": "/aidetector/dev/model-version",
    }
    policy = dev.named("aws:iam/rolePolicy:RolePolicy", "aidetector-dev-jobs-role-policy")
    granted = {a: s["Resource"] for s in statements_of(policy.get("policy")) for a in s["Action"]}
    sagemaker = "arn:aws:sagemaker:us-east-1:123456789012"
    assert granted["sagemaker:StartPipelineExecution"] == [f"{sagemaker}:pipeline/aidetector-dev-train"]
    assert granted["sagemaker:CreateTransformJob"] == [
        f"{sagemaker}:model/aidetector-dev-batch-*",
        f"{sagemaker}:transform-job/aidetector-dev-batch-*",
    ]
    assert granted["sagemaker:DescribeEndpoint"] == [f"{sagemaker}:endpoint/aidetector-dev"]
    assert granted["iam:PassRole"] == ["arn:aws:iam::123456789012:role/aidetector-dev-batch"]


def test_lambda_packages_hold_the_contracts_files(dev: ProgramRun) -> None:
    expected = {
        "aidetector-dev-api": API_BUNDLE,
        "aidetector-dev-jobs": JOBS_BUNDLE,
        "aidetector-dev-alarm-relay": ALARM_RELAY_BUNDLE,
    }
    assert ALARM_RELAY_BUNDLE == {
        "alarm_relay.py": "lambda/alarm_relay.py",
        "aidetector/__init__.py": "aidetector/__init__.py",
        "aidetector/notify.py": "aidetector/notify.py",
    }
    for name, bundle in expected.items():
        code = dev.named("aws:lambda/function:Function", name).inputs["code"]
        packaged = {inside: Path(asset.path) for inside, asset in code.assets.items()}
        assert packaged == {inside: REPO_ROOT / source for inside, source in bundle.items()}
        for path in packaged.values():
            assert path.is_file(), f"{name}: {path} is missing"


def load_lambda(name: str) -> ModuleType:
    return load_module(REPO_ROOT / "lambda" / f"{name}.py", f"aidetector_lambda_{name}_for_infra_tests")


def test_the_weekly_batch_stays_within_the_jobs_and_batch_roles(dev: ProgramRun) -> None:
    """Runs `lambda/jobs.py` against stubbed AWS answers (botocore checks every call and answer against the API's
    own model) and checks each call against the jobs Lambda's role, and the transform's data against the batch
    role: the model it creates, the role it passes, the names it picks, the prefixes the job reads and writes."""
    jobs = load_lambda("jobs")
    credentials = {"region_name": "us-east-1", "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    sagemaker, s3 = boto3.client("sagemaker", **credentials), boto3.client("s3", **credentials)
    ssm = boto3.client("ssm", **credentials)
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    bucket, env = dev.outputs["bucket_name"], dev.named("aws:lambda/function:Function", "aidetector-dev-jobs")
    variables = env.inputs["environment"]["variables"]
    config = jobs.JobsConfig(
        endpoint_name=variables["ENDPOINT_NAME"],
        bucket=bucket,
        batch_role_arn=variables["BATCH_ROLE_ARN"],
        model_version_parameter=variables["MODEL_VERSION_PARAM"],
    )
    serving = {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/aidetector-dev/serve:3f2c1d0",
               "ModelDataUrl": f"s3://{bucket}/models/20261129T102241Z/model.tar.gz",
               "Environment": {"AIDETECTOR_MODEL_VERSION": "20261129T102241Z"}}  # fmt: skip
    with Stubber(sagemaker) as sagemaker_stub, Stubber(s3) as s3_stub, Stubber(ssm):
        s3_stub.add_response("list_objects_v2", {"KeyCount": 1, "Contents": [{"Key": "batch/input/a.jsonl"}]})
        sagemaker_stub.add_response(
            "describe_endpoint",
            {
                "EndpointName": "aidetector-dev",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/aidetector-dev",
                "EndpointConfigName": "aidetector-dev-endpoint-config-1a2b3c",
                "EndpointStatus": "InService",
                "CreationTime": now,
                "LastModifiedTime": now,
            },
        )
        sagemaker_stub.add_response(
            "describe_endpoint_config",
            {
                "EndpointConfigName": "aidetector-dev-endpoint-config-1a2b3c",
                "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/aidetector-dev-ec",
                "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "aidetector-dev-model-1a2b3c"}],
                "CreationTime": now,
            },
        )
        sagemaker_stub.add_response(
            "describe_model",
            {
                "ModelName": "aidetector-dev-model-1a2b3c",
                "ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/aidetector-dev-model-1a2b3c",
                "PrimaryContainer": serving,
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/aidetector-dev-endpoint",
                "CreationTime": now,
            },
        )
        sagemaker_stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:1:model/m"})
        sagemaker_stub.add_response("create_transform_job", {"TransformJobArn": "arn:aws:sagemaker:job"})
        started = jobs.start_batch(config, sagemaker, s3, ssm, now)
    jobs_role = role_statements(dev, "aidetector-dev-jobs-role")
    name = started["transform_job"]
    sagemaker_arn = "arn:aws:sagemaker:us-east-1:123456789012"
    for action, resource in [
        ("sagemaker:DescribeEndpoint", f"{sagemaker_arn}:endpoint/aidetector-dev"),
        ("sagemaker:DescribeEndpointConfig", f"{sagemaker_arn}:endpoint-config/aidetector-dev-endpoint-config-1a2b3c"),
        ("sagemaker:DescribeModel", f"{sagemaker_arn}:model/aidetector-dev-model-1a2b3c"),
        ("sagemaker:CreateModel", f"{sagemaker_arn}:model/{name}"),
        ("sagemaker:CreateTransformJob", f"{sagemaker_arn}:transform-job/{name}"),
        ("iam:PassRole", config.batch_role_arn),
    ]:
        assert allows(jobs_role, action, resource), (action, resource)
    batch_role = role_statements(dev, "aidetector-dev-batch")
    output = started["output"].removeprefix("s3://")
    assert allows(batch_role, "s3:GetObject", f"arn:aws:s3:::{bucket}/batch/input/a.jsonl")
    assert allows(batch_role, "s3:GetObject", f"arn:aws:s3:::{bucket}/models/20261129T102241Z/model.tar.gz")
    assert allows(batch_role, "s3:PutObject", f"arn:aws:s3:::{output}a.jsonl.out")
    endpoint_role = role_statements(dev, "aidetector-dev-endpoint")
    assert not allows(endpoint_role, "s3:GetObject", f"arn:aws:s3:::{bucket}/batch/input/a.jsonl")
    assert not allows(endpoint_role, "s3:PutObject", f"arn:aws:s3:::{output}a.jsonl.out")
