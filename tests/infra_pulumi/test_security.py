"""Security facts of the stack: least-privilege IAM, a private encrypted versioned TLS-only bucket, immutable images."""

from __future__ import annotations

import json

import pytest
from aidetector_infra.settings import DEPLOYED_TAG_PREFIX

from tests.infra_pulumi.program import ProgramRun, Secret, allows, reveal, run_program, statements_of

# Actions that have no resource-level permission in IAM: the only ones allowed to name Resource "*".
UNSCOPABLE_ACTIONS = {"ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "logs:DescribeLogGroups"}
POLICY_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")


def allow_statements(run: ProgramRun) -> list[tuple[str, dict]]:
    """(resource name, statement) of every Allow in every IAM policy document the program writes."""
    found = []
    for policy_type in POLICY_TYPES:
        for resource in run.of_type(policy_type):
            found += [(resource.name, s) for s in statements_of(resource.get("policy")) if s["Effect"] == "Allow"]
    for role in run.of_type("aws:iam/role:Role"):
        for inline in role.inputs.get("inlinePolicies") or []:
            found += [(role.name, s) for s in statements_of(inline["policy"]) if s["Effect"] == "Allow"]
    return found


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def role_policy(run: ProgramRun, role_name: str) -> list[dict]:
    return list(statements_of(run.named("aws:iam/rolePolicy:RolePolicy", f"{role_name}-policy").get("policy")))


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_no_iam_policy_allows_wildcard_actions(stack: str) -> None:
    statements = allow_statements(run_program(stack))
    assert len(statements) > 20  # every role's policy was found
    for name, statement in statements:
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{name} allows {action}"
        assert "NotAction" not in statement, name


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_resource_star_only_where_aws_has_no_resource_level_permission(stack: str) -> None:
    for name, statement in allow_statements(run_program(stack)):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= UNSCOPABLE_ACTIONS, f"{name}: {statement}"


def test_no_admin_or_full_access_managed_policy(dev: ProgramRun) -> None:
    attachments = dev.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    arns = [attachment.get("policyArn") for attachment in attachments]
    assert arns == ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"]
    for role in dev.of_type("aws:iam/role:Role"):
        assert not role.inputs.get("managedPolicyArns"), role.name


def test_each_role_is_assumed_by_one_service_for_this_account_only(dev: ProgramRun) -> None:
    """Issue 24.11: every service-role trust names the account (`aws:SourceAccount`) against the confused deputy."""
    principals = {}
    for role in dev.of_type("aws:iam/role:Role"):
        (trust,) = statements_of(role.get("assumeRolePolicy"))
        assert trust["Action"] == "sts:AssumeRole"
        principals[role.name] = trust["Principal"]["Service"]
        ((operator, condition),) = trust["Condition"].items()
        assert condition == {"aws:SourceAccount": "123456789012"}, role.name
        assert operator in ("StringEquals", "StringEqualsIfExists"), role.name
    assert principals == {
        "aidetector-dev-endpoint": "sagemaker.amazonaws.com",
        "aidetector-dev-batch": "sagemaker.amazonaws.com",
        "aidetector-dev-pipeline": "sagemaker.amazonaws.com",
        "aidetector-dev-api-role": "lambda.amazonaws.com",
        "aidetector-dev-apigw-logs": "apigateway.amazonaws.com",
        "aidetector-dev-web-execution": "ecs-tasks.amazonaws.com",
        "aidetector-dev-web-infrastructure": "ecs.amazonaws.com",
        "aidetector-dev-alarm-relay-role": "lambda.amazonaws.com",
        "aidetector-dev-jobs-role": "lambda.amazonaws.com",
        "aidetector-dev-scheduler": "scheduler.amazonaws.com",
    }


def test_api_lambda_may_invoke_only_this_endpoint_and_write_its_logs(dev: ProgramRun) -> None:
    statements = role_policy(dev, "aidetector-dev-api-role")
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/aidetector-dev-api:*"],
        },
        {
            "Effect": "Allow",
            "Action": ["sagemaker:InvokeEndpoint"],
            "Resource": ["arn:aws:sagemaker:us-east-1:123456789012:endpoint/aidetector-dev"],
        },
    ]


@pytest.mark.parametrize("stack", ["dev", "prod-ap-southeast-2"])
def test_every_role_the_program_creates_carries_the_permissions_boundary(stack: str) -> None:
    """Issue 24.9: the deploy roles may create roles only with this boundary (`iam:PermissionsBoundary`)."""
    roles = run_program(stack).of_type("aws:iam/role:Role")
    assert len(roles) >= 9
    for role in roles:
        assert role.inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/aidetector-boundary", role.name


def test_the_endpoint_role_reads_its_model_pulls_its_image_and_writes_logs_and_metrics_only(dev: ProgramRun) -> None:
    """Issue 24.8: the container that parses untrusted text gets nothing the pipeline needs."""
    statements = role_policy(dev, "aidetector-dev-endpoint")
    bucket = "arn:aws:s3:::" + dev.outputs["bucket_name"]
    granted = {action for statement in statements for action in statement["Action"]}
    assert granted == {
        "s3:GetObject",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetAuthorizationToken",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "cloudwatch:PutMetricData",
    }
    by_action = {action: statement["Resource"] for statement in statements for action in statement["Action"]}
    assert by_action["s3:GetObject"] == [f"{bucket}/models/*"]
    assert by_action["ecr:BatchGetImage"] == ["arn:aws:ecr:us-east-1:123456789012:repository/aidetector-dev/serve"]
    assert by_action["logs:PutLogEvents"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/aidetector-dev*"
    ]
    (model,) = dev.of_type("aws:sagemaker/model:Model")
    assert model.inputs["executionRoleArn"] == dev.outputs["endpoint_role_arn"]


