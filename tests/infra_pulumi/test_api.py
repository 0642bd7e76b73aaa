"""The public API: routes, keys, CORS preflights, the Lambda's settings, usage plans, stage, redeploys."""

from __future__ import annotations

import asyncio
import contextvars
import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from aidetector_infra.public_api import deployment_fingerprint
from aidetector_infra.settings import ROUTES
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from aidetector.api import routes as api_routes
from aidetector.plans import lambda_environment, load_plans
from tests.infra_pulumi.program import REPO_ROOT, ProgramRun, program_failure, reveal, run_program

CORS = {
    "Access-Control-Allow-Origin": "'*'",
    "Access-Control-Allow-Headers": "'Content-Type,x-api-key'",
    "Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
}


def handler_routes() -> set[tuple[str, str]]:
    """The routes the API's router itself answers (`aidetector.api.routes`)."""
    return {(route.method, route.path) for route in api_routes.ROUTES}


def resource_path(run: ProgramRun, resource_id: str) -> str:
    """The full path of an API Gateway resource, walking parent ids up to the REST API's root."""
    if resource_id.endswith("-root"):
        return ""
    resource = run.by_id(resource_id)
    return resource_path(run, resource.inputs["parentId"]) + "/" + resource.inputs["pathPart"]


def methods(run: ProgramRun) -> dict[tuple[str, str], dict]:
    return {
        (m.inputs["httpMethod"], resource_path(run, m.inputs["resourceId"])): m.inputs
        for m in run.of_type("aws:apigateway/method:Method")
    }


def integrations(run: ProgramRun) -> dict[tuple[str, str], dict]:
    return {
        (i.inputs["httpMethod"], resource_path(run, i.inputs["resourceId"])): i.inputs
        for i in run.of_type("aws:apigateway/integration:Integration")
    }


def test_routes_are_the_handlers_routes() -> None:
    assert set(ROUTES) == handler_routes()


def test_every_route_requires_an_api_key_and_proxies_to_the_api_lambda(dev: ProgramRun) -> None:
    declared = methods(dev)
    proxied = integrations(dev)
    api_lambda = dev.named("aws:lambda/function:Function", "aidetector-dev-api")
    invoke_arn = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"arn:aws:lambda:us-east-1:123456789012:function:{api_lambda.inputs['name']}/invocations"
    )
    routes = {key for key in declared if key[0] != "OPTIONS"}
    assert routes == handler_routes()
    for route in routes:
        assert declared[route]["apiKeyRequired"] is True, route
        assert declared[route]["authorization"] == "NONE"
        assert proxied[route]["type"] == "AWS_PROXY"
        assert proxied[route]["integrationHttpMethod"] == "POST"
        assert proxied[route]["uri"] == invoke_arn
        assert proxied[route]["timeoutMilliseconds"] <= 29_000


def test_preflights_are_keyless_mock_answers_with_cors_headers(dev: ProgramRun) -> None:
    declared = methods(dev)
    proxied = integrations(dev)
    preflights = {path for verb, path in declared if verb == "OPTIONS"}
    assert preflights == {path for _, path in handler_routes()}
    for path in preflights:
        assert declared[("OPTIONS", path)]["apiKeyRequired"] is False
        assert proxied[("OPTIONS", path)]["type"] == "MOCK"
        assert json.loads(proxied[("OPTIONS", path)]["requestTemplates"]["application/json"]) == {"statusCode": 204}
    answers = dev.of_type("aws:apigateway/integrationResponse:IntegrationResponse")
    assert {resource_path(dev, a.inputs["resourceId"]) for a in answers} == preflights
    for answer in answers:
        assert answer.inputs["statusCode"] == "204"
        assert answer.inputs["responseParameters"] == {f"method.response.header.{h}": v for h, v in CORS.items()}


