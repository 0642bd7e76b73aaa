"""`aidetector` command line: thin commands over the ML core. Nothing depends on this module."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aidetector.settings import AppSettings

EXIT_BAD_INPUT = 2


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _json_default(obj: Any) -> Any:
    return None if isinstance(obj, float) and math.isnan(obj) else str(obj)


def _clean_nan(obj: Any) -> Any:
    """JSON has no NaN: an undefined figure (e.g. AUROC of a one-class group) becomes null."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean_nan(v) for v in obj]
    return obj


def cmd_train(args: argparse.Namespace) -> int:
    from model.config import TrainSettings
    from model.data import DataError
    from model.train import train

    overrides: dict[str, Any] = {}
    for key in ("base_model", "epochs", "max_length", "batch_size", "learning_rate", "max_steps", "seed"):
        value = getattr(args, key)
        if value is not None:
            overrides[key] = value
    for item in args.set or []:
        key, _, value = item.partition("=")
        overrides[key.strip().replace("-", "_")] = value
    try:
        settings = TrainSettings(**overrides)
        out = train([Path(p) for p in args.data], Path(args.output), settings, work_dir=args.work_dir)
    except (DataError, FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    print(out)
    return 0


def _load_detector(model_dir: str | None) -> Any:
    from model.detector import Detector

    return Detector.from_path(Path(model_dir) if model_dir else AppSettings().model_dir)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from model.data import DataError, load_jsonl
    from model.evaluate import report, score_records, write_scores

    try:
        records = load_jsonl(args.data)
    except (DataError, OSError) as exc:
        return _fail(str(exc))
    by = [f.strip() for f in (args.by or "").split(",") if f.strip()]
    detector = _load_detector(args.model)
    if args.scores_in:
        try:
            probs = _saved_scores(records, load_jsonl(args.scores_in, require_label=False))
        except (DataError, OSError, ValueError) as exc:
            return _fail(str(exc))
    else:
        probs = score_records(records, detector.probabilities, batch_size=args.batch_size, progress=not args.quiet)
    result = report(records, probs, detector.threshold, by, args.bootstrap, args.cluster_field, args.pairs_by)
    result["model_version"] = detector.version
    if not args.scores_in:
        result["inference_dtype"] = detector.precision_name
    result["data"] = str(args.data)
    if args.baseline_train:
        from model.baseline import LengthBaseline

        baseline = LengthBaseline().fit(load_jsonl(args.baseline_train))
        result["length_baseline"] = report(records, baseline.probabilities(records), 0.5, by)
    if args.scores_out:
        write_scores(Path(args.scores_out), records, probs, detector.threshold)
    if args.plots:
        from model.plots import reliability, roc_by_group

        plots = Path(args.plots)
        plots.mkdir(parents=True, exist_ok=True)
        name = args.name or Path(args.data).stem
        roc_by_group(records, probs, by[0] if by else "source", plots / f"roc_{name}.png", f"ROC on {name}")
        labels = [int(r.label or 0) for r in records]
        reliability(labels, probs, plots / f"reliability_{name}.png", f"Calibration on {name}")
    result = _clean_nan(result)
    if args.json:
        print(json.dumps(result, indent=2, default=_json_default))
    else:
        _print_report(result)
    return 0


def _saved_scores(records: Sequence[Any], saved: Sequence[Any]) -> list[float]:
    """probability_ai from an earlier `--scores-out` file; it must list the same texts in the same order."""
    if len(saved) != len(records) or any(a.text != b.text for a, b in zip(records, saved, strict=True)):
        raise ValueError("the scores file does not list the same texts as --data")
    try:
        return [float(r.fields["probability_ai"]) for r in saved]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("every line of the scores file needs a numeric probability_ai") from exc


def _print_report(result: dict[str, Any]) -> None:
    keys = ("n", "auroc", "tpr_at_1pct_fpr", "threshold", "fpr_at_threshold", "tpr_at_threshold", "f1", "accuracy")

    def line(name: str, r: dict[str, Any]) -> str:
        cells = [f"{r[k]:.4f}" if isinstance(r[k], float) else str(r[k]) for k in keys]
        ci = r.get("auroc_ci95")
        if ci:
            cells.append("-".join(f"{x:.3f}" if isinstance(x, float) else "?" for x in ci))
        return f"{name:<40} " + " ".join(f"{c:>10}" for c in cells)

    ci_head = " auroc 95% CI" if "auroc_ci95" in result else ""
    print(f"{'':<40} " + " ".join(f"{k[:10]:>10}" for k in keys) + ci_head)
    print(line("(all)", result))
    for field, rows in result.get("by", {}).items():
        for value, r in rows.items():
            print(line(f"{field}={value}"[:40], r))
    pairs = result.get("misordered_pairs")
    if pairs:
        print(f"\nAUROC lost to misordered human/AI pairs by {pairs['field']}: "
              f"{pairs['within']:.4f} within values, {pairs['across']:.4f} across them")  # fmt: skip
        for c in pairs["cells"][:10]:
            print(f"  human {c['human']} above AI {c['ai']}: {c['share']:.4f}")


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Re-choose the threshold on a development set (human texts only): FPR target overall and per group."""
    from model.artifact import update_manifest
    from model.calibration import calibrate_threshold
    from model.data import LABEL_HUMAN, DataError, load_jsonl
    from model.evaluate import score_records

    if bool(args.data) == bool(args.scores):
        return _fail("give --data (texts to score) or --scores (an evaluate --scores-out file), not both")
    try:
        records = [r for r in load_jsonl(args.data or args.scores) if r.label == LABEL_HUMAN]
    except (DataError, OSError) as exc:
        return _fail(str(exc))
    if not records:
        return _fail("calibration needs human texts (label 0)")
    model_dir = Path(args.model) if args.model else AppSettings().model_dir
    detector = _load_detector(str(model_dir))
    if args.scores:
        probs = [float(r.fields["probability_ai"]) for r in records]
    else:
        probs = score_records(records, detector.probabilities, batch_size=args.batch_size)
    groups = [r.get(args.group_field) for r in records] if args.group_field else None
    threshold = calibrate_threshold(probs, args.target_fpr, groups, args.max_group_fpr if groups else None)
    source_name = Path(args.data or args.scores).name
    rule = f"at most {args.target_fpr:.1%} of the human texts of {source_name} called AI"
    if groups:
        rule += f", and at most {args.max_group_fpr:.1%} in each '{args.group_field}'"
    calibration = {**detector.artifact.manifest.get("calibration", {}), "threshold": threshold, "threshold_rule": rule}
    update_manifest(model_dir, {"calibration": calibration})
    print(json.dumps({"threshold": threshold, "threshold_rule": rule}))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """Add the n-gram and style members to a trained model; weights chosen on held-out split + development file."""
    from model.artifact import read_manifest
    from model.config import comma_items
    from model.data import DataError, load_jsonl
    from model.ensemble import STYLE_WEIGHT_GRID, WEIGHT_GRID, build_ensemble
    from model.evaluate import write_scores

    try:
        select = load_jsonl(args.select_on)
        weights = [float(w) for w in comma_items(args.weights)] if args.weights else list(WEIGHT_GRID)
        style_weights = (
            [float(a) for a in comma_items(args.style_weights)] if args.style_weights else list(STYLE_WEIGHT_GRID)
        )
        report = build_ensemble(
            Path(args.model),
            [Path(p) for p in args.data],
            select,
            Path(args.select_on).name,
            weights,
            style_weights,
            replace=args.replace,
        )
    except (DataError, OSError, ValueError) as exc:
        return _fail(str(exc))
    if args.scores_out:
        threshold = float(read_manifest(Path(args.model))["calibration"]["threshold"])  # no second model load
        write_scores(Path(args.scores_out), select, report.probabilities, threshold)
    print(json.dumps({"weight": report.weight, "style_weight": report.style_weight, "shares": report.shares,
                      "spread": report.spread, "auroc_by_weights": report.auroc_by_weights,
                      "member_auroc": report.member_auroc,
                      "selected_on": report.selected_on}, indent=2))  # fmt: skip
    return 0


def cmd_soup(args: argparse.Namespace) -> int:
    """Average fine-tuned runs of one base into one model (greedy soup on the training files' validation split)."""
    from model.data import DataError
    from model.soup import greedy_soup

    try:
        report = greedy_soup([Path(m) for m in args.model], [Path(p) for p in args.data], Path(args.output))
    except (DataError, OSError, ValueError) as exc:
        return _fail(str(exc))
    print(json.dumps({"output": args.output, "chosen": report.chosen, "valid_auroc": report.soup_auroc,
                      "member_auroc": report.member_auroc}, indent=2))  # fmt: skip
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    """WiSE-FT: a model part of the way from --model to a run fine-tuned from it (validation AUROC of all three)."""
    from model.data import DataError
    from model.soup import interpolate

    try:
        report = interpolate(
            Path(args.model), Path(args.fine_tuned), args.alpha, [Path(p) for p in args.data], Path(args.output)
        )
    except (DataError, OSError, ValueError) as exc:
        return _fail(str(exc))
    print(json.dumps({"output": args.output, "alpha": report.alpha, "valid_auroc": report.valid_auroc}, indent=2))
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from model.artifact import read_manifest
    from model.card import write_card

    reports = {}
    for item in args.report:
        name, _, path = item.partition("=")
        reports[name] = json.loads(Path(path).read_text(encoding="utf-8"))
    commands = Path(args.commands).read_text(encoding="utf-8") if args.commands else ""
    model_dir = Path(args.model) if args.model else AppSettings().model_dir
    print(write_card(model_dir, read_manifest(model_dir), reports, commands))
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from model.detector import InputError

    if args.text is not None:
        texts: list[object] = [args.text]
    elif args.file:
        texts = [Path(args.file).read_bytes()]
    else:
        texts = [sys.stdin.buffer.read()]
    detector = _load_detector(args.model)
    try:
        results = detector.detect(texts, sentences=args.sentences)
    except InputError as exc:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message}}), file=sys.stderr)
        return EXIT_BAD_INPUT
    for r in results:
        print(json.dumps(r.to_dict(), indent=2))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """Score a JSONL/CSV file; resumable: rerunning the same command scores only rows not yet in the results DB."""
    import signal

    from pydantic import ValidationError

    from aidetector.batch.io import InputFileError, resolve_format
    from aidetector.batch.runner import BatchJob, run_batch
    from aidetector.batch.scorers import LocalScorer, RemoteScorer, Scorer, ScorerError
    from aidetector.batch.settings import BatchSettings
    from aidetector.batch.store import InputMismatchError
    from model.artifact import ArtifactError

    if args.model and args.server_url:
        return _fail("give --model or --server-url, not both")
    if args.server_url and not args.server_url.startswith(("http://", "https://")):
        return _fail(f"--server-url must be an http(s) URL, not {args.server_url!r}")
    flags = {"workers": args.workers, "chunk_size": args.chunk_size, "max_wait_s": args.max_wait}
    try:
        settings = BatchSettings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        return _fail(f"{first['loc'][0]}: {first['msg']}")
    input_path, output_path = Path(args.input), Path(args.output)
    if not input_path.is_file():
        return _fail(f"no such input file: {input_path}")
    if output_path.resolve() == input_path.resolve():
        return _fail("--output must not be the input file")
    try:
        fmt = resolve_format(input_path, args.format)
    except InputFileError as exc:
        return _fail(str(exc))
    text_field = args.text_field or settings.text_field
    db_path = Path(args.db) if args.db else output_path.with_name(output_path.name + ".sqlite3")
    job = BatchJob(input_path, output_path, fmt, db_path, text_field, restart=args.restart)

    def make_scorer() -> Scorer:
        if args.server_url:
            return RemoteScorer(args.server_url, settings.workers, settings)
        return LocalScorer(Path(args.model) if args.model else AppSettings().model_dir, settings.workers)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the job like Ctrl-C: committed chunks stay, the rest is redone

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        summary = run_batch(job, make_scorer, settings)
    except (InputFileError, InputMismatchError, ArtifactError) as exc:
        return _fail(str(exc))
    except ScorerError as exc:
        print(f"error: {exc}; rerun the same command to resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted; results so far are in {db_path}; rerun the same command to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    from aidetector.notify import SlackNotifier

    report = summary.to_dict()
    SlackNotifier.from_settings().batch_summary({"input": input_path.name, **report})  # never fails the job
    print(json.dumps(report, indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from aidetector.serving.app import serve
    from aidetector.serving.settings import ServerSettings

    chosen = {
        "host": args.host,
        "port": args.port,
        "model_dir": args.model,
        "registry_uri": args.registry,
        "watch_s": args.watch,
    }
    serve(ServerSettings(**{k: v for k, v in chosen.items() if v}))
    return 0


def cmd_gateway(args: argparse.Namespace) -> int:
    from aidetector.gateway.app import serve
    from aidetector.gateway.settings import GatewaySettings

    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "model_url": args.model_url}.items() if v}
    serve(GatewaySettings(**overrides))
    return 0


def _key_store() -> Any:
    from aidetector.gateway.keys import KeyStore
    from aidetector.plans import load_plans

    return KeyStore(AppSettings().home / "keys.sqlite3", load_plans().plans)


def cmd_keys(args: argparse.Namespace) -> int:
    from aidetector.gateway.keys import KeyError_

    store = _key_store()
    try:
        if args.keys_command == "create":
            raw = store.create(args.name, args.plan)
            print(f"created key '{args.name}' on plan '{args.plan}'; it is shown only now:", file=sys.stderr)
            print(raw)
        elif args.keys_command == "list":
            for key in store.list():
                state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
                print(f"{key.name}\t{key.plan}\t{key.created_at}\t{state}")
        elif args.keys_command == "revoke":
            store.revoke(args.name)
            print(f"revoked '{args.name}'")
        else:
            print(json.dumps(store.usage(args.name), indent=2))
    except KeyError_ as exc:
        return _fail(str(exc))
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """Run the Streamlit UI; it reads AIDETECTOR_WEB_API_URL and AIDETECTOR_WEB_API_KEY.

    The process becomes Streamlit (exec), so a signal sent to it (`aidetector up` stopping its children) reaches
    the server itself; a child process would be orphaned and keep its port.
    """
    app = Path(__file__).resolve().parent.parent / "web" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # not reached: exec replaces this process


def cmd_up(args: argparse.Namespace) -> int:
    from aidetector.stack import StackOptions, up

    settings = AppSettings()
    return up(
        StackOptions(
            home=settings.home,
            model_dir=Path(args.model) if args.model else None,
            api_port=args.api_port,
            model_port=args.model_port,
            web_port=args.web_port,
            web=not args.no_web,
        )
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aidetector", description="Detect AI-generated text.")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="fine-tune a classifier on JSONL {text,label}")
    p.add_argument("--data", action="append", required=True, help="JSONL file (repeatable)")
    p.add_argument("--output", required=True, help="artifact folder to write")
    p.add_argument("--base-model", help="HF checkpoint dir or hub id (default: packaged MiniLM-L6)")
    p.add_argument("--epochs", type=float)
    p.add_argument("--max-length", type=int, help="window size in tokens")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--max-steps", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--work-dir", type=Path, help="checkpoints here; a rerun resumes from them")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="any other training setting")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="figures on a labelled JSONL file")
    p.add_argument("--data", required=True)
    p.add_argument("--model", help="artifact folder (default: the shipped model)")
    p.add_argument("--by", help="comma-separated record fields to break figures down by")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--scores-out", help="write one JSON line per record with probability_ai, predicted_class")
    p.add_argument("--plots", help="write ROC and reliability PNGs into this folder")
    p.add_argument("--name", help="name used in plot file names (default: data file stem)")
    p.add_argument("--baseline-train", help="also report a length-only baseline fitted on this JSONL")
    p.add_argument("--scores-in", help="take probability_ai from an earlier --scores-out file instead of scoring")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="resamples for 95%% confidence intervals (0: none)")  # fmt: skip
    p.add_argument("--cluster-field", default="group",
                   help="texts sharing this field are resampled together (default: group)")  # fmt: skip
    p.add_argument("--pairs-by", metavar="FIELD",
                   help="split the AUROC lost to misordered pairs by (human, AI) value of this field")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("calibrate", help="set the threshold from human texts of a development set")
    p.add_argument("--data", help="labelled JSONL to score")
    p.add_argument("--scores", help="an evaluate --scores-out file (no scoring needed)")
    p.add_argument("--model")
    p.add_argument("--target-fpr", type=float, default=0.02)
    p.add_argument("--group-field", help="also cap the false-positive rate per value of this field")
    p.add_argument("--max-group-fpr", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=64)
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser(
        "ensemble",
        help="add the n-gram, skeleton and style members to a trained model (weights chosen on held-out + dev file)",
    )
    p.add_argument("--model", required=True, help="artifact folder, changed in place")
    p.add_argument("--data", action="append", required=True, help="the training JSONL files of that model")
    p.add_argument("--select-on", required=True, help="labelled development JSONL for choosing the weights")
    p.add_argument("--weights", help="comma-separated grid of n-gram shares of the transformer's spread "
                   "(default 0,0.05,0.1,0.15,0.2,0.3,0.45,0.6)")  # fmt: skip
    p.add_argument("--style-weights", help="comma-separated grid of style shares (default: as --weights)")
    p.add_argument("--scores-out", help="write the blend's scores on --select-on (evaluate --scores-out format)")
    p.add_argument("--replace", action="store_true", help="refit the members of a model that already has them")
    p.set_defaults(func=cmd_ensemble)

    p = sub.add_parser("soup", help="average fine-tuned runs of one base into one model (greedy, by validation)")
    p.add_argument("--model", action="append", required=True, help="a trained artifact folder (two or more)")
    p.add_argument("--data", action="append", required=True, help="the training JSONL files of those models")
    p.add_argument("--output", required=True, help="folder for the soup's artifact")
    p.set_defaults(func=cmd_soup)

    p = sub.add_parser("interpolate", help="weights part of the way from a model to a run fine-tuned from it")
    p.add_argument("--model", required=True, help="the starting artifact folder (e.g. a soup)")
    p.add_argument("--fine-tuned", required=True, help="a run trained from --model on the same files and split")
    p.add_argument("--alpha", type=float, required=True, help="share of the fine-tuned weights, 0 < alpha < 1")
    p.add_argument("--data", action="append", required=True, help="the training JSONL files of both models")
    p.add_argument("--output", required=True, help="folder for the interpolated artifact")
    p.set_defaults(func=cmd_interpolate)

    p = sub.add_parser("card", help="write MODEL_CARD.md from evaluate --json reports")
    p.add_argument("--model")
    p.add_argument("--report", action="append", required=True, metavar="NAME=FILE")
    p.add_argument("--commands", help="file with the commands that reproduce the model")
    p.set_defaults(func=cmd_card)

    p = sub.add_parser("detect", help="score one text (argument, --file, or stdin)")
    p.add_argument("text", nargs="?")
    p.add_argument("--file")
    p.add_argument("--model")
    p.add_argument("--sentences", action="store_true", help="also score each sentence")
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("serve", help="run the model server (the SageMaker inference contract)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--model", help="artifact folder (default: $AIDETECTOR_MODEL_DIR, /opt/ml/model, shipped)")
    p.add_argument("--registry", help="serve this registry's latest instead (a folder or s3://bucket/prefix)")
    p.add_argument("--watch", type=float, help="with --registry: reload when latest changes, checking every N s")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("gateway", help="run the local API gateway in front of the Lambda handler")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--model-url", help="model server URL (default http://127.0.0.1:8080)")
    p.set_defaults(func=cmd_gateway)

    p = sub.add_parser("keys", help="manage API keys of the local gateway")
    keys = p.add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("create", help="issue a key (printed once, alone on the last line)")
    k.add_argument("--name", required=True)
    k.add_argument("--plan", default="free")
    keys.add_parser("list", help="list keys (never the keys themselves)")
    k = keys.add_parser("revoke")
    k.add_argument("name")
    k = keys.add_parser("usage", help="quota used in the current period")
    k.add_argument("name")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("web", help="run the web UI (a client of the public API)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_web)

    from aidetector.mlops_cli import add_parsers as add_mlops_parsers

    add_mlops_parsers(sub)

    p = sub.add_parser("up", help="start model server, gateway and web UI on loopback")
    p.add_argument("--api-port", type=int, default=8000)
    p.add_argument("--model-port", type=int, default=8080)
    p.add_argument("--web-port", type=int, default=8501)
    p.add_argument("--no-web", action="store_true")
    p.add_argument("--model", help="serve this artifact folder (default: the local registry's latest)")
    p.set_defaults(func=cmd_up)
    p = sub.add_parser("batch", help="score a JSONL or CSV file (resumable; results also in SQLite)")
    p.add_argument("--input", required=True, help="JSONL or CSV file")
    p.add_argument("--output", required=True, help="scored file to write (same format as the input)")
    p.add_argument("--format", choices=["jsonl", "csv"], help="default: from the input file's extension")
    p.add_argument("--text-field", help="JSONL field or CSV column with the text (default: text)")
    p.add_argument("--db", help="results DB (default: OUTPUT.sqlite3); rerunning with it resumes")
    p.add_argument("--model", help="artifact folder (default: $AIDETECTOR_MODEL_DIR or the shipped model)")
    p.add_argument("--server-url", help="score on a model server instead (its base or /invocations URL)")
    p.add_argument("--workers", type=int, help="model processes, or concurrent requests (default: cores, max 8)")
    p.add_argument("--chunk-size", type=int, help="rows per commit (default 64)")
    p.add_argument("--max-wait", type=float, help="seconds to keep retrying an unreachable server (default 600)")
    p.add_argument("--restart", action="store_true", help="discard a results DB made from another input")
    p.set_defaults(func=cmd_batch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
