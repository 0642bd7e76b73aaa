"""The public API: routes, keys, CORS preflights, the Lambda's settings, usage plans, stage, redeploys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aidetector_infra.public_api import deployment_fingerprint
from aidetector_infra.settings import ROUTES, ApiSettings

from aidetector.api import routes as api_routes
from aidetector.plans import lambda_environment, load_plans
from tests.infra_pulumi.program import REPO_ROOT, ProgramRun, run_program

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


def test_reserved_concurrency_comes_from_the_stack(dev: ProgramRun, prod: ProgramRun) -> None:
    assert dev.named("aws:lambda/function:Function", "aidetector-dev-api").inputs["reservedConcurrentExecutions"] == 5
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


def test_web_key_is_on_the_pro_plan(dev: ProgramRun) -> None:
    (key,) = dev.of_type("aws:apigateway/apiKey:ApiKey")
    (binding,) = dev.of_type("aws:apigateway/usagePlanKey:UsagePlanKey")
    assert binding.inputs["keyId"] == f"{key.name}-id" and binding.inputs["keyType"] == "API_KEY"
    assert dev.by_id(binding.inputs["usagePlanId"]).inputs["name"] == "aidetector-dev-pro"


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


def test_deployment_is_redeployed_when_routes_change(dev: ProgramRun) -> None:
    (deployment,) = dev.of_type("aws:apigateway/deployment:Deployment")
    settings = ApiSettings(reserved_concurrency=5, stage_rate_limit=10, stage_burst_limit=20)
    assert deployment.inputs["triggers"] == {"fingerprint": deployment_fingerprint(ROUTES, settings)}
    changed = deployment_fingerprint((*ROUTES, ("GET", "/v1/models")), settings)
    assert changed != deployment.inputs["triggers"]["fingerprint"]
    assert deployment_fingerprint(ROUTES, ApiSettings(cors_origin="https://a.example")) != deployment_fingerprint(
        ROUTES, ApiSettings()
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
