"""The web UI service: its image, the public API URL, its API key from SSM, sizes and scaling from the stack."""

from __future__ import annotations

import json

from tests.infra_pulumi.program import RELEASED_TAG, ProgramRun, reveal, run_program, statements_of

SERVICE = "aws:ecs/expressGatewayService:ExpressGatewayService"


def test_web_service_gets_the_api_url_and_its_key_secret(dev: ProgramRun) -> None:
    (service,) = dev.of_type(SERVICE)
    container = service.inputs["primaryContainer"]
    environment = {item["name"]: item["value"] for item in container["environments"]}
    assert environment["AIDETECTOR_WEB_API_URL"] == dev.outputs["api_url"]
    assert dev.outputs["api_url"].endswith(".execute-api.us-east-1.amazonaws.com/prod")
    (secret,) = container["secrets"]
    assert secret["name"] == "AIDETECTOR_WEB_API_KEY"
    parameter = dev.named("aws:ssm/parameter:Parameter", "aidetector-dev-web-api-key")
    assert parameter.inputs["name"] == "/aidetector/dev/web-api-key"
    assert secret["valueFrom"] == "arn:aws:ssm:us-east-1:123456789012:parameter/aidetector/dev/web-api-key"
    (key,) = dev.of_type("aws:apigateway/apiKey:ApiKey")
    assert reveal(parameter.inputs["value"]) == f"{key.name}-value"  # the API key's own value
    assert "AIDETECTOR_WEB_API_KEY" not in environment  # never in plain environment variables


def test_web_service_runs_the_tagged_web_image_on_streamlits_port(dev: ProgramRun) -> None:
    (service,) = dev.of_type(SERVICE)
    container = service.inputs["primaryContainer"]
    assert container["image"] == dev.outputs["repository_urls"]["web"] + f":{RELEASED_TAG}"
    assert container["containerPort"] == 8501
    assert service.inputs["healthCheckPath"] == "/_stcore/health"
    assert dev.outputs["web_url"] == "https://aidetector-dev-web.ecs.us-east-1.on.aws"


def test_web_sizes_and_scaling_come_from_the_stack(dev: ProgramRun, prod: ProgramRun) -> None:
    (small,) = dev.of_type(SERVICE)
    (large,) = prod.of_type(SERVICE)
    assert (small.inputs["cpu"], small.inputs["memory"]) == ("512", "1024")
    assert (large.inputs["cpu"], large.inputs["memory"]) == ("1024", "2048")
    (scaling,) = large.inputs["scalingTargets"]
    assert (scaling["minTaskCount"], scaling["maxTaskCount"]) == (1, 3)


def test_execution_role_reads_only_its_own_image_logs_and_key(dev: ProgramRun) -> None:
    (service,) = dev.of_type(SERVICE)
    assert service.inputs["executionRoleArn"] == "arn:aws:iam::123456789012:role/aidetector-dev-web-execution"
    assert service.inputs["infrastructureRoleArn"] == "arn:aws:iam::123456789012:role/aidetector-dev-web-infrastructure"
    policy = dev.named("aws:iam/rolePolicy:RolePolicy", "aidetector-dev-web-execution-policy")
    scoped = {tuple(s["Action"]): s["Resource"] for s in statements_of(policy.get("policy"))}
    assert scoped[("ssm:GetParameters",)] == ["arn:aws:ssm:us-east-1:123456789012:parameter/aidetector/dev/web-api-key"]
    pull = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    assert scoped[pull] == ["arn:aws:ecr:us-east-1:123456789012:repository/aidetector-dev/web"]


def test_the_service_waits_for_steady_state_and_runs_where_the_stack_says(dev: ProgramRun) -> None:
    """Issue 24.4/24.7: `pulumi up` returns once the tasks are healthy; without subnets the default VPC is used."""
    (service,) = dev.of_type(SERVICE)
    assert service.inputs["waitForSteadyState"] is True
    assert "networkConfigurations" not in service.inputs
    network = {"subnets": ["subnet-0a", "subnet-0b"], "securityGroups": ["sg-0c"]}
    run = run_program("dev", overrides=(("aidetector:web", json.dumps({"cpu": 512, "memory": 1024, **network})),))
    (placed,) = run.of_type(SERVICE)
    assert placed.inputs["networkConfigurations"] == [network]


def test_the_web_waf_acl_limits_each_client_address(dev: ProgramRun) -> None:
    """Issue 24.12: the ACL the release associates with the page's load balancer (exported for it)."""
    acl = dev.named("aws:wafv2/webAcl:WebAcl", "aidetector-dev-web-waf")
    (rule,) = acl.inputs["rules"]
    assert rule["action"] == {"block": {}}
    assert rule["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"
    assert rule["statement"]["rateBasedStatement"]["limit"] == 3000
    assert dev.outputs["web_waf_acl_arn"].endswith(f"/webacl/aidetector-dev-web-waf/{acl.name}-id")
