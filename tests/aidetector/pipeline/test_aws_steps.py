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
from aidetector.pipeline.deploy import DeployError, DeployResult, deploy_version
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
    # SSM model-version names what the endpoint serves: only the Deploy step writes it, once the switch is done.
    assert "/aidetector/dev/model-version" not in promote["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    assert promote["Arguments"]["Environment"]["AIDETECTOR_REGISTRY_URI"] == f"s3://{BUCKET}/models"
    assert deploy["DependsOn"] == ["Promote"]
    command = deploy["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    assert command[:5] == ["aidetector", "models", "deploy", "--endpoint", "ep"]
    options = dict(zip(command[3::2], command[4::2], strict=True))
    assert options["--role-arn"] == settings.endpoint_role_arn != settings.role_arn  # issue 24.8: the endpoint's
    assert options["--version-parameter"] == "/aidetector/dev/model-version"
    assert options["--variant-parameter"] == "/aidetector/dev/endpoint-variant"
    from aidetector.cli.main import build_parser

    build_parser().parse_args(command[1:])  # the image's CLI accepts it
    assert {p["Name"] for p in definition["Parameters"]} >= {"TrainData", "EvalData", "MinAuroc", "MaxFpr"}
    # Issue 24.7: no experiment tracking, which would need CreateExperiment/CreateTrial on the role.
    assert definition.get("PipelineExperimentConfig") is None


REQUESTS = {"Training": "CreateTrainingJob", "Processing": "CreateProcessingJob"}
FILLED_BY_PIPELINES = {"TrainingJobName": "pipelines-x", "ProcessingJobName": "pipelines-x"}
PLACEHOLDER = {"string": "x", "integer": 1, "long": 1, "float": 1.0, "double": 1.0, "boolean": True}


def resolved(value, shape):
    """The step's arguments with each run-time reference (`{"Get": ...}`, `Std:Join`) replaced by a value of the
    type the API expects there, as SageMaker Pipelines does before it calls the API."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Get", "Std:Join", "Std:JsonGet"):
        return PLACEHOLDER[shape.type_name]
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            key: resolved(item, shape.members[key]) if key in shape.members else item for key, item in value.items()
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [resolved(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: resolved(item, shape.value) for key, item in value.items()}
    return value


def all_steps(steps):
    for step in steps:
        yield step
        yield from all_steps(step.get("Arguments", {}).get("IfSteps", []))
        yield from all_steps(step.get("Arguments", {}).get("ElseSteps", []))


def test_every_job_step_is_a_valid_request_for_the_sagemaker_api():
    """Offline check against the SDK's own service model (botocore's): each Training and Processing step's
    arguments must be a valid CreateTrainingJob / CreateProcessingJob request, with the names Pipelines fills in.
    (AWS's published pipeline-definition JSON schema carries no licence to copy here, and nothing is downloaded.)"""
    from botocore.validate import ParamValidator

    settings = PipelineSettings(bucket=BUCKET, train_image_uri="1.dkr.ecr.us-east-1.amazonaws.com/t:sha")
    definition = pipeline_definition(settings)
    model = _client().meta.service_model
    checked = 0
    for step in all_steps(definition["Steps"]):
        if step["Type"] not in REQUESTS:
            continue
        shape = model.operation_model(REQUESTS[step["Type"]]).input_shape
        arguments = {**FILLED_BY_PIPELINES, **resolved(step["Arguments"], shape)}
        arguments = {key: value for key, value in arguments.items() if key in shape.members}
        report = ParamValidator().validate(arguments, shape)
        assert not report.has_errors(), f"{step['Name']}: {report.generate_report()}"
        assert step["Arguments"]["RoleArn"] == settings.role_arn
        checked += 1
    assert checked == 4  # Train, Evaluate, Promote, Deploy


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


def _client():
    return boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def test_deploy_switches_the_endpoint_to_a_new_config():
    """moto has no update_endpoint, so the SageMaker API is stubbed (AWS itself, not our code)."""
    sagemaker = _client()
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


def test_deploy_with_the_stacks_sizing_needs_no_live_config():
    """Issue 24.1: the live config deleted (by an older release), the deploy still switches the endpoint."""
    sagemaker = _client()
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


def test_deploy_without_sizing_and_without_a_live_config_refuses_before_changing_anything():
    sagemaker = _client()
    with Stubber(sagemaker) as stub:
        stub.add_response("describe_endpoint", _endpoint("gone-config"))
        stub.add_client_error("describe_endpoint_config", "ValidationException", "Could not find")
        with pytest.raises(DeployError, match="variant-parameter"):
            deploy_version(sagemaker, "ep", "v2", "s3://b/models/v2/model.tar.gz", "img:sha", "arn:r", wait=False)
        stub.assert_no_pending_responses()


def test_deploying_what_the_endpoint_already_serves_changes_nothing():
    """A re-run of the release (or its deploy step) must not roll the fleet for nothing."""
    sagemaker = _client()
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


def test_a_rolled_back_update_is_a_failed_deploy(monkeypatch):
    """SageMaker returns a failed update to InService on the old config: SSM must not then name the new version."""
    sagemaker = _client()
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
