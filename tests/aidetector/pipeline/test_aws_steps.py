"""The SageMaker pipeline: its definition (offline), its processing steps against moto S3/SSM, and the deploy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from aidetector.model.artifact import update_manifest
from aidetector.notify import NotifySettings, SlackNotifier
from aidetector.pipeline import steps
from aidetector.pipeline.deploy import deploy_version
from aidetector.pipeline.sagemaker_definition import pipeline_definition
from aidetector.pipeline.settings import PipelineSettings
from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.registry.stores import S3Store
from tests.slack_recorder import slack_webhook

BUCKET = "aidetector-dev-data"


def test_definition_steps_and_wiring():
    settings = PipelineSettings(bucket=BUCKET, train_image_uri="acct.dkr.ecr/train:sha", endpoint_name="ep")
    definition = pipeline_definition(settings)
    steps_by_name = {s["Name"]: s for s in definition["Steps"]}
    assert [s["Name"] for s in definition["Steps"]] == ["Train", "Evaluate", "Gate"]
    train = steps_by_name["Train"]["Arguments"]
    assert train["AlgorithmSpecification"]["TrainingImage"] == "acct.dkr.ecr/train:sha"
    assert train["InputDataConfig"][0]["ChannelName"] == "train"
    assert train["HyperParameters"]["base_model"] == {"Get": "Parameters.BaseModel"}
    evaluate = steps_by_name["Evaluate"]
    assert evaluate["Arguments"]["AppSpecification"]["ContainerEntrypoint"][-2:] == ["step", "evaluate"]
    assert evaluate["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] == {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"
    }
    assert evaluate["PropertyFiles"][0]["FilePath"] == "evaluation.json"
    gate = steps_by_name["Gate"]["Arguments"]
    paths = [c["LeftValue"]["Std:JsonGet"]["Path"] for c in gate["Conditions"]]
    assert paths == ["gate.accepted", "candidate.auroc", "candidate.fpr_at_threshold"]
    assert [s["Name"] for s in gate["IfSteps"]] == ["Promote", "Deploy"]
    assert [s["Name"] for s in gate["ElseSteps"]] == ["Refused"]
    promote, deploy = gate["IfSteps"]
    assert "/aidetector/dev/model-version" in promote["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    assert promote["Arguments"]["Environment"]["AIDETECTOR_REGISTRY_URI"] == f"s3://{BUCKET}/models"
    assert deploy["DependsOn"] == ["Promote"]
    assert deploy["Arguments"]["AppSpecification"]["ContainerEntrypoint"][:5] == [
        "aidetector", "models", "deploy", "--endpoint", "ep"
    ]  # fmt: skip
    assert {p["Name"] for p in definition["Parameters"]} >= {"TrainData", "EvalData", "MinAuroc", "MaxFpr"}


def test_definition_command_prints_json_offline(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIDETECTOR_PIPELINE_BUCKET": BUCKET}
    result = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "pipeline", "definition"], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert json.loads(result.stdout)["Version"] == "2020-12-01"


@pytest.fixture
def bucket(aws):
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


def _training_output(artifact: Path, version: str, folder: Path) -> Path:
    """What SageMaker leaves for the next step: /opt/ml/model tarred as model.tar.gz."""
    staged = folder / f"staged-{version}"
    shutil.copytree(artifact, staged)
    update_manifest(staged, {"version": version})
    (folder / "model").mkdir()
    with tarfile.open(folder / "model" / "model.tar.gz", "w:gz") as tar:
        for path in staged.iterdir():
            tar.add(path, arcname=path.name)
    return folder / "model"


def test_evaluate_then_promote_steps_on_s3(bucket, tiny_artifact, toy_data, tmp_path):
    # Floors for a toy model: this test is about the steps' wiring; the floors have their own tests.
    lenient = RegistrySettings(uri="unused", min_auroc=0.5, max_fpr=1.0)
    registry = Registry(S3Store(f"s3://{BUCKET}/models"), lenient)
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/aidetector/dev/model-version", Value="none", Type="String")
    root = tmp_path / "processing"
    root.mkdir()
    _training_output(tiny_artifact, "20260301T000000Z", root)
    (root / "eval").mkdir()
    shutil.copy(toy_data["test"], root / "eval" / "eval.jsonl")

    evaluation = steps.step_evaluate(root / "model", root / "eval", root / "evaluation", registry)
    assert evaluation["gate"]["accepted"] == 1, evaluation["gate"]["message"]
    assert evaluation["latest"] is None
    written = json.loads((root / "evaluation" / "evaluation.json").read_text())
    assert written["candidate"]["auroc"] == evaluation["candidate"]["auroc"]

    with slack_webhook() as hook:
        notifier = SlackNotifier(hook.url, NotifySettings(retries=0))
        result = steps.step_promote(
            root / "model", root / "evaluation", registry, notifier, ssm, "/aidetector/dev/model-version"
        )
    assert result.promoted and registry.latest() == "20260301T000000Z"
    assert ssm.get_parameter(Name="/aidetector/dev/model-version")["Parameter"]["Value"] == "20260301T000000Z"
    assert "Promoted" in hook.posts[0]["text"]
    # The next candidate is compared with this latest on the same data.
    shutil.rmtree(root / "model")
    _training_output(tiny_artifact, "20260302T000000Z", root)
    again = steps.step_evaluate(root / "model", root / "eval", root / "evaluation", registry)
    assert again["latest_version"] == "20260301T000000Z"
    assert again["latest"]["auroc"] == pytest.approx(again["candidate"]["auroc"])  # same weights, same figures


def test_deploy_switches_the_endpoint_to_a_new_config():
    """moto has no update_endpoint, so the SageMaker API is stubbed (AWS itself, not our code)."""
    sagemaker = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    variant = {"VariantName": "main", "ModelName": "old-model", "InstanceType": "ml.m5.large",
               "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}  # fmt: skip
    with Stubber(sagemaker) as stub:
        stub.add_response(
            "describe_endpoint",
            {
                "EndpointName": "ep",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep",
                "EndpointConfigName": "old-config",
                "EndpointStatus": "InService",
                "CreationTime": "2026-01-01T00:00:00Z",
                "LastModifiedTime": "2026-01-01T00:00:00Z",
            },
            {"EndpointName": "ep"},
        )
        stub.add_response(
            "describe_endpoint_config",
            {
                "EndpointConfigName": "old-config",
                "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:endpoint-config/o",
                "ProductionVariants": [variant],
                "CreationTime": "2026-01-01T00:00:00Z",
            },
            {"EndpointConfigName": "old-config"},
        )
        stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:1:model/new"})
        stub.add_response("create_endpoint_config", {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:ec/new"})
        stub.add_response("update_endpoint", {"EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/ep"})
        config = deploy_version(
            sagemaker, "ep", "20260301T000000Z", "s3://b/models/20260301T000000Z/model.tar.gz", "img:sha",
            "arn:aws:iam::1:role/sm", wait=False,
        )  # fmt: skip
        stub.assert_no_pending_responses()
    assert config.startswith("ep-20260301t000000z-")
