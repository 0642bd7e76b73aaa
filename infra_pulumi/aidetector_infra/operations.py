"""Operations: SSM parameters, alarms to an SNS topic relayed to Slack, and the scheduled batch and retraining jobs.

Why together: this is what runs the stack after `pulumi up` - what is deployed (parameters), when something is
wrong (alarms, Slack), and the recurring work (EventBridge Scheduler -> jobs Lambda -> SageMaker).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .policies import AwsContext, service_role, statement
from .python_function import PythonFunction, PythonFunctionArgs
from .settings import (
    ALARM_RELAY_BUNDLE,
    API_STAGE,
    BATCH_INPUT_PREFIX,
    BATCH_OUTPUT_PREFIX,
    JOBS_BUNDLE,
    UNSET,
    VARIANT_NAME,
    OpsSettings,
)


@dataclass(frozen=True)
class OperationsArgs:
    prefix: str
    context: AwsContext
    settings: OpsSettings
    parameter_prefix: str  # /aidetector/<stack>/
    images: Sequence[str]
    image_tag: str
    model_version: str | None
    slack_webhook_url: pulumi.Input[str] | None
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    endpoint_name: pulumi.Input[str]
    batch_role_arn: pulumi.Input[str]  # what the weekly batch's own model runs as
    pipeline_name: str
    api_name: pulumi.Input[str]
    api_function_name: pulumi.Input[str]


@dataclass(frozen=True)
class Alarm:
    key: str
    description: str
    namespace: str
    metric: str
    dimensions: Mapping[str, pulumi.Input[str]]
    threshold: float
    statistic: str  # Sum / Average, or a percentile such as p90
    comparison: str = "GreaterThanThreshold"


class Operations(pulumi.ComponentResource):
    def __init__(self, name: str, args: OperationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:Operations", name, None, opts)
        self._parameters(args)
        self._alerts(args)
        self._jobs(args)
        self.register_outputs({"alarm_topic_arn": self.topic.arn})

    def _parameters(self, args: OperationsArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        for image in args.images:
            aws.ssm.Parameter(
                f"{args.prefix}-image-tag-{image}",
                name=f"{args.parameter_prefix}image-tags/{image}",
                type="String",
                value=args.image_tag,
                description=f"tag (git SHA) of the {image} image this stack deploys",
                opts=child,
            )
        self.model_version = aws.ssm.Parameter(
            f"{args.prefix}-model-version",
            name=f"{args.parameter_prefix}model-version",
            type="String",
            value=args.model_version or UNSET,
            description="registry version the endpoint serves; written by `aidetector models deploy`",
            # The deploy step owns the value after creation; `pulumi up` must not reset it.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["value"]),
        )
        self.slack_webhook = aws.ssm.Parameter(
            f"{args.prefix}-slack-webhook-url",
            name=f"{args.parameter_prefix}slack-webhook-url",
            type="SecureString",
            value=args.slack_webhook_url if args.slack_webhook_url is not None else UNSET,
            description="Slack incoming-webhook URL for alarms (config secret slackWebhookUrl)",
            opts=child,
        )

    def _alerts(self, args: OperationsArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        # Not KMS-encrypted: CloudWatch can publish to an encrypted topic only with a customer key granted to it.
        self.topic = aws.sns.Topic(f"{args.prefix}-alarms", opts=child)
        relay = PythonFunction(
            f"{args.prefix}-alarm-relay",
            PythonFunctionArgs(
                function_name=f"{args.prefix}-alarm-relay",
                description="posts CloudWatch alarm notifications to Slack",
                bundle=ALARM_RELAY_BUNDLE,
                handler="alarm_relay.handler",
                environment={"SLACK_WEBHOOK_PARAM": self.slack_webhook.name},
                statements=[
                    statement(["ssm:GetParameter"], [self.slack_webhook.arn]),
                    statement(
                        ["kms:Decrypt"],
                        [args.context.arn("kms", "key/*")],
                        {"StringEquals": {"kms:ViaService": f"ssm.{args.context.region}.amazonaws.com"}},
                    ),
                ],
                timeout_s=15,
                memory_mb=128,
                log_retention_days=args.settings.log_retention_days,
                context=args.context,
            ),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{args.prefix}-alarm-relay-invoke",
            action="lambda:InvokeFunction",
            function=relay.function.name,
            principal="sns.amazonaws.com",
            source_arn=self.topic.arn,
            opts=child,
        )
        aws.sns.TopicSubscription(
            f"{args.prefix}-alarm-relay-subscription",
            topic=self.topic.arn,
            protocol="lambda",
            endpoint=relay.function.arn,
            opts=child,
        )

        alarms = args.settings.alarms
        api = {"ApiName": args.api_name, "Stage": API_STAGE}
        endpoint = {"EndpointName": args.endpoint_name, "VariantName": VARIANT_NAME}
        definitions = [
            Alarm(
                key="api-5xx-rate",
                description="share of API requests answered 5XX",
                namespace="AWS/ApiGateway",
                metric="5XXError",
                dimensions=api,
                threshold=alarms.api_error_rate,
                statistic="Average",
            ),
            Alarm(
                key="api-latency-p90",
                description="API latency p90 (ms)",
                namespace="AWS/ApiGateway",
                metric="Latency",
                dimensions=api,
                threshold=alarms.api_latency_p90_ms,
                statistic="p90",
            ),
            Alarm(
                key="endpoint-5xx",
                description="endpoint invocations answered 5XX",
                namespace="AWS/SageMaker",
                metric="Invocation5XXErrors",
                dimensions=endpoint,
                threshold=alarms.endpoint_errors,
                statistic="Sum",
                comparison="GreaterThanOrEqualToThreshold",
            ),
            Alarm(
                key="model-latency-p90",
                description="model latency p90 (microseconds, as SageMaker reports it)",
                namespace="AWS/SageMaker",
                metric="ModelLatency",
                dimensions=endpoint,
                threshold=alarms.model_latency_p90_ms * 1000,
                statistic="p90",
            ),
            Alarm(
                key="api-lambda-errors",
                description="api Lambda failed invocations",
                namespace="AWS/Lambda",
                metric="Errors",
                dimensions={"FunctionName": args.api_function_name},
                threshold=alarms.lambda_errors,
                statistic="Sum",
                comparison="GreaterThanOrEqualToThreshold",
            ),
        ]
        for alarm in definitions:
            self._alarm(args, alarm)

    def _alarm(self, args: OperationsArgs, alarm: Alarm) -> aws.cloudwatch.MetricAlarm:
        settings = args.settings.alarms
        percentile = alarm.statistic.startswith("p")
        return aws.cloudwatch.MetricAlarm(
            f"{args.prefix}-{alarm.key}",
            name=f"{args.prefix}-{alarm.key}",
            alarm_description=alarm.description,
            namespace=alarm.namespace,
            metric_name=alarm.metric,
            dimensions=dict(alarm.dimensions),
            statistic=None if percentile else alarm.statistic,
            extended_statistic=alarm.statistic if percentile else None,
            period=settings.period_s,
            evaluation_periods=settings.evaluation_periods,
            threshold=alarm.threshold,
            comparison_operator=alarm.comparison,
            treat_missing_data="notBreaching",  # no traffic is not an incident
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _jobs(self, args: OperationsArgs) -> None:
        ctx, child = args.context, pulumi.ResourceOptions(parent=self)
        jobs = PythonFunction(
            f"{args.prefix}-jobs",
            PythonFunctionArgs(
                function_name=f"{args.prefix}-jobs",
                description="starts the weekly batch transform or the retraining pipeline",
                bundle=JOBS_BUNDLE,
                handler="jobs.handler",
                environment={
                    "ENDPOINT_NAME": args.endpoint_name,
                    "BUCKET": args.bucket_name,
                    "BATCH_INPUT_PREFIX": BATCH_INPUT_PREFIX,
                    "BATCH_OUTPUT_PREFIX": BATCH_OUTPUT_PREFIX,
                    "TRANSFORM_INSTANCE_TYPE": args.settings.transform_instance_type,
                    "PIPELINE_NAME": args.pipeline_name,
                    "BATCH_ROLE_ARN": args.batch_role_arn,
                    "MODEL_VERSION_PARAM": self.model_version.name,
                },
                statements=[
                    # Only to see whether batch/input/ holds anything before starting a transform job.
                    statement(
                        ["s3:ListBucket"],
                        [args.bucket_arn],
                        {"StringLike": {"s3:prefix": [f"{BATCH_INPUT_PREFIX}*"]}},
                    ),
                    statement(
                        ["sagemaker:DescribeEndpoint"],
                        [ctx.arn("sagemaker", pulumi.Output.concat("endpoint/", args.endpoint_name))],
                    ),
                    statement(
                        ["sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel"],
                        [
                            ctx.arn("sagemaker", f"endpoint-config/{args.prefix}-*"),
                            ctx.arn("sagemaker", f"model/{args.prefix}-*"),
                        ],
                    ),
                    # Where the live config is gone: the version the endpoint serves.
                    statement(["ssm:GetParameter"], [self.model_version.arn]),
                    # The batch's own model and transform job, both named aidetector-<stack>-batch-<date>.
                    statement(
                        ["sagemaker:AddTags", "sagemaker:CreateModel", "sagemaker:CreateTransformJob"],
                        [
                            ctx.arn("sagemaker", f"model/{args.prefix}-batch-*"),
                            ctx.arn("sagemaker", f"transform-job/{args.prefix}-batch-*"),
                        ],
                    ),
                    statement(
                        ["iam:PassRole"],
                        [args.batch_role_arn],
                        {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                    ),
                    statement(
                        ["sagemaker:StartPipelineExecution"], [ctx.arn("sagemaker", f"pipeline/{args.pipeline_name}")]
                    ),
                ],
                timeout_s=60,
                memory_mb=256,
                log_retention_days=args.settings.log_retention_days,
                context=ctx,
            ),
            opts=child,
        )
        self.jobs_function = jobs.function
        self._alarm(
            args,
            Alarm(
                key="jobs-lambda-errors",
                description="jobs Lambda failed invocations",
                namespace="AWS/Lambda",
                metric="Errors",
                dimensions={"FunctionName": jobs.function.name},
                threshold=args.settings.alarms.lambda_errors,
                statistic="Sum",
                comparison="GreaterThanOrEqualToThreshold",
            ),
        )

        scheduler = service_role(
            f"{args.prefix}-scheduler",
            "scheduler.amazonaws.com",
            [statement(["lambda:InvokeFunction"], [jobs.function.arn])],
            parent=self,
            description="EventBridge Scheduler: invoke the jobs Lambda, nothing else",
            context=ctx,
        )
        schedules = args.settings.schedules
        for job, expression in (("batch", schedules.batch), ("retrain", schedules.retrain)):
            aws.scheduler.Schedule(
                f"{args.prefix}-{job}",
                name=f"{args.prefix}-{job}",
                description=f"starts the {job} job",
                schedule_expression=expression,
                schedule_expression_timezone=schedules.timezone,
                flexible_time_window={"mode": "OFF"},
                state="ENABLED" if schedules.enabled else "DISABLED",
                target={
                    "arn": jobs.function.arn,
                    "role_arn": scheduler.arn,
                    "input": json.dumps({"job": job}),
                    "retry_policy": {"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 3600},
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=scheduler.ready),
            )