def test_the_pipeline_role_does_what_its_steps_do(dev: ProgramRun) -> None:
    """The pipeline's jobs, promotion (registry, Slack) and deploy step, scoped to this stack."""
    statements = role_policy(dev, "aidetector-dev-pipeline")
    bucket = "arn:aws:s3:::" + dev.outputs["bucket_name"]
    sagemaker = "arn:aws:sagemaker:us-east-1:123456789012"
    ssm = "arn:aws:ssm:us-east-1:123456789012:parameter/aidetector/dev"
    for action, resource in [
        ("s3:GetObject", f"{bucket}/data/train.jsonl"),
        ("s3:PutObject", f"{bucket}/models/20270101T000000Z/model.tar.gz"),
        ("sagemaker:CreateTrainingJob", f"{sagemaker}:training-job/pipelines-abc"),
        ("sagemaker:CreateModel", f"{sagemaker}:model/aidetector-dev-20270101t000000z-1a2b3c"),
        ("sagemaker:UpdateEndpoint", f"{sagemaker}:endpoint/aidetector-dev"),
        ("ssm:PutParameter", f"{ssm}/model-version"),
        ("ssm:GetParameter", f"{ssm}/endpoint-variant"),
        # Issue 24.7: the promotion's Slack message reads the webhook (a SecureString under aws/ssm).
        ("ssm:GetParameter", f"{ssm}/slack-webhook-url"),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/1234abcd"),
        ("iam:PassRole", dev.outputs["pipeline_role_arn"]),
        ("iam:PassRole", dev.outputs["endpoint_role_arn"]),
    ]:
        assert allows(statements, action, resource), (action, resource)
    for action, resource in [
        ("s3:PutObject", f"{bucket}/data/train.jsonl"),
        ("sagemaker:UpdateEndpoint", f"{sagemaker}:endpoint/someone-else"),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/aidetector-dev-jobs-role"),
        ("ssm:PutParameter", f"{ssm}/web-api-key"),
    ]:
        assert not allows(statements, action, resource), (action, resource)
    passes = [s for s in statements if "iam:PassRole" in s["Action"]]
    assert all(s["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}} for s in passes)


def test_scheduler_may_only_invoke_the_jobs_lambda(dev: ProgramRun) -> None:
    jobs_arn = "arn:aws:lambda:us-east-1:123456789012:function:aidetector-dev-jobs"
    statements = role_policy(dev, "aidetector-dev-scheduler")
    assert statements == [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [jobs_arn]}]
    (trust,) = statements_of(dev.named("aws:iam/role:Role", "aidetector-dev-scheduler").get("assumeRolePolicy"))
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_bucket_is_private_encrypted_versioned_and_tls_only(dev: ProgramRun) -> None:
    bucket_id = "aidetector-dev-data-id"
    (block,) = dev.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs["bucket"] == bucket_id
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[flag] is True, flag

    (encryption,) = dev.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert encryption.inputs["bucket"] == bucket_id
    (rule,) = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in ("AES256", "aws:kms")

    (versioning,) = dev.of_type("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["bucket"] == bucket_id
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"

    (ownership,) = dev.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"

    (policy,) = dev.of_type("aws:s3/bucketPolicy:BucketPolicy")
    assert policy.inputs["bucket"] == bucket_id
    (deny,) = statements_of(policy.get("policy"))
    bucket_arn = "arn:aws:s3:::" + dev.outputs["bucket_name"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Resource"] == [bucket_arn, bucket_arn + "/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_only_dev_storage_may_be_destroyed_with_its_contents(dev: ProgramRun, prod: ProgramRun) -> None:
    assert dev.named("aws:s3/bucket:Bucket", "aidetector-dev-data").inputs["forceDestroy"] is True
    assert prod.named("aws:s3/bucket:Bucket", "aidetector-prod-ap-southeast-2-data").inputs["forceDestroy"] is False
    for repository in prod.of_type("aws:ecr/repository:Repository"):
        assert repository.inputs["forceDelete"] is False


def test_repositories_are_immutable_scanned_and_pruned(prod: ProgramRun) -> None:
    repositories = prod.of_type("aws:ecr/repository:Repository")
    assert sorted(r.inputs["name"] for r in repositories) == [
        "aidetector-prod-ap-southeast-2/serve",
        "aidetector-prod-ap-southeast-2/train",
        "aidetector-prod-ap-southeast-2/web",
    ]
    for repository in repositories:
        assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    policies = {
        p.inputs["repository"]: json.loads(p.inputs["policy"])
        for p in prod.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    }
    assert set(policies) == {r.inputs["name"] for r in repositories}
    for policy in policies.values():
        # Issue 24.3: images a release deployed (`deployed-<sha>`) are selected first, by a rule that never
        # reaches its count, so the count rule (ECR applies a lower priority only to images no higher rule
        # selected) can never expire the image an endpoint or service still runs.
        protect, rest = sorted(policy["rules"], key=lambda rule: rule["rulePriority"])
        assert protect["selection"]["tagStatus"] == "tagged"
        assert protect["selection"]["tagPatternList"] == [f"{DEPLOYED_TAG_PREFIX}*"]
        assert protect["selection"]["countNumber"] >= 10_000
        assert rest["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}
        assert rest["action"] == {"type": "expire"}


def test_secrets_stay_secret(dev: ProgramRun) -> None:
    """The web key and the Slack webhook are SecureStrings whose values Pulumi keeps encrypted in the state."""
    for name in ("aidetector-dev-web-api-key", "aidetector-dev-slack-webhook-url"):
        parameter = dev.named("aws:ssm/parameter:Parameter", name)
        assert parameter.inputs["type"] == "SecureString"
        assert isinstance(parameter.inputs["value"], Secret)
        assert reveal(parameter.inputs["value"])
