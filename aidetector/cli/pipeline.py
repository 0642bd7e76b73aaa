"""`aidetector pipeline ...`: train → evaluate → gate → register → promote, locally or on SageMaker."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from aidetector.cli.output import EXIT_REFUSED, fail, notifier
from aidetector.cli.registry import registry_from_args
from aidetector.settings import AppSettings


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

    from aidetector.pipeline import sagemaker_runs

    if args.pipeline_command == "upsert":
        print(sagemaker_runs.upsert(settings))
        return 0
    client = boto3.client("sagemaker", region_name=settings.region)
    arn, status, reason = sagemaker_runs.start(settings, client, args.wait)
    print(json.dumps({"execution": arn, "status": status, "reason": reason}))
    return 0 if status in ("Executing", "Succeeded") else 1


def _run_local(args: argparse.Namespace) -> int:
    from aidetector.model.config import TrainSettings
    from aidetector.model.data import DataError
    from aidetector.pipeline.local import run_local

    overrides: dict[str, Any] = {}
    for key in ("base_model", "epochs", "max_steps", "seed"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    for item in args.set or []:
        key, _, value = item.partition("=")
        overrides[key.strip().replace("-", "_")] = value
    registry = registry_from_args(args)
    try:
        summary = run_local(
            [Path(p) for p in args.data],
            Path(args.eval_data),
            registry,
            TrainSettings(**overrides),
            Path(args.work_dir) if args.work_dir else AppSettings().home / "pipeline",
            notifier(),
            server_url=args.server_url,
            server_timeout_s=args.server_timeout,
            progress=not args.quiet,
        )
    except (DataError, FileNotFoundError, ValueError) as exc:
        return fail(str(exc))
    print(json.dumps(summary.to_dict(), indent=2))
    return 0 if summary.promoted else EXIT_REFUSED


def _run_step(args: argparse.Namespace) -> int:
    from aidetector.pipeline import steps

    registry = registry_from_args(args)
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
        root / "model", root / "evaluation", registry, notifier(), ssm, args.version_parameter
    )
    print(json.dumps({"version": promoted.version, "promoted": promoted.promoted, "gate": promoted.decision.message}))
    return 0 if promoted.promoted else EXIT_REFUSED


def add_parsers(sub: Any) -> None:
    registry_help = "a folder or s3://bucket/prefix (default: $AIDETECTOR_REGISTRY_URI, else $AIDETECTOR_HOME/models)"

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
    s.add_argument(
        "--version-parameter",
        help="SSM parameter to record the promoted version in (the AWS pipeline leaves it to deploy)",
    )
    p.set_defaults(func=cmd_pipeline)
