"""Model hosting: the endpoint's, the batch jobs' and the training pipeline's roles, and the endpoint itself.

Three roles, because three very different things run with them. The endpoint's container parses untrusted text: its
role may read the registry's models, pull the serve image and write its logs and metrics - nothing else. Batch
Transform runs the same image over batch/input/ with a role that also reads that prefix and writes batch/output/. The
training pipeline (training and processing jobs, the promotion and the deploy step) creates models, switches the
endpoint, writes the registry and SSM, and passes the endpoint role on.

Who owns what the endpoint serves: Pulumi creates the endpoint once, with a first model and endpoint configuration
for the version recorded in SSM (`models/<version>/`, never the moving `models/latest/`). From then on
`aidetector models deploy` (the release's deploy step, the pipeline's Deploy step, a rollback) creates each new model
and configuration and switches the endpoint with UpdateEndpoint. So Pulumi ignores every input of its first model,
configuration and the endpoint's configuration name, and never deletes the first model and configuration either
(`retain_on_delete`): the endpoint may still run them, and SageMaker needs the live configuration to describe,
update or batch-score the endpoint. The stack's sizing reaches the deploy step through the SSM parameter
`/aidetector/<stack>/endpoint-variant` (the ProductionVariant shape of CreateEndpointConfig).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .policies import AwsContext, ServiceRole, Statement, service_role, statement
from .settings import BATCH_INPUT_PREFIX, BATCH_OUTPUT_PREFIX, UNSET, VARIANT_NAME, HostingSettings, SettingsError

SAGEMAKER = "sagemaker.amazonaws.com"
MODEL_VERSION_ENV = "AIDETECTOR_MODEL_VERSION"  # what the deploy step sets on every model it creates
# Pulumi's first model and endpoint configuration: nothing of them is Pulumi's to change after creation.
FIRST_MODEL_IGNORED = ["primary_container", "execution_role_arn", "enable_network_isolation"]
FIRST_CONFIG_IGNORED = ["production_variants"]
_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]


def image_uri(repository_url: pulumi.Input[str], tag: str) -> pulumi.Output[str]:
    """`repo:tag`: an image that never changes (the repositories' tags are immutable)."""
    return pulumi.Output.concat(repository_url, ":", tag)


def variant_spec(settings: HostingSettings) -> dict[str, Any]:
    """The endpoint's one production variant in CreateEndpointConfig's own shape (without its ModelName)."""
    if settings.serverless is not None:
        return {
            "VariantName": VARIANT_NAME,
            "ServerlessConfig": {
                "MemorySizeInMB": settings.serverless.memory_mb,
                "MaxConcurrency": settings.serverless.max_concurrency,
            },
        }
    return {
        "VariantName": VARIANT_NAME,
        "InstanceType": settings.instance_type,
        "InitialInstanceCount": settings.instance_count,
        "InitialVariantWeight": 1.0,
    }


def checked_version(value: str) -> str:
    if value in ("", UNSET):
        raise SettingsError(
            "no model version is recorded in SSM (model-version is 'unset'): seed and promote a model first"
            " (docs/DEPLOY.md 3.1), or set aidetector:modelVersion"
        )
    return value


@dataclass(frozen=True)
class ModelHostingArgs:
    prefix: str
    context: AwsContext
    settings: HostingSettings
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    serve_repository_url: pulumi.Input[str]
    serve_repository_arn: pulumi.Input[str]
    train_repository_arn: pulumi.Input[str]  # the pipeline's jobs all run the training image
    image_tag: str
    model_version: str | None  # None: the version recorded in SSM `model_version_parameter`
    endpoint_name: str
    model_version_parameter: str  # SSM: the version the endpoint serves (written by the deploy step)
    variant_parameter: str  # SSM: the endpoint's variant sizing, read by the deploy step
    slack_parameter: str  # SSM SecureString: the pipeline's promotion messages go there
    deploy_endpoint: bool = True  # false while bootstrapping: no image or model exists yet


def _objects(bucket_arn: pulumi.Input[str], *prefixes: str) -> list[pulumi.Output[str]]:
    return [pulumi.Output.concat(bucket_arn, "/", prefix, "*") for prefix in prefixes]


def endpoint_statements(args: ModelHostingArgs) -> list[Statement]:
    """Read the registry's models, pull the serve image, write the endpoint's logs and metrics."""
    ctx = args.context
    return [
        statement(["s3:GetObject"], _objects(args.bucket_arn, "models/")),
        statement(_PULL, [args.serve_repository_arn]),
        statement(["ecr:GetAuthorizationToken"], ["*"]),  # registry login: no resource-level permission
        statement(_LOGS, [ctx.arn("logs", f"log-group:/aws/sagemaker/Endpoints/{args.endpoint_name}*")]),
        # PutMetricData has no resource-level permission; the condition keeps it to SageMaker's namespaces.
        statement(["cloudwatch:PutMetricData"], ["*"], {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*"]}}),
    ]


def batch_statements(args: ModelHostingArgs) -> list[Statement]:
    """The endpoint's own permissions for a Batch Transform, plus its input and output prefixes."""
    ctx = args.context
    return [
        statement(["s3:GetObject"], _objects(args.bucket_arn, "models/", BATCH_INPUT_PREFIX)),
        statement(["s3:ListBucket"], [args.bucket_arn], {"StringLike": {"s3:prefix": [f"{BATCH_INPUT_PREFIX}*"]}}),
        statement(["s3:AbortMultipartUpload", "s3:PutObject"], _objects(args.bucket_arn, BATCH_OUTPUT_PREFIX)),
        statement(_PULL, [args.serve_repository_arn]),
        statement(["ecr:GetAuthorizationToken"], ["*"]),
        statement(_LOGS, [ctx.arn("logs", "log-group:/aws/sagemaker/TransformJobs*")]),
        statement(["cloudwatch:PutMetricData"], ["*"], {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*"]}}),
    ]


def pipeline_statements(
    args: ModelHostingArgs, role_arn: pulumi.Input[str], endpoint_role_arn: pulumi.Input[str]
) -> list[Statement]:
    """Training and processing jobs, the registry, the promotion's Slack message and the deploy step."""
    ctx, bucket = args.context, args.bucket_arn

    def sagemaker(*resources: str) -> list[pulumi.Output[str]]:
        return [ctx.arn("sagemaker", resource) for resource in resources]

    def parameter(name: str) -> pulumi.Output[str]:
        return ctx.arn("ssm", f"parameter{name}")

    return [
        statement(["s3:GetBucketLocation", "s3:ListBucket"], [bucket]),
        statement(["s3:GetObject"], _objects(bucket, "data/", "models/", "pipeline/")),
        # models/: new registry versions and the promoted `latest`; pipeline/: the SDK's and the steps' scratch.
        statement(["s3:AbortMultipartUpload", "s3:PutObject"], _objects(bucket, "models/", "pipeline/")),
        statement(_PULL, [args.train_repository_arn]),
        statement(["ecr:GetAuthorizationToken"], ["*"]),
        statement(
            _LOGS,
            [
                ctx.arn("logs", "log-group:/aws/sagemaker/TrainingJobs*"),
                ctx.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs*"),
            ],
        ),
        statement(["cloudwatch:PutMetricData"], ["*"], {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*"]}}),
        statement(
            ["ssm:GetParameter"],
            [
                parameter(args.model_version_parameter),
                parameter(args.variant_parameter),
                parameter(args.slack_parameter),
            ],
        ),
        statement(["ssm:PutParameter"], [parameter(args.model_version_parameter)]),
        # The Slack webhook is a SecureString under the account's aws/ssm key.
        statement(
            ["kms:Decrypt"],
            [ctx.arn("kms", "key/*")],
            {"StringEquals": {"kms:ViaService": f"ssm.{ctx.region}.amazonaws.com"}},
        ),
        # The pipeline's jobs: SageMaker Pipelines names them itself, so only the resource type can be scoped.
        statement(
            [
                "sagemaker:AddTags",
                "sagemaker:CreateProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:StopTrainingJob",
            ],
            sagemaker("training-job/*", "processing-job/*"),
        ),
        # The deploy step: a new model and endpoint config named aidetector-<stack>-..., then UpdateEndpoint.
        statement(
            [
                "sagemaker:AddTags",
                "sagemaker:CreateEndpointConfig",
                "sagemaker:CreateModel",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DescribeModel",
                "sagemaker:UpdateEndpoint",
            ],
            sagemaker(f"model/{args.prefix}-*", f"endpoint-config/{args.prefix}-*", f"endpoint/{args.endpoint_name}"),
        ),
        # Its own jobs run as this role; the models the deploy step creates run as the endpoint's role.
        statement(
            ["iam:PassRole"], [role_arn, endpoint_role_arn], {"StringEquals": {"iam:PassedToService": SAGEMAKER}}
        ),
    ]


class ModelHosting(pulumi.ComponentResource):
    endpoint: aws.sagemaker.Endpoint | None

    def __init__(self, name: str, args: ModelHostingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:ModelHosting", name, None, opts)
        ctx = args.context
        self.endpoint_role: ServiceRole = service_role(
            f"{args.prefix}-endpoint",
            SAGEMAKER,
            endpoint_statements(args),
            parent=self,
            description="SageMaker endpoint: read its model, pull the serve image, write its logs and metrics",
            context=ctx,
        )
        self.batch_role: ServiceRole = service_role(
            f"{args.prefix}-batch",
            SAGEMAKER,
            batch_statements(args),
            parent=self,
            description="SageMaker Batch Transform: the endpoint's model over batch/input/ into batch/output/",
            context=ctx,
        )
        self.pipeline_role: ServiceRole = service_role(
            f"{args.prefix}-pipeline",
            SAGEMAKER,
            lambda own_arn: pipeline_statements(args, own_arn, self.endpoint_role.arn),
            parent=self,
            description="SageMaker training pipeline: its jobs, the registry, promotion and the deploy step",
            context=ctx,
        )
        self.variant_parameter = aws.ssm.Parameter(
            f"{args.prefix}-endpoint-variant",
            name=args.variant_parameter,
            type="String",
            value=json.dumps(variant_spec(args.settings), sort_keys=True),
            description="the endpoint's ProductionVariant (sizing), read by `aidetector models deploy`",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint_name: pulumi.Output[str] = pulumi.Output.from_input(args.endpoint_name)
        self.endpoint = None
        if args.deploy_endpoint:
            self._endpoint(args)
        self.register_outputs({"endpoint_name": self.endpoint_name, "endpoint_role_arn": self.endpoint_role.arn})

    def _first_version(self, args: ModelHostingArgs) -> pulumi.Output[str]:
        if args.model_version is not None:
            return pulumi.Output.from_input(args.model_version)
        recorded = aws.ssm.get_parameter_output(
            name=args.model_version_parameter, opts=pulumi.InvokeOptions(parent=self)
        )
        return recorded.value.apply(checked_version)

    def _endpoint(self, args: ModelHostingArgs) -> None:
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        version = self._first_version(args)
        # SageMaker checks the image and the model data with the role when the model is created. Network
        # isolation: the container (which parses untrusted text) can open no connection at all; SageMaker itself
        # still pulls the image and downloads the model.
        model = aws.sagemaker.Model(
            f"{args.prefix}-model",
            execution_role_arn=self.endpoint_role.arn,
            enable_network_isolation=True,
            primary_container={
                "image": image_uri(args.serve_repository_url, args.image_tag),
                "model_data_url": pulumi.Output.concat(
                    "s3://", args.bucket_name, "/", version.apply(lambda v: f"models/{v}/model.tar.gz")
                ),
                "mode": "SingleModel",
                "environment": {MODEL_VERSION_ENV: version},
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=self.endpoint_role.ready,
                ignore_changes=FIRST_MODEL_IGNORED,
                retain_on_delete=True,
            ),
        )
        spec = variant_spec(settings)
        serverless = spec.get("ServerlessConfig")
        variant = aws.sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name=VARIANT_NAME,
            model_name=model.name,
            serverless_config=(
                aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=serverless["MemorySizeInMB"], max_concurrency=serverless["MaxConcurrency"]
                )
                if serverless is not None
                else None
            ),
            instance_type=spec.get("InstanceType"),
            initial_instance_count=spec.get("InitialInstanceCount"),
            initial_variant_weight=spec.get("InitialVariantWeight"),
        )
        config = aws.sagemaker.EndpointConfiguration(
            f"{args.prefix}-endpoint-config",
            production_variants=[variant],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=FIRST_CONFIG_IGNORED, retain_on_delete=True),
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{args.prefix}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            # After creation `aidetector models deploy` owns which endpoint configuration is live.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["endpoint_config_name"]),
        )
        self.endpoint_name = self.endpoint.name
        if settings.serverless is None:
            scaling = settings.autoscaling
            target = aws.appautoscaling.Target(
                f"{args.prefix}-endpoint-scaling",
                service_namespace="sagemaker",
                scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                resource_id=pulumi.Output.concat("endpoint/", self.endpoint.name, "/variant/", VARIANT_NAME),
                min_capacity=scaling.min_instances,
                max_capacity=scaling.max_instances,
                opts=child,
            )
            aws.appautoscaling.Policy(
                f"{args.prefix}-endpoint-invocations",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "target_value": scaling.target_invocations_per_instance,
                    "predefined_metric_specification": {
                        "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"
                    },
                    "scale_in_cooldown": scaling.scale_in_cooldown_s,
                    "scale_out_cooldown": scaling.scale_out_cooldown_s,
                },
                opts=child,
            )
