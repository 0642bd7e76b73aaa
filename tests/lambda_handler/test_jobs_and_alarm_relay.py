"""The scheduled-jobs Lambda and the alarm relay, against moto (AWS) and a real local HTTP server (Slack)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import boto3
import pytest

from tests.by_path import load_module
from tests.slack_recorder import slack_webhook

REPO = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/aidetector-dev-endpoint"
BATCH_ROLE = "arn:aws:iam::123456789012:role/aidetector-dev-batch"
SERVING = {"Image": "1.dkr.ecr.us-east-1.amazonaws.com/serve:abc",
           "ModelDataUrl": "s3://aidetector-dev-data/models/20261129T102241Z/model.tar.gz",
           "Environment": {"AIDETECTOR_MODEL_VERSION": "20261129T102241Z"}}  # fmt: skip


def load(name: str) -> ModuleType:
    """`lambda/` cannot be a package (keyword), so its handlers are imported by path, as the runtime does."""
    return load_module(REPO / "lambda" / f"{name}.py", f"aidetector_lambda_{name}")


jobs = load("jobs")
alarm_relay = load("alarm_relay")


@pytest.fixture
def endpoint(aws, monkeypatch):
    sm, s3 = boto3.client("sagemaker"), boto3.client("s3")
    s3.create_bucket(Bucket="aidetector-dev-data")
    sm.create_model(ModelName="aidetector-dev-v1", PrimaryContainer=SERVING, ExecutionRoleArn=ROLE)
    boto3.client("ssm").put_parameter(Name="/aidetector/dev/model-version", Value="20261129T102241Z", Type="String")
    sm.create_endpoint_config(
        EndpointConfigName="aidetector-dev-config-1",
        ProductionVariants=[
            {"VariantName": "main", "ModelName": "aidetector-dev-v1", "InstanceType": "ml.m5.large",
             "InitialInstanceCount": 1}
        ],
    )  # fmt: skip
    sm.create_endpoint(EndpointName="aidetector-dev", EndpointConfigName="aidetector-dev-config-1")
    for key, value in {"ENDPOINT_NAME": "aidetector-dev", "BUCKET": "aidetector-dev-data",
                       "PIPELINE_NAME": "aidetector-dev-train", "BATCH_ROLE_ARN": BATCH_ROLE,
                       "MODEL_VERSION_PARAM": "/aidetector/dev/model-version"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    return sm, s3


def test_weekly_batch_starts_a_transform_with_the_serving_model(endpoint):
    sm, s3 = endpoint
    s3.put_object(Bucket="aidetector-dev-data", Key="batch/input/week.jsonl", Body=b'{"id": 1, "text": "hello"}\n')
    sent: list[dict] = []  # what reaches AWS (moto keeps no EnableNetworkIsolation)
    sm.meta.events.register("provide-client-params.sagemaker.CreateModel", lambda params, **_: sent.append(params))
    result = jobs.start_batch(jobs.JobsConfig(), sm, s3, boto3.client("ssm"), datetime.now(UTC))
    assert result["started"]
    job = sm.describe_transform_job(TransformJobName=result["transform_job"])
    # Its own model: the serving container under the batch role (the endpoint's role may not touch batch/).
    batch_model = sm.describe_model(ModelName=job["ModelName"])
    assert batch_model["PrimaryContainer"]["Image"] == SERVING["Image"]
    assert batch_model["PrimaryContainer"]["ModelDataUrl"] == SERVING["ModelDataUrl"]
    assert batch_model["ExecutionRoleArn"] == BATCH_ROLE
    assert [params["EnableNetworkIsolation"] for params in sent] == [True]
    # Issue 24.7: requests small enough to finish within the invocation timeout at CPU speed.
    assert job["MaxPayloadInMB"] == 1
    assert job["ModelClientConfig"] == {"InvocationsTimeoutInSeconds": 600, "InvocationsMaxRetries": 1}
    assert job["TransformInput"]["ContentType"] == "application/jsonlines"
    assert job["TransformInput"]["SplitType"] == "Line"
    assert job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://aidetector-dev-data/batch/input/"
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert job["TransformOutput"]["S3OutputPath"] == f"s3://aidetector-dev-data/batch/output/{today}/"


def test_weekly_batch_copes_with_a_deleted_endpoint_config(endpoint):
    """Issue 24.1: with the live config gone, the endpoint's deployed image and SSM's version still say what it
    serves. moto answers DescribeEndpoint without DeployedImages, so the endpoint's answer is stubbed from AWS's
    documented shape while S3, SSM and the created model and job stay moto's."""
    sm, s3 = endpoint
    s3.put_object(Bucket="aidetector-dev-data", Key="batch/input/week.jsonl", Body=b'{"id": 1, "text": "hello"}\n')
    sm.delete_endpoint_config(EndpointConfigName="aidetector-dev-config-1")
    live = sm.describe_endpoint(EndpointName="aidetector-dev")
    image = {
        "SpecifiedImage": SERVING["Image"],
        "ResolvedImage": SERVING["Image"].replace(":abc", "@sha256:" + "a" * 64),
    }
    live["ProductionVariants"] = [{"VariantName": "AllTraffic", "DeployedImages": [image]}]
    config = jobs.JobsConfig()

    class Endpoint:  # AWS's own answer for the endpoint; everything else goes to moto
        def __getattr__(self, name):
            return getattr(sm, name)

        def describe_endpoint(self, **kwargs):
            return live

    result = jobs.start_batch(config, Endpoint(), s3, boto3.client("ssm"), datetime.now(UTC))
    job = sm.describe_transform_job(TransformJobName=result["transform_job"])
    container = sm.describe_model(ModelName=job["ModelName"])["PrimaryContainer"]
    assert container["Image"] == image["ResolvedImage"]  # the digest the endpoint runs
    assert container["ModelDataUrl"] == SERVING["ModelDataUrl"]


