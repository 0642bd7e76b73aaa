"""IAM building blocks: explicit actions only, resources scoped to this stack's ARNs, a boundary on every role.

Why helpers: every role in the stack is built the same way (trust one service on behalf of this account only, one
inline policy, the account's permissions boundary), and the rules of the project (no `*` or `service:*` actions, no
admin or FullAccess managed policies, no role without the boundary) are enforced here while the program runs, before
AWS sees a document - not only by a test after the fact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

Statement = dict[str, Any]
_FORBIDDEN_MANAGED = ("AdministratorAccess", "FullAccess", "PowerUserAccess")
# Services whose documentation shows `aws:SourceAccount` in the trust policy of the roles they assume: the condition
# is strict there. Elsewhere it is `StringEqualsIfExists`: a request that carries another account still fails (the
# confused deputy), and a service that sends no source account at all still gets its role.
STRICT_SOURCE_ACCOUNT = frozenset({"scheduler.amazonaws.com"})


@dataclass(frozen=True)
class AwsContext:
    """Partition, region and account of the deployment: what scoped ARNs are written with."""

    partition: pulumi.Output[str]
    region: str
    account_id: pulumi.Output[str]
    boundary_name: str = "aidetector-boundary"  # the permissions boundary's policy name (settings.PERMISSIONS_BOUNDARY)

    @classmethod
    def current(cls, region: str, boundary_name: str) -> AwsContext:
        return cls(
            partition=aws.get_partition_output().partition,
            region=region,
            account_id=aws.get_caller_identity_output().account_id,
            boundary_name=boundary_name,
        )

    @property
    def boundary_arn(self) -> pulumi.Output[str]:
        """`arn:<partition>:iam::<account>:policy/<boundary>`: what every role of the stack is created with."""
        return pulumi.Output.concat("arn:", self.partition, ":iam::", self.account_id, ":policy/", self.boundary_name)

    def arn(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        """`arn:<partition>:<service>:<region>:<account>:<resource>` of a regional resource in this account."""
        return pulumi.Output.concat(
            "arn:", self.partition, ":", service, ":", self.region, ":", self.account_id, ":", resource
        )


def statement(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Any] | None = None,
) -> Statement:
    """One Allow statement; wildcard actions are refused here."""
    wildcards = [action for action in actions if "*" in action]
    if wildcards or not actions:
        raise ValueError(f"IAM actions must be explicit, got {list(actions)}")
    if not resources:
        raise ValueError(f"IAM statement for {list(actions)} names no resource")
    result: Statement = {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
    if condition:
        result["Condition"] = dict(condition)
    return result


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust_policy(service: str, source_account: pulumi.Input[str]) -> pulumi.Output[str]:
    """Only `service` may assume the role, and only on behalf of this account (`aws:SourceAccount`)."""
    operator = "StringEquals" if service in STRICT_SOURCE_ACCOUNT else "StringEqualsIfExists"
    trust: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {operator: {"aws:SourceAccount": source_account}},
    }
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [trust]})


@dataclass(frozen=True)
class ServiceRole:
    role: aws.iam.Role
    policy: aws.iam.RolePolicy | None
    attachments: tuple[aws.iam.RolePolicyAttachment, ...]

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.role.arn

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What a resource using this role must wait for (its permissions, not only the role)."""
        return [self.role, *([self.policy] if self.policy else []), *self.attachments]


def service_role(
    name: str,
    service: str,
    statements: Sequence[Statement] | Callable[[pulumi.Output[str]], Sequence[Statement]],
    parent: pulumi.Resource,
    description: str,
    context: AwsContext,
    managed_policies: Sequence[str] = (),
) -> ServiceRole:
    """A role that `service` assumes for this account, with one inline least-privilege policy (and any AWS
    service-role policies), inside the account's permissions boundary.

    `statements` may be a function of the role's own ARN (for `iam:PassRole` on itself). `managed_policies` are
    AWS-managed policy paths such as `service-role/<name>`.
    """
    for path in managed_policies:
        if any(word in path for word in _FORBIDDEN_MANAGED):
            raise ValueError(f"managed policy {path} grants far more than any role here needs")
    opts = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        name,
        assume_role_policy=trust_policy(service, context.account_id),
        description=description,
        permissions_boundary=context.boundary_arn,
        opts=opts,
    )
    written = statements(role.arn) if callable(statements) else statements
    policy = (
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_document(written), opts=opts)
        if written
        else None
    )
    attachments = tuple(
        aws.iam.RolePolicyAttachment(
            f"{name}-{path.rsplit('/', 1)[-1]}",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", context.partition, ":iam::aws:policy/", path),
            opts=opts,
        )
        for path in managed_policies
    )
    return ServiceRole(role=role, policy=policy, attachments=attachments)
