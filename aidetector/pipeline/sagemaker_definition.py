"""The SageMaker Pipeline (sagemaker 3.x SDK): Train → Evaluate → Gate → Promote → Deploy.

Every step runs our own training image, so the pipeline executes the same code as `aidetector pipeline run`:
the training container's `train`, then `aidetector pipeline step evaluate|promote` and `aidetector models deploy`.
Building the definition makes no AWS call (dummy credentials, explicit bucket), so CI can print and check it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aidetector.pipeline.settings import PipelineSettings

PROCESSING = "/opt/ml/processing"
STEP_NAMES = ("Train", "Evaluate", "Gate", "Promote", "Deploy", "Refused")


def _session(settings: PipelineSettings, boto_session: Any = None) -> Any:
    import boto3
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    if boto_session is None:
        boto_session = boto3.Session(
            aws_access_key_id="offline", aws_secret_access_key="offline", region_name=settings.region
        )
    return PipelineSession(boto_session=boto_session, default_bucket=settings.bucket, default_bucket_prefix="pipeline")


def build_pipeline(settings: PipelineSettings, boto_session: Any = None) -> Any:
    # Some SDK modules create boto3 clients at import time (they need a region), and the SDK would look up the
    # role in IAM: neither is wanted while only building the definition.
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.region)
    os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")
    from sagemaker.core.processing import Processor
    from sagemaker.core.shapes import (
        ProcessingInput,
        ProcessingOutput,
        ProcessingS3Input,
        ProcessingS3Output,
        StoppingCondition,
    )
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
    from sagemaker.core.workflow.conditions import (
        ConditionEquals,
        ConditionGreaterThanOrEqualTo,
        ConditionLessThanOrEqualTo,
    )
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.parameters import ParameterFloat, ParameterString
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow import ConditionStep, FailStep, Pipeline, ProcessingStep, TrainingStep
    from sagemaker.train.model_trainer import ModelTrainer

    session = _session(settings, boto_session)
    bucket = f"s3://{settings.bucket}"
    train_data = ParameterString(name="TrainData", default_value=f"{bucket}/data/train.jsonl")
    eval_data = ParameterString(name="EvalData", default_value=f"{bucket}/data/eval.jsonl")
    base_model = ParameterString(name="BaseModel", default_value=settings.base_model)
    epochs = ParameterString(name="Epochs", default_value=settings.epochs)
    min_auroc = ParameterFloat(name="MinAuroc", default_value=settings.min_auroc)
    max_fpr = ParameterFloat(name="MaxFpr", default_value=settings.max_fpr)

    trainer = ModelTrainer(
        training_image=settings.train_image_uri,
        role=settings.role_arn,
        sagemaker_session=session,
        base_job_name=f"{settings.name}-train",
        compute=Compute(instance_type=settings.train_instance_type, instance_count=1),
        hyperparameters={"base_model": base_model, "epochs": epochs},
        input_data_config=[InputData(channel_name="train", data_source=train_data)],
        output_data_config=OutputDataConfig(s3_output_path=f"{bucket}/pipeline/training"),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=settings.max_training_hours * 3600),
    )
    train = TrainingStep(name="Train", step_args=trainer.train())
    model_s3 = train.properties.ModelArtifacts.S3ModelArtifacts

    env = {
        "AIDETECTOR_REGISTRY_URI": settings.registry_uri,
        "AIDETECTOR_REGISTRY_REGION": settings.region,
        "AIDETECTOR_SLACK_WEBHOOK_SSM": settings.slack_parameter,
        "AWS_DEFAULT_REGION": settings.region,
    }

    def processor(command: list[str], job: str) -> Any:
        return Processor(
            role=settings.role_arn,
            image_uri=settings.train_image_uri,
            instance_count=1,
            instance_type=settings.processing_instance_type,
            entrypoint=command,
            env=env,
            base_job_name=f"{settings.name}-{job}",
            sagemaker_session=session,
        )

    def s3_input(name: str, uri: Any) -> Any:
        return ProcessingInput(
            input_name=name,
            s3_input=ProcessingS3Input(
                s3_uri=uri, local_path=f"{PROCESSING}/{name}", s3_data_type="S3Prefix", s3_input_mode="File"
            ),
        )

    evaluation_file = PropertyFile(name="Evaluation", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        step_args=processor(["aidetector", "pipeline", "step", "evaluate"], "evaluate").run(
            inputs=[s3_input("model", model_s3), s3_input("eval", eval_data)],
            outputs=[
                ProcessingOutput(
                    output_name="evaluation",
                    s3_output=ProcessingS3Output(
                        s3_uri=Join(  # one folder per execution: runs never read each other's figures
                            on="/", values=[f"{bucket}/pipeline/evaluation", ExecutionVariables.PIPELINE_EXECUTION_ID]
                        ),
                        local_path=f"{PROCESSING}/evaluation",
                        s3_upload_mode="EndOfJob",
                    ),
                )
            ],
        ),
        property_files=[evaluation_file],
    )
    promote = ProcessingStep(
        name="Promote",
        step_args=processor(
            # No --version-parameter: SSM model-version says what the endpoint serves, so the Deploy step writes it
            # once the endpoint has switched (a failed deploy must not leave it naming the new version).
            ["aidetector", "pipeline", "step", "promote"],
            "promote",
        ).run(
            inputs=[
                s3_input("model", model_s3),
                s3_input("evaluation", evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri),
            ],
        ),
    )
    deploy = ProcessingStep(
        name="Deploy",
        step_args=processor(
            [
                "aidetector",
                "models",
                "deploy",
                "--endpoint",
                settings.endpoint_name,
                "--image",
                settings.serve_image_uri,
                "--role-arn",
                settings.endpoint_role_arn,
                "--version-parameter",
                settings.model_version_parameter,
                "--variant-parameter",
                settings.variant_parameter,
            ],
            "deploy",
        ).run(),
        depends_on=[promote],
    )

    def figure(path: str) -> Any:
        return JsonGet(step_name=evaluate.name, property_file=evaluation_file, json_path=path)

    refused = FailStep(
        name="Refused",
        error_message=Join(on=" ", values=["promotion refused by the gate:", figure("gate.message")]),
    )
    gate = ConditionStep(
        name="Gate",
        conditions=[
            ConditionEquals(left=figure("gate.accepted"), right=1),
            ConditionGreaterThanOrEqualTo(left=figure("candidate.auroc"), right=min_auroc),
            ConditionLessThanOrEqualTo(left=figure("candidate.fpr_at_threshold"), right=max_fpr),
        ],
        if_steps=[promote, deploy],
        else_steps=[refused],
    )
    return Pipeline(
        name=settings.name,
        parameters=[train_data, eval_data, base_model, epochs, min_auroc, max_fpr],
        steps=[train, evaluate, gate],
        sagemaker_session=session,
        # The SDK's default records every execution as a SageMaker Experiment and trial, which needs
        # CreateExperiment/CreateTrial/AssociateTrialComponent on the role; nothing here reads them.
        pipeline_experiment_config=None,
    )


def pipeline_definition(settings: PipelineSettings) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(build_pipeline(settings).definition())
    return definition
