"""The public API: the api Lambda behind an API Gateway REST API with keys, usage plans, logs and CORS.

Why REST (not HTTP) API: usage plans, API keys, throttles and quotas exist only there - the same rules the local
gateway emulates, with the numbers read from the same `aidetector/resources/plans.toml`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aidetector.plans import PlanConfig

from .policies import AwsContext, service_role, statement
from .python_function import PythonFunction, PythonFunctionArgs
from .settings import (
    API_BUNDLE,
    API_STAGE,
    CORS_ALLOW_HEADERS,
    CORS_ALLOW_METHODS,
    ROUTES,
    WEB_KEY_PLAN,
    ApiSettings,
    SettingsError,
)

# One JSON object per request; the key's id (never the key) says who called.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "latencyMs": "$context.responseLatency",
        "integrationLatencyMs": "$context.integrationLatency",
        "apiKeyId": "$context.identity.apiKeyId",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)
GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
# API Gateway's own body for its errors, kept as is: {"message": "Forbidden"}, {"message": "Too Many Requests"}, ...
GATEWAY_ERROR_TEMPLATE = '{"message":$context.error.messageString}'
PREFLIGHT_STATUS = "204"  # what the handler answers to OPTIONS locally


@dataclass(frozen=True)
class PublicApiArgs:
    prefix: str
    context: AwsContext
    settings: ApiSettings
    endpoint_name: pulumi.Input[str]
    plans: PlanConfig
    limits_environment: Mapping[str, str]  # MAX_BODY_BYTES, MAX_BATCH_ITEMS, MAX_TEXT_CHARS
    web_key_plan: str = WEB_KEY_PLAN
    routes: Sequence[tuple[str, str]] = ROUTES


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
        "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
    }


def resource_paths(routes: Sequence[tuple[str, str]]) -> list[str]:
    """Every path that needs an API Gateway resource, parents first: /v1, /v1/detect, /v1/detect/batch, ..."""
    paths: set[str] = set()
    for _, path in routes:
        parts = path.strip("/").split("/")
        paths.update("/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(paths, key=lambda p: (p.count("/"), p))


def deployment_fingerprint(routes: Sequence[tuple[str, str]], settings: ApiSettings) -> str:
    """A hash of everything a deployment freezes: when it changes, a new deployment (and stage update) follows."""
    spec = {
        "routes": sorted(routes),
        "integration": {"type": "AWS_PROXY", "timeout_ms": settings.timeout_s * 1000},
        "preflight": {"status": PREFLIGHT_STATUS, "headers": cors_headers(settings.cors_origin)},
        "gateway_responses": {"types": GATEWAY_RESPONSES, "template": GATEWAY_ERROR_TEMPLATE},
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "root"


class PublicApi(pulumi.ComponentResource):
    def __init__(self, name: str, args: PublicApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:PublicApi", name, None, opts)
        if args.web_key_plan not in args.plans.plans:
            raise SettingsError(f"the web key's plan {args.web_key_plan!r} is not in aidetector/resources/plans.toml")
        settings, prefix, ctx = args.settings, args.prefix, args.context
        child = pulumi.ResourceOptions(parent=self)

        self.handler = PythonFunction(
            f"{prefix}-api",
            PythonFunctionArgs(
                function_name=f"{prefix}-api",
                description="public API: validate, invoke the SageMaker endpoint, shape the answer",
                bundle=API_BUNDLE,
                handler="handler.handler",
                environment={
                    "ENDPOINT_NAME": args.endpoint_name,
                    "READ_TIMEOUT_S": str(settings.read_timeout_s),
                    "CONNECT_TIMEOUT_S": str(settings.connect_timeout_s),
                    **args.limits_environment,
                    "CORS_ORIGIN": settings.cors_origin,
                },
                statements=[
                    statement(
                        ["sagemaker:InvokeEndpoint"],
                        [ctx.arn("sagemaker", pulumi.Output.concat("endpoint/", args.endpoint_name))],
                    )
                ],
                timeout_s=settings.timeout_s,
                memory_mb=settings.memory_mb,
                reserved_concurrency=settings.reserved_concurrency,
                log_retention_days=settings.log_retention_days,
            ),
            opts=child,
        )
        function = self.handler.function

        self.rest_api = aws.apigateway.RestApi(
            f"{prefix}-api",
            name=f"{prefix}-api",
            description="aidetector public API (x-api-key, usage plans)",
            api_key_source="HEADER",
            endpoint_configuration={"types": "REGIONAL"},
            opts=child,
        )
        api_id = self.rest_api.id
        frozen = self._routes(args, function)
        for response_type in GATEWAY_RESPONSES:
            frozen.append(
                aws.apigateway.Response(
                    f"{prefix}-{response_type.lower().replace('_', '-')}",
                    rest_api_id=api_id,
                    response_type=response_type,
                    response_parameters={
                        f"gatewayresponse.header.{header}": f"'{value}'"
                        for header, value in cors_headers(settings.cors_origin).items()
                    },
                    response_templates={"application/json": GATEWAY_ERROR_TEMPLATE},
                    opts=child,
                )
            )
        aws.lambda_.Permission(
            f"{prefix}-api-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.rest_api.execution_arn, "/", API_STAGE, "/*"),
            opts=child,
        )
        deployment = aws.apigateway.Deployment(
            f"{prefix}-deployment",
            rest_api=api_id,
            description="routes, integrations and gateway responses frozen for the stage",
            triggers={"fingerprint": deployment_fingerprint(args.routes, settings)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=frozen),
        )

        stage_depends: list[pulumi.Resource] = []
        if settings.manage_account_role:
            stage_depends.append(self._account_role(prefix, ctx))
        self.access_logs = aws.cloudwatch.LogGroup(
            f"{prefix}-api-access",
            name=f"/aws/apigateway/{prefix}-api/access",
            retention_in_days=settings.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            f"{prefix}-stage",
            rest_api=api_id,
            deployment=deployment.id,
            stage_name=API_STAGE,
            description="the public stage",
            access_log_settings={"destination_arn": self.access_logs.arn, "format": ACCESS_LOG_FORMAT},
            opts=pulumi.ResourceOptions(parent=self, depends_on=stage_depends),
        )
        aws.apigateway.MethodSettings(
            f"{prefix}-stage-settings",
            rest_api=api_id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings={
                "metrics_enabled": True,
                "logging_level": "ERROR" if settings.manage_account_role else "OFF",
                "throttling_rate_limit": settings.stage_rate_limit,
                "throttling_burst_limit": settings.stage_burst_limit,
            },
            opts=child,
        )

        self.usage_plans = {
            plan.name: aws.apigateway.UsagePlan(
                f"{prefix}-plan-{plan.name}",
                name=f"{prefix}-{plan.name}",
                description=f"plan {plan.name}: {plan.rate}/s, burst {plan.burst}, {plan.quota} per {plan.period}",
                api_stages=[{"api_id": api_id, "stage": self.stage.stage_name}],
                throttle_settings={"rate_limit": plan.rate, "burst_limit": plan.burst},
                quota_settings={"limit": plan.quota, "period": plan.period},
                opts=child,
            )
            for plan in args.plans.plans.values()
        }
        self.web_key = aws.apigateway.ApiKey(
            f"{prefix}-web-key",
            name=f"{prefix}-web",
            description=f"the web UI's key ({args.web_key_plan} plan)",
            enabled=True,
            opts=child,
        )
        aws.apigateway.UsagePlanKey(
            f"{prefix}-web-key-plan",
            key_id=self.web_key.id,
            key_type="API_KEY",
            usage_plan_id=self.usage_plans[args.web_key_plan].id,
            opts=child,
        )

        self.url: pulumi.Output[str] = self.stage.invoke_url
        self.name: pulumi.Output[str] = self.rest_api.name
        self.function_name: pulumi.Output[str] = function.name
        self.register_outputs({"url": self.url, "function_name": self.function_name})

    def _routes(self, args: PublicApiArgs, function: aws.lambda_.Function) -> list[pulumi.Resource]:
        """Resources, methods and integrations; returns what a deployment must wait for."""
        prefix, api_id = args.prefix, self.rest_api.id
        child = pulumi.ResourceOptions(parent=self)
        resource_ids: dict[str, pulumi.Output[str]] = {"": self.rest_api.root_resource_id}
        for path in resource_paths(args.routes):
            parent, _, part = path.rpartition("/")
            resource = aws.apigateway.Resource(
                f"{prefix}-res-{_slug(path)}",
                rest_api=api_id,
                parent_id=resource_ids[parent],
                path_part=part,
                opts=child,
            )
            resource_ids[path] = resource.id

        frozen: list[pulumi.Resource] = []
        for verb, path in args.routes:
            method = aws.apigateway.Method(
                f"{prefix}-{_slug(path)}-{verb.lower()}",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method=verb,
                authorization="NONE",
                api_key_required=True,
                opts=child,
            )
            integration = aws.apigateway.Integration(
                f"{prefix}-{_slug(path)}-{verb.lower()}-lambda",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method=method.http_method,
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=function.invoke_arn,
                timeout_milliseconds=args.settings.timeout_s * 1000,
                opts=child,
            )
            frozen += [method, integration]

        # CORS preflight: browsers never send a key on OPTIONS, so these are keyless MOCK answers (no Lambda call).
        headers = cors_headers(args.settings.cors_origin)
        for path in sorted({path for _, path in args.routes}):
            options = aws.apigateway.Method(
                f"{prefix}-{_slug(path)}-options",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method="OPTIONS",
                authorization="NONE",
                api_key_required=False,
                opts=child,
            )
            mock = aws.apigateway.Integration(
                f"{prefix}-{_slug(path)}-options-mock",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method=options.http_method,
                type="MOCK",
                request_templates={"application/json": json.dumps({"statusCode": int(PREFLIGHT_STATUS)})},
                passthrough_behavior="WHEN_NO_MATCH",
                opts=child,
            )
            method_response = aws.apigateway.MethodResponse(
                f"{prefix}-{_slug(path)}-options-response",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method=options.http_method,
                status_code=PREFLIGHT_STATUS,
                response_parameters={f"method.response.header.{header}": True for header in headers},
                opts=child,
            )
            integration_response = aws.apigateway.IntegrationResponse(
                f"{prefix}-{_slug(path)}-options-integration-response",
                rest_api=api_id,
                resource_id=resource_ids[path],
                http_method=options.http_method,
                status_code=method_response.status_code,
                response_parameters={
                    f"method.response.header.{header}": f"'{value}'" for header, value in headers.items()
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[mock]),
            )
            frozen += [options, mock, method_response, integration_response]
        return frozen

    def _account_role(self, prefix: str, ctx: AwsContext) -> aws.apigateway.Account:
        """API Gateway writes access and error logs with one role per account and region (hence a stack option)."""
        role = service_role(
            f"{prefix}-apigw-logs",
            "apigateway.amazonaws.com",
            [
                statement(
                    [
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                        "logs:FilterLogEvents",
                        "logs:GetLogEvents",
                        "logs:PutLogEvents",
                    ],
                    [ctx.arn("logs", "log-group:*")],
                )
            ],
            parent=self,
            description="API Gateway: write access and execution logs to CloudWatch Logs",
        )
        return aws.apigateway.Account(
            f"{prefix}-apigw-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=role.ready),
        )
