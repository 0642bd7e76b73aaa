"""The SageMaker pipeline's definition, built offline: its steps, their wiring, and valid API requests."""

from __future__ import annotations

from aidetector.pipeline.sagemaker_definition import pipeline_definition
from aidetector.pipeline.settings import PipelineSettings
from tests.aidetector.pipeline.conftest import BUCKET


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


def test_every_job_step_is_a_valid_request_for_the_sagemaker_api(sagemaker):
    """Offline check against the SDK's own service model (botocore's): each Training and Processing step's
    arguments must be a valid CreateTrainingJob / CreateProcessingJob request, with the names Pipelines fills in.
    (AWS's published pipeline-definition JSON schema carries no licence to copy here, and nothing is downloaded.)"""
    from botocore.validate import ParamValidator

    settings = PipelineSettings(bucket=BUCKET, train_image_uri="1.dkr.ecr.us-east-1.amazonaws.com/t:sha")
    definition = pipeline_definition(settings)
    model = sagemaker.meta.service_model
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
