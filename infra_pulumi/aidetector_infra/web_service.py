"""The Streamlit web UI as a public HTTPS service, configured with the API's URL and its own API key.

Why one component: the hosting choice is hidden here. Today it is ECS Express Mode (an ALB in front of Fargate
tasks, so Streamlit's WebSocket works; App Runner closed to new customers on 2026-04-30 and never carried
WebSockets). Callers pass an image, the API URL and the key, and read back `url`: a change of hosting stays inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .policies import AwsContext, service_role, statement
from .settings import WEB_HEALTH_PATH, WEB_PORT, WafSettings, WebSettings
from .waf import ALLOW, rate_rule, visibility

INFRASTRUCTURE_POLICY = "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"


@dataclass(frozen=True)
class WebServiceArgs:
    prefix: str
    context: AwsContext
    settings: WebSettings
    image: pulumi.Input[str]
    repository_arn: pulumi.Input[str]
    api_url: pulumi.Input[str]
    api_key: pulumi.Input[str]  # a secret: stored in SSM, handed to the container by ECS, never in plain env
    api_key_parameter: str  # /aidetector/<stack>/web-api-key
    log_retention_days: int = 30
    waf: WafSettings = field(default_factory=WafSettings)
    deploy_service: bool = True  # false while bootstrapping: the image does not exist yet


def https_url(endpoints: Sequence[aws.ecs.outputs.ExpressGatewayServiceIngressPath]) -> str:
    """The service's public URL from its ingress (a host name; the ALB terminates TLS)."""
    if not endpoints:
        return ""
    endpoint = endpoints[0].endpoint
    return endpoint if endpoint.startswith("https://") else f"https://{endpoint}"


class WebService(pulumi.ComponentResource):
    def __init__(self, name: str, args: WebServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:WebService", name, None, opts)
        ctx, settings, prefix = args.context, args.settings, args.prefix
        child = pulumi.ResourceOptions(parent=self)

        self.api_key_parameter = aws.ssm.Parameter(
            f"{prefix}-web-api-key",
            name=args.api_key_parameter,
            type="SecureString",
            value=args.api_key,
            description="API key of the web UI (web plan); read by ECS into AIDETECTOR_WEB_API_KEY",
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{prefix}-web-logs", name=f"/aws/ecs/{prefix}-web", retention_in_days=args.log_retention_days, opts=child
        )
        execution = service_role(
            f"{prefix}-web-execution",
            "ecs-tasks.amazonaws.com",
            [
                statement(
                    ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    [args.repository_arn],
                ),
                statement(["ecr:GetAuthorizationToken"], ["*"]),  # registry login: no resource-level permission
                statement(["logs:CreateLogStream", "logs:PutLogEvents"], [pulumi.Output.concat(log_group.arn, ":*")]),
                statement(["ssm:GetParameters"], [self.api_key_parameter.arn]),
                statement(
                    ["kms:Decrypt"],
                    [ctx.arn("kms", "key/*")],
                    {"StringEquals": {"kms:ViaService": f"ssm.{ctx.region}.amazonaws.com"}},
                ),
            ],
            parent=self,
            description="ECS: pull the web image, write its logs, read its API key",
            context=ctx,
        )
        infrastructure = service_role(
            f"{prefix}-web-infrastructure",
            "ecs.amazonaws.com",
            [],
            parent=self,
            description="ECS Express Mode: manage the web service's load balancer, security groups and scaling",
            managed_policies=[INFRASTRUCTURE_POLICY],
            context=ctx,
        )
        # The rate rule for the page's load balancer. ECS Express Mode creates (and may share) that ALB and reports
        # its ARN only through ECS DescribeServiceRevisions, not as a Pulumi output: the release associates this ACL
        # with it after `pulumi up` (docs/DEPLOY.md 3.2), so the ACL is created here without an association.
        self.waf = aws.wafv2.WebAcl(
            f"{prefix}-web-waf",
            name=f"{prefix}-web-waf",
            description=f"web UI: at most {args.waf.web_requests_per_window} requests per client IP"
            f" in {args.waf.window_s} s",
            scope="REGIONAL",
            default_action=ALLOW,
            rules=[rate_rule(args.waf.web_requests_per_window, args.waf.window_s, f"{prefix}-web-waf")],
            visibility_config=visibility(f"{prefix}-web-waf"),
            opts=child,
        )
        self.url: pulumi.Output[str] = pulumi.Output.from_input("")
        if not args.deploy_service:
            self.register_outputs({"url": self.url})
            return
        # Without subnets ECS Express Mode uses the region's default VPC (docs/DEPLOY.md, prerequisites).
        network: Any = (
            [{"subnets": list(settings.subnets), "security_groups": list(settings.security_groups) or None}]
            if settings.subnets
            else None
        )
        self.service = aws.ecs.ExpressGatewayService(
            f"{prefix}-web",
            service_name=f"{prefix}-web",
            execution_role_arn=execution.arn,
            infrastructure_role_arn=infrastructure.arn,
            cpu=str(settings.cpu),
            memory=str(settings.memory),
            health_check_path=WEB_HEALTH_PATH,
            network_configurations=network,
            # `pulumi up` returns once the new tasks pass their health checks: the release's smoke test and the WAF
            # association then meet the service as deployed, not the one it replaces.
            wait_for_steady_state=True,
            primary_container={
                "image": args.image,
                "container_port": WEB_PORT,
                "environments": [
                    {"name": "AIDETECTOR_WEB_API_URL", "value": args.api_url},
                    {"name": "PORT", "value": str(WEB_PORT)},
                ],
                "secrets": [{"name": "AIDETECTOR_WEB_API_KEY", "value_from": self.api_key_parameter.arn}],
                "aws_logs_configurations": [{"log_group": log_group.name, "log_stream_prefix": "web"}],
            },
            scaling_targets=[
                {
                    "min_task_count": settings.min_tasks,
                    "max_task_count": settings.max_tasks,
                    "auto_scaling_metric": "AVERAGE_CPU",
                    "auto_scaling_target_value": settings.cpu_target_percent,
                }
            ],
            # ECS needs both roles' permissions for as long as the service exists (including while it drains).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*execution.ready, *infrastructure.ready]),
        )
        self.url = self.service.ingress_paths.apply(https_url)
        self.register_outputs({"url": self.url})
