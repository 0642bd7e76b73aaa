"""The public API: the api Lambda behind an API Gateway REST API with keys, usage plans, logs and CORS.

Why REST (not HTTP) API: usage plans, API keys, throttles and quotas exist only there - the same rules the local
gateway emulates, with the numbers read from the same `aidetector/resources/plans.toml`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    WafSettings,
)
from .waf import rate_limited_acl

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
ACCOUNT_SETTINGS_ID = "api-gateway-account"  # the one API Gateway account-settings object of a region


@dataclass(frozen=True)
class PublicApiArgs:
    prefix: str
    context: AwsContext
    settings: ApiSettings
    endpoint_name: pulumi.Input[str]
    plans: PlanConfig
    limits_environment: Mapping[str, str]  # MAX_BODY_BYTES, MAX_BATCH_ITEMS, MAX_TEXT_CHARS
    waf: WafSettings = field(default_factory=WafSettings)
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


def resource_properties(resource: pulumi.CustomResource) -> pulumi.Output[dict[str, Any]]:
    """Every property of a resource as the provider reports it (its inputs and what AWS computed), by name."""
    outputs = {
        name: value
        for name, value in vars(resource).items()
        if isinstance(value, pulumi.Output) and not name.startswith("_") and name != "urn"
    }
    return pulumi.Output.all(**outputs)


def fingerprint(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def deployment_fingerprint(frozen: Sequence[pulumi.CustomResource]) -> pulumi.Output[str]:
    """A hash of every property of every resource a deployment freezes (methods, integrations, their responses,
    gateway responses): any change to any of them - not only to a summary written beside them - makes a new
    deployment, and so a stage that serves it."""
    parts = [pulumi.Output.all(type(resource).__name__, resource_properties(resource)) for resource in frozen]
    return pulumi.Output.all(*parts).apply(fingerprint)


def require_account_role(arn: str | None, region: str) -> str:
    if not arn:
        raise SettingsError(
            f"API Gateway in {region} has no CloudWatch role for this account, and api.manageAccountRole is false:"
            " the stage's access logs would fail. Set api.manageAccountRole true in this stack (or in the stack"
            " that shares its region)."
        )
    return arn


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
                context=ctx,
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
        frozen: list[pulumi.CustomResource] = self._routes(args, function)
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
            triggers={"fingerprint": deployment_fingerprint(frozen)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=frozen),
        )

        # Access and execution logs need API Gateway's CloudWatch role, one per account and region. A stack that
        # leaves it to another must find it set, or the stage would fail to create (or silently log nothing).
        stage_depends: list[pulumi.Resource] = []
        if settings.manage_account_role:
            stage_depends.append(self._account_role(prefix, ctx))
            account_role: pulumi.Output[str] = pulumi.Output.from_input("managed here")
        else:
            # A read of the region's account settings (id "api-gateway-account"), not a resource this stack manages.
            account = aws.apigateway.Account.get(
                f"{prefix}-apigw-account-read", ACCOUNT_SETTINGS_ID, opts=pulumi.ResourceOptions(parent=self)
            )
            account_role = account.cloudwatch_role_arn.apply(lambda arn: require_account_role(arn, ctx.region))
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
            access_log_settings={
                # Only once the account's CloudWatch role is known to exist (see above).
                "destination_arn": pulumi.Output.all(self.access_logs.arn, account_role).apply(lambda v: v[0]),
                "format": ACCESS_LOG_FORMAT,
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=stage_depends),
        )
        aws.apigateway.MethodSettings(
            f"{prefix}-stage-settings",
            rest_api=api_id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings={
                "metrics_enabled": True,
                "logging_level": "ERROR",
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
            description=f"the web UI's key (its own plan, {args.web_key_plan})",
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

        self.waf = rate_limited_acl(
            f"{prefix}-api-waf",
            args.waf.api_requests_per_window,
            args.waf.window_s,
            self.stage.arn,
            parent=self,
            description=f"public API: at most {args.waf.api_requests_per_window} requests per client IP"
            f" in {args.waf.window_s} s",
        )

        self.url: pulumi.Output[str] = self.stage.invoke_url
        self.name: pulumi.Output[str] = self.rest_api.name
        self.function_name: pulumi.Output[str] = function.name
        self.register_outputs({"url": self.url, "function_name": self.function_name})

    def _routes(self, args: PublicApiArgs, function: aws.lambda_.Function) -> list[pulumi.CustomResource]:
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

        frozen: list[pulumi.CustomResource] = []
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
                        "logs:DescribeLogStreams",
                        "logs:FilterLogEvents",
                        "logs:GetLogEvents",
                        "logs:PutLogEvents",
                    ],
                    [ctx.arn("logs", "log-group:*")],
                ),
                # Listing log groups has no resource-level permission (parliament: required format "*").
                statement(["logs:DescribeLogGroups"], ["*"]),
            ],
            parent=self,
            description="API Gateway: write access and execution logs to CloudWatch Logs",
            context=ctx,
        )
        return aws.apigateway.Account(
            f"{prefix}-apigw-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=role.ready),
        )
