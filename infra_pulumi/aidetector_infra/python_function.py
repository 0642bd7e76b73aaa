"""A Python Lambda function with its own log group and its own least-privilege role.

Why a component: the api, jobs and alarm-relay functions differ only in code, environment and permissions; the
parts every function needs (a log group with retention, a role that may write only to that log group, the zip of the
listed repository files) are built here once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .policies import AwsContext, Statement, service_role, statement
from .settings import LAMBDA_RUNTIME

# infra_pulumi/aidetector_infra/ -> the repository root, whatever directory `pulumi` runs from.
REPO_ROOT = Path(__file__).resolve().parents[2]


def code_archive(bundle: Mapping[str, str]) -> pulumi.AssetArchive:
    """The deployment zip: each repository file under its path inside the zip."""
    return pulumi.AssetArchive({inside: pulumi.FileAsset(str(REPO_ROOT / source)) for inside, source in bundle.items()})


@dataclass(frozen=True)
class PythonFunctionArgs:
    function_name: str
    context: AwsContext
    description: str
    bundle: Mapping[str, str]
    handler: str
    environment: Mapping[str, pulumi.Input[str]]
    statements: Sequence[Statement] = ()  # what the function may do besides writing its own logs
    timeout_s: int = 30
    memory_mb: int = 256
    reserved_concurrency: int | None = None  # None: no reservation (new accounts cannot reserve any)
    log_retention_days: int = 30


class PythonFunction(pulumi.ComponentResource):
    function: aws.lambda_.Function

    def __init__(self, name: str, args: PythonFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:PythonFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{args.function_name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        own_logs = statement(
            ["logs:CreateLogStream", "logs:PutLogEvents"], [pulumi.Output.concat(self.log_group.arn, ":*")]
        )
        self.role = service_role(
            f"{name}-role",
            "lambda.amazonaws.com",
            [own_logs, *args.statements],
            parent=self,
            description=f"Lambda {args.function_name}: {args.description}",
            context=args.context,
        )
        self.function = aws.lambda_.Function(
            name,
            name=args.function_name,
            description=args.description,
            runtime=LAMBDA_RUNTIME,
            architectures=["arm64"],
            handler=args.handler,
            code=code_archive(args.bundle),
            role=self.role.arn,
            timeout=args.timeout_s,
            memory_size=args.memory_mb,
            reserved_concurrent_executions=args.reserved_concurrency,
            environment={"variables": dict(args.environment)},
            logging_config={"log_format": "Text", "log_group": self.log_group.name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.role.ready, self.log_group]),
        )
        self.register_outputs({"arn": self.function.arn, "name": self.function.name})
