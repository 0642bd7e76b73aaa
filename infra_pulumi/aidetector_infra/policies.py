"""IAM building blocks: explicit actions only, resources scoped to this stack's ARNs.

Why helpers: every role in the stack is built the same way (trust one service, one inline policy), and the rules
of the project (no `*` or `service:*` actions, no admin or FullAccess managed policies) are enforced here while the
program runs, before AWS sees a document - not only by a test after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

Statement = dict[str, Any]
_FORBIDDEN_MANAGED = ("AdministratorAccess", "FullAccess", "PowerUserAccess")


@dataclass(frozen=True)
class AwsContext:
    """Partition, region and account of the deployment: what scoped ARNs are written with."""

    partition: pulumi.Output[str]
    region: str
    account_id: pulumi.Output[str]

    @classmethod
    def current(cls, region: str) -> AwsContext:
        return cls(
            partition=aws.get_partition_output().partition,
            region=region,
            account_id=aws.get_caller_identity_output().account_id,
        )

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


def trust_policy(service: str, source_account: pulumi.Input[str] | None = None) -> pulumi.Output[str]:
    """Only `service` may assume the role (and, with `source_account`, only on behalf of this account)."""
    trust: Statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if source_account is not None:
        trust["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
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
    statements: Sequence[Statement],
    parent: pulumi.Resource,
    description: str,
    managed_policies: Sequence[str] = (),
    context: AwsContext | None = None,
    source_account: pulumi.Input[str] | None = None,
) -> ServiceRole:
    """A role that `service` assumes, with one inline least-privilege policy (and any AWS service-role policies).

    `managed_policies` are AWS-managed policy paths such as `service-role/<name>` (their ARN needs `context`).
    """
    for path in managed_policies:
        if any(word in path for word in _FORBIDDEN_MANAGED):
            raise ValueError(f"managed policy {path} grants far more than any role here needs")
    if managed_policies and context is None:
        raise ValueError("managed policies need the AWS context (partition) for their ARN")
    opts = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        name,
        assume_role_policy=trust_policy(service, source_account),
        description=description,
        opts=opts,
    )
    policy = (
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_document(statements), opts=opts)
        if statements
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
        if context is not None
    )
    return ServiceRole(role=role, policy=policy, attachments=attachments)
