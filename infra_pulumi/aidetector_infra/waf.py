"""AWS WAF in front of the public entry points: a per-client-IP rate rule on the API stage and on the web UI's ALB.

Why WAF as well as usage plans: a plan limits one key, and API Gateway answers (and bills) every request, keyless or
not; the web UI has no key at all between a browser and its load balancer. A rate-based rule blocks one address that
sends more than its limit within the window, before the request reaches API Gateway's meter or a Fargate task.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

RATE_RULE = "rate-per-client-ip"
ALLOW: Any = {"allow": {}}  # the default action: what no rule blocks passes


def visibility(name: str) -> Any:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": name.replace("-", "")[:128],
        "sampled_requests_enabled": True,
    }


def rate_rule(limit: int, window_s: int, acl_name: str) -> Any:
    """Block a client address that sends more than `limit` requests in `window_s` seconds."""
    return {
        "name": RATE_RULE,
        "priority": 0,
        "action": {"block": {}},
        "statement": {
            "rate_based_statement": {"limit": limit, "aggregate_key_type": "IP", "evaluation_window_sec": window_s}
        },
        "visibility_config": visibility(f"{acl_name}-rate"),
    }


def rate_limited_acl(
    name: str, limit: int, window_s: int, resource_arn: pulumi.Input[str], parent: pulumi.Resource, description: str
) -> aws.wafv2.WebAcl:
    """A regional web ACL that allows everything except addresses over `limit` requests per `window_s`, and its
    association with `resource_arn` (an API Gateway stage)."""
    acl = aws.wafv2.WebAcl(
        name,
        name=name,
        description=description,
        scope="REGIONAL",
        default_action=ALLOW,
        rules=[rate_rule(limit, window_s, name)],
        visibility_config=visibility(name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.wafv2.WebAclAssociation(
        f"{name}-association",
        resource_arn=resource_arn,
        web_acl_arn=acl.arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return acl