def test_weekly_batch_with_no_input_does_nothing(endpoint):
    sm, _ = endpoint
    result = jobs.handler({"job": "batch"}, None)
    assert not result["started"] and "nothing under" in result["reason"]
    assert sm.list_transform_jobs()["TransformJobSummaries"] == []


def test_retrain_starts_the_pipeline(endpoint):
    sm, _ = endpoint
    sm.create_pipeline(
        PipelineName="aidetector-dev-train",
        PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}),
        RoleArn=ROLE,
    )
    result = jobs.handler({"job": "retrain"}, None)
    executions = sm.list_pipeline_executions(PipelineName="aidetector-dev-train")["PipelineExecutionSummaries"]
    assert [e["PipelineExecutionArn"] for e in executions] == [result["execution"]]


def test_unknown_job_is_refused(endpoint):
    with pytest.raises(ValueError, match="unknown job"):
        jobs.handler({"job": "mine-bitcoin"}, None)


ALARM = {
    "AlarmName": "aidetector-dev-api-5xx",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0).",
}


def test_alarm_relay_posts_to_the_webhook_from_ssm(aws, monkeypatch):
    with slack_webhook() as hook:
        boto3.client("ssm").put_parameter(Name="/aidetector/dev/slack-webhook-url", Value=hook.url, Type="SecureString")
        monkeypatch.setenv("SLACK_WEBHOOK_PARAM", "/aidetector/dev/slack-webhook-url")
        event = {"Records": [{"Sns": {"Message": json.dumps(ALARM)}}, {"Sns": {"Message": "plain text"}}]}
        assert alarm_relay.handler(event, None) == {"relayed": 2, "sent": 2}
    assert "aidetector-dev-api-5xx is ALARM" in hook.posts[0]["text"]
    assert "Threshold Crossed" in json.dumps(hook.posts[0]["blocks"])


def test_alarm_relay_without_a_webhook_does_not_fail(aws, monkeypatch):
    boto3.client("ssm").put_parameter(Name="/aidetector/dev/slack-webhook-url", Value="unset", Type="SecureString")
    monkeypatch.setenv("SLACK_WEBHOOK_PARAM", "/aidetector/dev/slack-webhook-url")
    assert alarm_relay.handler({"Records": [{"Sns": {"Message": json.dumps(ALARM)}}]}, None) == {
        "relayed": 1,
        "sent": 0,
    }


def test_alarm_relay_package_is_self_contained(tmp_path):
    """The zip holds alarm_relay.py, aidetector/__init__.py and aidetector/notify.py: nothing else is needed."""
    (tmp_path / "aidetector").mkdir()
    shutil.copy(REPO / "lambda" / "alarm_relay.py", tmp_path)
    for name in ("__init__.py", "notify.py"):
        shutil.copy(REPO / "aidetector" / name, tmp_path / "aidetector" / name)
    code = "import alarm_relay, aidetector.notify as n, sys; assert n.__file__.startswith(sys.argv[1]); print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == b"ok", result.stderr.decode()[-1500:]
