"""Model hosting: the SageMaker execution role, model, endpoint configuration, endpoint and its autoscaling.

Why the role lives here: one role serves the endpoint, the training pipeline's jobs and its deploy step, and each
permission in it is scoped to this stack's bucket prefixes, repositories, parameter and SageMaker names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .policies import AwsContext, Statement, policy_document, statement, trust_policy
from .settings import VARIANT_NAME, HostingSettings

SAGEMAKER = "sagemaker.amazonaws.com"


def image_uri(repository_url: pulumi.Input[str], tag_or_digest: str) -> pulumi.Output[str]:
    """`repo:tag`, or `repo@sha256:...` when a digest is given: either way an image that never changes."""
    separator = "@" if tag_or_digest.startswith("sha256:") else ":"
    return pulumi.Output.concat(repository_url, separator, tag_or_digest)


@dataclass(frozen=True)
class ModelHostingArgs:
    prefix: str
    context: AwsContext
    settings: HostingSettings
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    serve_repository_url: pulumi.Input[str]
    repository_arns: Sequence[pulumi.Input[str]]  # train, serve, web: the pipeline's jobs pull train and serve
    image_tag: str
    model_data_key: str  # models/latest/model.tar.gz or models/<version>/model.tar.gz
    endpoint_name: str
    pipeline_name: str
    model_version_parameter: str  # SSM name the promotion step writes
    deploy_endpoint: bool = True  # false while bootstrapping: no image or model exists yet


def execution_role_statements(args: ModelHostingArgs, role_arn: pulumi.Input[str]) -> list[Statement]:
    ctx, bucket = args.context, args.bucket_arn

    def objects(*prefixes: str) -> list[pulumi.Output[str]]:
        return [pulumi.Output.concat(bucket, "/", prefix, "*") for prefix in prefixes]

    def sagemaker(*resources: str) -> list[pulumi.Output[str]]:
        return [ctx.arn("sagemaker", resource) for resource in resources]

    return [
        statement(["s3:GetBucketLocation", "s3:ListBucket"], [bucket]),
        statement(["s3:GetObject"], objects("data/", "models/", "batch/input/", "pipeline/")),
        # models/: new registry versions and the promoted `latest`; pipeline/: the SDK's scratch space.
        statement(["s3:PutObject", "s3:AbortMultipartUpload"], objects("models/", "batch/output/", "pipeline/")),
        statement(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            list(args.repository_arns),
        ),
        # Registry login has no resource-level permission in IAM.
        statement(["ecr:GetAuthorizationToken"], ["*"]),
        statement(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            [ctx.arn("logs", "log-group:/aws/sagemaker/*")],
        ),
        # PutMetricData has no resource-level permission; the condition keeps it to SageMaker's namespaces.
        statement(["cloudwatch:PutMetricData"], ["*"], {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*"]}}),
        statement(
            ["ssm:GetParameter", "ssm:PutParameter"], [ctx.arn("ssm", f"parameter{args.model_version_parameter}")]
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
        statement(["iam:PassRole"], [role_arn], {"StringEquals": {"iam:PassedToService": SAGEMAKER}}),
    ]


class ModelHosting(pulumi.ComponentResource):
    endpoint: aws.sagemaker.Endpoint | None

    def __init__(self, name: str, args: ModelHostingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:ModelHosting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{args.prefix}-sagemaker",
            assume_role_policy=trust_policy(SAGEMAKER),
            description="SageMaker: endpoint, training pipeline jobs and its deploy step for this stack",
            opts=child,
        )
        # A separate resource so that `iam:PassRole` can name the role's own ARN.
        self.policy = aws.iam.RolePolicy(
            f"{args.prefix}-sagemaker-policy",
            role=self.role.id,
            policy=policy_document(execution_role_statements(args, self.role.arn)),
            opts=child,
        )
        self.endpoint_name: pulumi.Output[str] = pulumi.Output.from_input(args.endpoint_name)
        self.endpoint = None
        if args.deploy_endpoint:
            self._endpoint(args)
        self.register_outputs({"endpoint_name": self.endpoint_name, "role_arn": self.role.arn})

    def _endpoint(self, args: ModelHostingArgs) -> None:
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        # SageMaker checks the image and the model data with the role when the model is created.
        model = aws.sagemaker.Model(
            f"{args.prefix}-model",
            execution_role_arn=self.role.arn,
            primary_container={
                "image": image_uri(args.serve_repository_url, args.image_tag),
                "model_data_url": pulumi.Output.concat("s3://", args.bucket_name, "/", args.model_data_key),
                "mode": "SingleModel",
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]),
        )
        serverless = settings.serverless
        variant = aws.sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name=VARIANT_NAME,
            model_name=model.name,
            serverless_config=(
                aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=serverless.memory_mb, max_concurrency=serverless.max_concurrency
                )
                if serverless is not None
                else None
            ),
            instance_type=settings.instance_type if serverless is None else None,
            initial_instance_count=settings.instance_count if serverless is None else None,
        )
        config = aws.sagemaker.EndpointConfiguration(
            f"{args.prefix}-endpoint-config", production_variants=[variant], opts=child
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{args.prefix}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            # After creation the SageMaker pipeline's deploy step owns which endpoint configuration is live (it
            # creates a new model + config and calls UpdateEndpoint); Pulumi must not roll that back on `up`.
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
