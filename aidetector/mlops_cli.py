"""`aidetector models ...` and `aidetector pipeline ...`: thin commands over the registry and the pipeline."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from aidetector.cli import _fail
from aidetector.settings import AppSettings

EXIT_REFUSED = 3  # the gate refused a promotion, or another promotion won: a decision, not a crash


def _registry(args: argparse.Namespace) -> Any:
    from aidetector.registry.registry import Registry
    from aidetector.registry.settings import RegistrySettings

    overrides = {"uri": args.registry} if getattr(args, "registry", None) else {}
    return Registry.from_settings(RegistrySettings(**overrides))


def cmd_models(args: argparse.Namespace) -> int:
    from aidetector.registry.stores import PromotionConflict, RegistryError
    from model.artifact import ArtifactError

    registry = _registry(args)
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
        return _fail(str(exc), EXIT_REFUSED)
    except (RegistryError, ArtifactError, FileNotFoundError) as exc:
        return _fail(str(exc))
    return _fail(f"unknown models command {args.models_command}")


def _deploy(args: argparse.Namespace, registry: Any) -> int:
    import boto3

    from aidetector.pipeline.deploy import deploy_version

    version = args.version or registry.latest()
    if version is None:
        return _fail(f"{registry.uri} has no latest version")
    registry.meta(version)  # refuses an unknown version before touching the endpoint
    if not registry.uri.startswith("s3://"):
        return _fail("deploy needs an S3 registry (--registry s3://bucket/models)")
    config = deploy_version(
        boto3.client("sagemaker"),
        args.endpoint,
        version,
        f"{registry.uri}/{version}/model.tar.gz",
        args.image,
        args.role_arn,
        wait=not args.no_wait,
    )
    if args.version_parameter:  # what is live, for Pulumi and people: /aidetector/<stack>/model-version
        boto3.client("ssm").put_parameter(Name=args.version_parameter, Value=version, Type="String", Overwrite=True)
    print(json.dumps({"endpoint": args.endpoint, "version": version, "endpoint_config": config}))
    return 0


def cmd_pipeline(args: argparse.Namespace) -> int:
    from aidetector.pipeline.settings import PipelineSettings

    if args.pipeline_command == "run":
        return _run_local(args)
    if args.pipeline_command == "step":
        return _run_step(args)
    settings = PipelineSettings()
    if args.pipeline_command == "definition":
        from aidetector.pipeline.sagemaker_definition import pipeline_definition

        print(json.dumps(pipeline_definition(settings), indent=2))
        return 0
    import boto3

    from aidetector.pipeline import aws

    if args.pipeline_command == "upsert":
        print(aws.upsert(settings))
        return 0
    arn, status, reason = aws.start(settings, boto3.client("sagemaker", region_name=settings.region), args.wait)
    print(json.dumps({"execution": arn, "status": status, "reason": reason}))
    return 0 if status in ("Executing", "Succeeded") else 1


def _run_local(args: argparse.Namespace) -> int:
    from aidetector.notify import SlackNotifier
    from aidetector.pipeline.local import run_local
    from model.config import TrainSettings
    from model.data import DataError

    overrides: dict[str, Any] = {}
    for key in ("base_model", "epochs", "max_steps", "seed"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    for item in args.set or []:
        key, _, value = item.partition("=")
        overrides[key.strip().replace("-", "_")] = value
    registry = _registry(args)
    try:
        summary = run_local(
            [Path(p) for p in args.data],
            Path(args.eval_data),
            registry,
            TrainSettings(**overrides),
            Path(args.work_dir) if args.work_dir else AppSettings().home / "pipeline",
            SlackNotifier.from_settings(),
            server_url=args.server_url,
            server_timeout_s=args.server_timeout,
            progress=not args.quiet,
        )
    except (DataError, FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    print(json.dumps(summary.to_dict(), indent=2))
    return 0 if summary.promoted else EXIT_REFUSED


def _run_step(args: argparse.Namespace) -> int:
    from aidetector.notify import SlackNotifier
    from aidetector.pipeline import steps

    registry = _registry(args)
    root = Path(args.processing_root)
    if args.step == "evaluate":
        result = steps.step_evaluate(root / "model", root / "eval", root / "evaluation", registry)
        print(json.dumps(result["gate"]))
        return 0  # the condition step decides; a refusal is not a failed evaluation
    ssm = None
    if args.version_parameter:
        import boto3

        ssm = boto3.client("ssm")
    promoted = steps.step_promote(
        root / "model", root / "evaluation", registry, SlackNotifier.from_settings(), ssm, args.version_parameter
    )
    print(json.dumps({"version": promoted.version, "promoted": promoted.promoted, "gate": promoted.decision.message}))
    return 0 if promoted.promoted else EXIT_REFUSED


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
    m.add_argument("--role-arn", required=True, help="SageMaker execution role")
    m.add_argument("--version", help="default: latest")
    m.add_argument("--no-wait", action="store_true")
    m.add_argument("--version-parameter", help="SSM parameter to record the deployed version in")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("pipeline", help="train → evaluate → gate → register → promote → reload")
    p.add_argument("--registry", help=registry_help)
    pipe = p.add_subparsers(dest="pipeline_command", required=True)
    r = pipe.add_parser("run", help="the whole pipeline on this machine")
    r.add_argument("--data", action="append", required=True, help="training JSONL (repeatable)")
    r.add_argument("--eval-data", required=True, help="labelled JSONL both candidate and latest are scored on")
    r.add_argument("--base-model")
    r.add_argument("--epochs", type=float)
    r.add_argument("--max-steps", type=int)
    r.add_argument("--seed", type=int)
    r.add_argument("--set", action="append", metavar="KEY=VALUE", help="any other training setting")
    r.add_argument("--work-dir", help="checkpoints and the candidate (default: $AIDETECTOR_HOME/pipeline)")
    r.add_argument("--server-url", help="model server to wait for (it reloads latest by itself)")
    r.add_argument("--server-timeout", type=float, default=120.0)
    r.add_argument("--quiet", action="store_true")
    pipe.add_parser("definition", help="print the SageMaker pipeline JSON (offline; AIDETECTOR_PIPELINE_* env)")
    pipe.add_parser("upsert", help="create or update the SageMaker pipeline")
    s = pipe.add_parser("start", help="start a SageMaker pipeline execution")
    s.add_argument("--wait", action="store_true", help="wait for the end; exit 1 if it fails or is refused")
    s = pipe.add_parser("step", help="one step of the SageMaker pipeline (runs inside the training image)")
    s.add_argument("step", choices=["evaluate", "promote"])
    s.add_argument("--processing-root", default="/opt/ml/processing")
    s.add_argument("--version-parameter", help="SSM parameter that records the promoted version")
    p.set_defaults(func=cmd_pipeline)
