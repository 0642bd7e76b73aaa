"""The bootstrap's IAM documents (infra_pulumi/bootstrap/, created once by an administrator) against the program:
the permissions boundary leaves every role the program creates what it grants, the deploy roles may write roles only
inside that boundary, the preview role reads only what a preview reads; and parliament, AWS's own IAM model as a
linter, finds nothing wrong in any IAM document of a mocked run or of the bootstrap."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aidetector_infra.settings import PERMISSIONS_BOUNDARY

from tests.infra_pulumi.program import ACCOUNT, INFRA_DIR, REPO_ROOT, allows, reveal, run_program, statements_of

BOOTSTRAP = INFRA_DIR / "bootstrap"
LINT_PYTHON = REPO_ROOT / ".venv-lint" / "bin" / "python"
POLICY_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")


def bootstrap(name: str) -> dict[str, Any]:
    text = (BOOTSTRAP / name).read_text(encoding="utf-8").replace("ACCOUNT_ID", ACCOUNT).replace("KEY_ID", "k-1")
    return json.loads(text)


def program_documents(stack: str) -> dict[str, dict[str, Any]]:
    """Every IAM document a mocked run of `stack` writes: inline policies and trust policies."""
    run = run_program(stack)
    documents = {}
    for policy_type in POLICY_TYPES:
        for resource in run.of_type(policy_type):
            documents[resource.name] = json.loads(reveal(resource.get("policy")))
    for role in run.of_type("aws:iam/role:Role"):
        documents[f"{role.name} (trust)"] = json.loads(reveal(role.get("assumeRolePolicy")))
    return documents


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_the_boundary_leaves_every_role_what_the_program_grants_it(stack: str) -> None:
    """Issue 24.9: a boundary that cut what a role needs would fail in production, not here."""
    boundary = bootstrap("permissions-boundary.json")["Statement"]
    checked = 0
    for name, document in program_documents(stack).items():
        if name.endswith("(trust)"):
            continue
        for statement in statements_of(document):
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    assert allows(boundary, action, resource), f"{name}: the boundary denies {action} on {resource}"
                    checked += 1
    assert checked > 60


def test_the_deploy_roles_write_roles_only_inside_the_boundary_and_never_loosen_it() -> None:
    statements = bootstrap("deploy-iam.json")["Statement"]
    boundary_arn = f"arn:aws:iam::{ACCOUNT}:policy/{PERMISSIONS_BOUNDARY}"
    writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}
    for statement in statements:
        granted = set(as_list(statement["Action"]))
        if statement["Effect"] == "Allow" and granted & writes:
            assert statement["Condition"] == {"ArnEquals": {"iam:PermissionsBoundary": boundary_arn}}
            assert granted & writes == writes
    denied = {a for s in statements if s["Effect"] == "Deny" for a in as_list(s["Action"])}
    assert {"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"} <= denied
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    assert not allows(allowed, "iam:CreateRole", "arn:aws:iam::123456789012:role/github-aidetector-deploy-dev")


def test_the_preview_role_reads_the_state_and_what_the_program_reads_nothing_more() -> None:
    """Issue 24.10: no ReadOnlyAccess (every object of every bucket): the state, its key, two parameters."""
    statements = bootstrap("preview-policy.json")["Statement"]
    ssm = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/aidetector/dev"
    assert allows(statements, "ssm:GetParameter", f"{ssm}/model-version")  # the program's first model version
    assert allows(statements, "ssm:GetParameter", f"{ssm}/image-tags/serve")  # the workflow's image tag
    assert allows(statements, "apigateway:GET", "arn:aws:apigateway:us-east-1::/account")  # Account.get
    assert not allows(statements, "ssm:GetParameter", f"{ssm}/web-api-key")
    assert not allows(statements, "s3:GetObject", "arn:aws:s3:::aidetector-dev-data-0a1b2c3/data/train.jsonl")
    assert {a.split(":")[0] for s in statements for a in as_list(s["Action"])} == {"s3", "kms", "ssm", "apigateway"}


def parliament(documents: dict[str, dict[str, Any]]) -> list[list[str]]:
    if not LINT_PYTHON.exists():
        pytest.fail("the linters' virtualenv is missing: `make lint-tools` creates .venv-lint")
    result = subprocess.run(
        [str(LINT_PYTHON), str(Path(__file__).with_name("parliament_check.py"))],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_parliament_really_checks() -> None:
    """A linter that silently accepted anything would pass every document: a typo'd action must be reported."""
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}
    assert [issue for _, issue, _ in parliament({"bad": bad})] == ["UNKNOWN_ACTION"]


# Findings accepted on purpose. The boundary's ECS Express Mode statement must cover the AWS-managed
# AmazonECSInfrastructureRoleforExpressGatewayServices (load balancers, security groups, certificates, scaling,
# alarms it creates under names of its own), so it cannot name resources.
ACCEPTED = {("permissions-boundary.json", "RESOURCE_STAR")}


def permission_policies(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Parliament reads identity policies only: trust policies are checked by test_security and the tests above."""
    return {name: document for name, document in documents.items() if "trust" not in name}


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_parliament_finds_nothing_in_the_programs_iam_documents(stack: str) -> None:
    assert parliament(permission_policies(program_documents(stack))) == []


def test_parliament_finds_nothing_in_the_bootstrap_documents() -> None:
    documents = {path.name: bootstrap(path.name) for path in sorted(BOOTSTRAP.glob("*.json"))}
    findings = parliament(permission_policies(documents))
    assert [f for f in findings if (f[0], f[1]) not in ACCEPTED] == []
