"""`aidetector models ...`: the model registry (list, add, promote, rollback, deploy)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from aidetector.cli.output import EXIT_REFUSED, fail


def registry_from_args(args: argparse.Namespace) -> Any:
    from aidetector.registry.registry import Registry
    from aidetector.registry.settings import RegistrySettings

    overrides = {"uri": args.registry} if getattr(args, "registry", None) else {}
    return Registry.from_settings(RegistrySettings(**overrides))


def cmd_models(args: argparse.Namespace) -> int:
    from aidetector.model.artifact import ArtifactError
    from aidetector.registry.stores import PromotionConflict, RegistryError

    registry = registry_from_args(args)
    try:
        if args.models_command == "list":
            for info in registry.versions():
                ev = info.evaluation
                figures = f"AUROC {ev.auroc:.4f}  FPR {ev.fpr_at_threshold:.4f}  n={ev.n}" if ev else "not evaluated"
                print(f"{'*' if info.is_latest else ' '} {info.version}  {figures}  base={info.base_model}")
            return 0
        if args.models_command == "add":
            version = registry.add(Path(args.artifact))
            print(version)
            return 0
        if args.models_command == "promote":
            result = registry.promote(args.version, force=args.force)
            print(json.dumps({"version": result.version, "promoted": result.promoted, "previous": result.previous,
                              "gate": result.decision.reasons}, indent=2))  # fmt: skip
            return 0 if result.promoted else EXIT_REFUSED
        if args.models_command == "rollback":
            before, after = registry.rollback()
            print(json.dumps({"from": before, "to": after}))
            return 0
        if args.models_command == "deploy":
            return _deploy(args, registry)
    except PromotionConflict as exc:
        return fail(str(exc), EXIT_REFUSED)
    except (RegistryError, ArtifactError, FileNotFoundError) as exc:
        return fail(str(exc))
    return fail(f"unknown models command {args.models_command}")


def _deploy(args: argparse.Namespace, registry: Any) -> int:
    import boto3

    from aidetector.pipeline.deploy import DeployError, deploy_version

    version = args.version or registry.latest()
    if version is None:
        return fail(f"{registry.uri} has no latest version")
    registry.meta(version)  # refuses an unknown version before touching the endpoint
    if not registry.uri.startswith("s3://"):
        return fail("deploy needs an S3 registry (--registry s3://bucket/models)")
    variants = None
    if args.variant_parameter:  # the stack's sizing: /aidetector/<stack>/endpoint-variant
        value = boto3.client("ssm").get_parameter(Name=args.variant_parameter)["Parameter"]["Value"]
        spec = json.loads(value)
        variants = spec if isinstance(spec, list) else [spec]
    try:
        result = deploy_version(
            boto3.client("sagemaker"),
            args.endpoint,
            version,
            f"{registry.uri}/{version}/model.tar.gz",
            args.image,
            args.role_arn,
            variants=variants,
            wait=not args.no_wait,
        )
    except DeployError as exc:
        return fail(str(exc))
    if args.version_parameter and not args.no_wait:  # what is live, for the batch job, the release and people
        boto3.client("ssm").put_parameter(Name=args.version_parameter, Value=version, Type="String", Overwrite=True)
    print(json.dumps({"endpoint": args.endpoint, "version": version, "endpoint_config": result.endpoint_config,
                      "changed": result.changed}))  # fmt: skip
    return 0


def add_parsers(sub: Any) -> None:
    registry_help = "a folder or s3://bucket/prefix (default: $AIDETECTOR_REGISTRY_URI, else $AIDETECTOR_HOME/models)"

    p = sub.add_parser("models", help="the model registry: list, add, promote, rollback, deploy")
    p.add_argument("--registry", help=registry_help)
    models = p.add_subparsers(dest="models_command", required=True)
    models.add_parser("list", help="versions, their evaluation, * = latest")
    m = models.add_parser("add", help="register an artifact folder under its manifest version")
    m.add_argument("artifact")
    m = models.add_parser("promote", help="make VERSION latest if the gate accepts it")
    m.add_argument("version")
    m.add_argument("--force", action="store_true", help="skip the gate (recorded in the decision)")
    models.add_parser("rollback", help="point latest back at the version before it")
    m = models.add_parser("deploy", help="switch a SageMaker endpoint to a registry version (no downtime)")
    m.add_argument("--endpoint", required=True)
    m.add_argument("--image", required=True, help="serving image URI")
    m.add_argument("--role-arn", required=True, help="the endpoint's execution role (stack output endpoint_role_arn)")
    m.add_argument("--version", help="default: latest")
    m.add_argument("--no-wait", action="store_true")
    m.add_argument("--version-parameter", help="SSM parameter to record the deployed version in (after it is live)")
    m.add_argument(
        "--variant-parameter",
        help="SSM parameter holding the endpoint's ProductionVariant sizing (default: copy the live config's)",
    )
    p.set_defaults(func=cmd_models)