def test_gateway_errors_carry_cors_headers(dev: ProgramRun) -> None:
    responses = {r.inputs["responseType"]: r.inputs for r in dev.of_type("aws:apigateway/response:Response")}
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        assert response["responseParameters"] == {f"gatewayresponse.header.{h}": v for h, v in CORS.items()}
        assert response["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_api_lambda_environment_names_the_endpoint_and_the_shared_limits(stack: str) -> None:
    run = run_program(stack)
    function = run.named("aws:lambda/function:Function", f"aidetector-{stack}-api")
    assert function.inputs["handler"] == "handler.handler"
    assert function.inputs["environment"]["variables"] == {
        "ENDPOINT_NAME": run.outputs["endpoint_name"],
        "READ_TIMEOUT_S": "25",
        "CONNECT_TIMEOUT_S": "2",
        **lambda_environment(load_plans()),
        "CORS_ORIGIN": "*",
    }
    assert function.inputs["timeout"] <= 29


def test_reserved_concurrency_is_optional_and_comes_from_the_stack(dev: ProgramRun, prod: ProgramRun) -> None:
    """Issue 24.4: a new account's quota of 10 leaves nothing to reserve, so dev reserves nothing."""
    for function in dev.of_type("aws:lambda/function:Function"):
        assert "reservedConcurrentExecutions" not in function.inputs, function.name
    api = prod.named("aws:lambda/function:Function", "aidetector-prod-ap-southeast-2-api")
    assert api.inputs["reservedConcurrentExecutions"] == 50


def test_usage_plans_are_the_local_gateways_plans(dev: ProgramRun) -> None:
    plans = load_plans().plans
    declared = {
        p.inputs["name"].removeprefix("aidetector-dev-"): p.inputs
        for p in dev.of_type("aws:apigateway/usagePlan:UsagePlan")
    }
    assert set(declared) == set(plans) == {"free", "pro", "web"}
    for name, plan in plans.items():
        assert declared[name]["throttleSettings"] == {"rateLimit": plan.rate, "burstLimit": plan.burst}
        assert declared[name]["quotaSettings"] == {"limit": plan.quota, "period": plan.period}
        assert declared[name]["apiStages"] == [{"apiId": "aidetector-dev-api-id", "stage": "prod"}]


def test_web_key_is_on_its_own_modest_plan(dev: ProgramRun) -> None:
    """Issue 24.12: the public page's one shared key has a plan of its own, below a customer's pro plan."""
    (key,) = dev.of_type("aws:apigateway/apiKey:ApiKey")
    (binding,) = dev.of_type("aws:apigateway/usagePlanKey:UsagePlanKey")
    assert binding.inputs["keyId"] == f"{key.name}-id" and binding.inputs["keyType"] == "API_KEY"
    assert dev.by_id(binding.inputs["usagePlanId"]).inputs["name"] == "aidetector-dev-web"
    web, pro = load_plans().plans["web"], load_plans().plans["pro"]
    assert web.rate <= pro.rate and web.burst <= pro.burst


def test_stage_prod_logs_json_and_throttles(dev: ProgramRun) -> None:
    (stage,) = dev.of_type("aws:apigateway/stage:Stage")
    assert stage.inputs["stageName"] == "prod"
    logs = stage.inputs["accessLogSettings"]
    assert (
        logs["destinationArn"]
        == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/aidetector-dev-api/access"
    )
    fields = json.loads(logs["format"])
    assert {"requestId", "status", "httpMethod", "resourcePath", "apiKeyId"} <= set(fields)
    (settings,) = dev.of_type("aws:apigateway/methodSettings:MethodSettings")
    assert settings.inputs["methodPath"] == "*/*"
    assert settings.inputs["settings"]["throttlingRateLimit"] == 10
    assert settings.inputs["settings"]["throttlingBurstLimit"] == 20
    assert settings.inputs["settings"]["metricsEnabled"] is True
    # Access logs need API Gateway's CloudWatch role on the account.
    (account,) = dev.of_type("aws:apigateway/account:Account")
    assert account.inputs["cloudwatchRoleArn"] == "arn:aws:iam::123456789012:role/aidetector-dev-apigw-logs"


class _Echo(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


METHOD = {"rest_api": "api", "resource_id": "res", "http_method": "POST", "authorization": "NONE",
          "api_key_required": True}  # fmt: skip
INTEGRATION = {"rest_api": "api", "resource_id": "res", "http_method": "POST", "type": "AWS_PROXY",
               "integration_http_method": "POST", "uri": "arn:fn", "timeout_milliseconds": 29000}  # fmt: skip


def fingerprint_of(method: dict[str, Any], integration: dict[str, Any]) -> str:
    """`deployment_fingerprint` of one method and its integration, declared under Pulumi's mocks."""

    def run() -> str:
        asyncio.set_event_loop(asyncio.new_event_loop())
        pulumi.runtime.set_mocks(_Echo(), project="t", stack="t", preview=False)
        found: dict[str, str] = {}

        def program() -> pulumi.Output[Any]:
            declared = [aws.apigateway.Method("m", **method), aws.apigateway.Integration("i", **integration)]
            return deployment_fingerprint(declared).apply(lambda value: found.setdefault("value", value))

        _sync_await(run_pulumi_func(lambda: _sync_await(program().future())))
        return found["value"]

    return contextvars.Context().run(run)


@pytest.mark.parametrize(
    ("method", "integration"),
    [
        ({"api_key_required": False}, {}),
        ({"authorization": "AWS_IAM"}, {}),
        ({"request_parameters": {"method.request.header.x-api-key": True}}, {}),
        ({}, {"uri": "arn:other-fn"}),
        ({}, {"timeout_milliseconds": 10000}),
        ({}, {"request_templates": {"application/json": "{}"}}),
    ],
    ids=["key", "authorization", "request parameters", "integration uri", "integration timeout", "template"],
)
def test_the_redeploy_trigger_changes_when_any_method_or_integration_changes(method, integration) -> None:
    """Issue 24.7: the trigger hashes the resources themselves, not a summary written beside them."""
    before = fingerprint_of(METHOD, INTEGRATION)
    assert fingerprint_of(METHOD, INTEGRATION) == before, "the same resources give the same trigger"
    assert fingerprint_of({**METHOD, **method}, {**INTEGRATION, **integration}) != before


def test_the_stacks_deployment_follows_its_routes_and_nothing_else() -> None:
    def trigger(*overrides: tuple[str, str]) -> str:
        (deployment,) = run_program("dev", overrides=overrides).of_type("aws:apigateway/deployment:Deployment")
        return reveal(deployment.inputs["triggers"]["fingerprint"])

    committed = trigger()
    assert trigger(("aidetector:api", '{"timeoutS": 20, "readTimeoutS": 15}')) != committed  # every integration
    assert trigger(("aidetector:api", '{"corsOrigin": "https://a.example"}')) != committed  # preflights, responses
    assert trigger(("aidetector:alarms", '{"apiErrorRate": 0.3}')) == committed  # not frozen in a deployment


def test_without_the_account_role_a_stack_that_does_not_manage_it_stops_with_a_clear_message() -> None:
    """Issue 24.7: access logs fail in a region whose API Gateway has no CloudWatch role."""
    leave_it = (("aidetector:api", '{"manageAccountRole": false}'),)
    run = run_program("dev", overrides=leave_it)  # the region has one (set by another stack)
    assert not run.of_type("aws:apigateway/account:Account") or all(
        a.read for a in run.of_type("aws:apigateway/account:Account")
    )
    (settings,) = run.of_type("aws:apigateway/methodSettings:MethodSettings")
    assert settings.inputs["settings"]["loggingLevel"] == "ERROR"
    assert "no CloudWatch role" in program_failure("dev", overrides=leave_it, account_log_role="")


def test_waf_rate_rule_guards_the_api_stage(dev: ProgramRun) -> None:
    """Issue 24.12: a per-client-IP rate rule on the stage, before API Gateway's meter."""
    acl = dev.named("aws:wafv2/webAcl:WebAcl", "aidetector-dev-api-waf")
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    (rule,) = acl.inputs["rules"]
    assert rule["action"] == {"block": {}}
    rate = rule["statement"]["rateBasedStatement"]
    assert (rate["aggregateKeyType"], rate["limit"], rate["evaluationWindowSec"]) == ("IP", 6000, 300)
    (association,) = dev.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["webAclArn"].endswith(f"/webacl/{acl.inputs['name']}/{acl.name}-id")
    assert (
        association.inputs["resourceArn"] == "arn:aws:apigateway:us-east-1::/restapis/aidetector-dev-api-id/stages/prod"
    )


def test_only_this_apis_stage_may_invoke_the_lambda(dev: ProgramRun) -> None:
    permission = dev.named("aws:lambda/permission:Permission", "aidetector-dev-api-invoke")
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["function"] == "aidetector-dev-api"
    assert permission.inputs["sourceArn"] == "arn:aws:execute-api:us-east-1:123456789012:aidetector-dev-api-id/prod/*"


def test_api_lambda_package_is_the_handler_and_the_api_package(dev: ProgramRun) -> None:
    code = dev.named("aws:lambda/function:Function", "aidetector-dev-api").inputs["code"]
    api_folder = REPO_ROOT / "aidetector" / "api"
    assert {name: Path(asset.path) for name, asset in code.assets.items()} == {
        "handler.py": REPO_ROOT / "lambda" / "handler.py",
        "aidetector/__init__.py": REPO_ROOT / "aidetector" / "__init__.py",
        **{f"aidetector/api/{p.name}": p for p in api_folder.glob("*.py")},
    }
