"""Model work: train, evaluate, calibrate, ensemble, multilingual, soup, interpolate, card, detect."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aidetector.cli.output import EXIT_BAD_INPUT, clean_nan, fail, json_default
from aidetector.settings import AppSettings


def cmd_train(args: argparse.Namespace) -> int:
    from aidetector.model.config import TrainSettings
    from aidetector.model.data import DataError
    from aidetector.model.train import train

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
        return fail(str(exc))
    print(out)
    return 0


def _load_detector(model_dir: str | None) -> Any:
    from aidetector.model.detector import Detector

    return Detector.from_path(Path(model_dir) if model_dir else AppSettings().model_dir)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from aidetector.model.data import DataError, load_jsonl
    from aidetector.model.evaluate import report, score_records, score_verdicts, write_scores

    verdicts = None

    try:
        records = load_jsonl(args.data)
    except (DataError, OSError) as exc:
        return fail(str(exc))
    by = [f.strip() for f in (args.by or "").split(",") if f.strip()]
    detector = _load_detector(args.model)
    if args.scores_in:
        try:
            probs = _saved_scores(records, load_jsonl(args.scores_in, require_label=False))
        except (DataError, OSError, ValueError) as exc:
            return fail(str(exc))
    elif args.verdicts:
        probs, verdicts = score_verdicts(records, detector.detect, batch_size=args.batch_size, progress=not args.quiet)
    else:
        probs = score_records(records, detector.probabilities, batch_size=args.batch_size, progress=not args.quiet)
    result = report(records, probs, detector.threshold, by, args.bootstrap, args.cluster_field, args.pairs_by, verdicts)
    result["model_version"] = detector.version
    if not args.scores_in:
        result["inference_dtype"] = detector.precision_name
    result["data"] = str(args.data)
    if args.baseline_train:
        from aidetector.model.baseline import LengthBaseline

        baseline = LengthBaseline().fit(load_jsonl(args.baseline_train))
        result["length_baseline"] = report(records, baseline.probabilities(records), 0.5, by)
    if args.scores_out:
        write_scores(Path(args.scores_out), records, probs, detector.threshold)
    if args.plots:
        from aidetector.model.plots import reliability, roc_by_group

        plots = Path(args.plots)
        plots.mkdir(parents=True, exist_ok=True)
        name = args.name or Path(args.data).stem
        roc_by_group(records, probs, by[0] if by else "source", plots / f"roc_{name}.png", f"ROC on {name}")
        labels = [int(r.label or 0) for r in records]
        reliability(labels, probs, plots / f"reliability_{name}.png", f"Calibration on {name}")
    result = clean_nan(result)
    if args.json:
        print(json.dumps(result, indent=2, default=json_default))
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
    """Re-choose the threshold from human texts: the false-positive target holds in every file given, overall and
    (with --group-field) in every group of each file."""
    from aidetector.model.artifact import new_version, update_manifest
    from aidetector.model.calibration import HumanScores, rule_threshold
    from aidetector.model.data import LABEL_HUMAN, DataError, load_jsonl
    from aidetector.model.evaluate import SCORE_DECIMALS, score_records

    if bool(args.data) == bool(args.scores):
        return fail("give --data (texts to score) or --scores (evaluate --scores-out files), not both")
    files = args.data or args.scores
    try:
        humans = {name: [r for r in load_jsonl(name) if r.label == LABEL_HUMAN] for name in files}
    except (DataError, OSError) as exc:
        return fail(str(exc))
    if not all(humans.values()):
        return fail("calibration needs human texts (label 0) in every file")
    model_dir = Path(args.model) if args.model else AppSettings().model_dir
    detector = _load_detector(str(model_dir))
    resolution = 10.0**-SCORE_DECIMALS if args.scores else 0.0  # scores read back from a file are rounded
    per_file = []
    for records in humans.values():
        if args.scores:
            probs = [float(r.fields["probability_ai"]) for r in records]
        else:
            probs = score_records(records, detector.probabilities, batch_size=args.batch_size)
        groups = [r.get(args.group_field) for r in records] if args.group_field else None
        per_file.append(HumanScores(probs, groups))
    threshold = rule_threshold(per_file, args.target_fpr, args.max_group_fpr, resolution)
    names = " and of ".join(Path(name).name for name in files)
    rule = f"at most {args.target_fpr:.1%} of the human texts of {names} called AI"
    if args.group_field:
        rule += f", and at most {args.max_group_fpr:.1%} in each '{args.group_field}' of each"
    manifest = detector.artifact.manifest
    calibration = {**manifest.get("calibration", {}), "threshold": threshold, "threshold_rule": rule}
    changes: dict[str, object] = {"calibration": calibration}
    if threshold != manifest.get("calibration", {}).get("threshold"):
        changes.update(new_version(manifest))  # other answers: another model, as the registry publishes by version
    version = update_manifest(model_dir, changes)["version"]
    print(json.dumps({"threshold": threshold, "threshold_rule": rule, "version": version}))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """Add the n-gram and style members to a trained model; weights chosen on held-out split + development file."""
    from aidetector.model.artifact import read_manifest
    from aidetector.model.config import comma_items
    from aidetector.model.data import DataError, load_jsonl
    from aidetector.model.ensemble import STYLE_WEIGHT_GRID, WEIGHT_GRID, build_ensemble
    from aidetector.model.evaluate import write_scores

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
            keep_members=args.keep_members,
            members_from=Path(args.members_from) if args.members_from else None,
        )
    except (DataError, OSError, ValueError) as exc:
        return fail(str(exc))
    if args.scores_out:
        threshold = float(read_manifest(Path(args.model))["calibration"]["threshold"])  # no second model load
        write_scores(Path(args.scores_out), select, report.probabilities, threshold)
    print(json.dumps({"weight": report.weight, "style_weight": report.style_weight, "shares": report.shares,
                      "spread": report.spread, "auroc_by_weights": report.auroc_by_weights,
                      "member_auroc": report.member_auroc,
                      "selected_on": report.selected_on}, indent=2))  # fmt: skip
    return 0


def cmd_multilingual(args: argparse.Namespace) -> int:
    """Add the multilingual member to a model folder: fit on other languages, calibrate per language, decide support."""
    from aidetector.model.artifact import ArtifactError
    from aidetector.model.config import MultilingualSettings
    from aidetector.model.data import DataError
    from aidetector.model.multilingual_build import build_multilingual

    try:
        section = build_multilingual(Path(args.model), [Path(p) for p in args.data], MultilingualSettings())
    except (ArtifactError, DataError, OSError, ValueError) as exc:
        return fail(str(exc))
    keys = ("supported", "threshold", "test", "by_source", "by_domain", "test_only", "reason")
    summary = {code: {key: entry.get(key) for key in keys} for code, entry in section["languages"].items()}
    print(json.dumps({"supported": section["supported"], "languages": summary}, indent=2))
    return 0


def cmd_soup(args: argparse.Namespace) -> int:
    """Average fine-tuned runs of one base into one model (greedy soup on the training files' validation split)."""
    from aidetector.model.data import DataError
    from aidetector.model.soup import greedy_soup

    try:
        report = greedy_soup([Path(m) for m in args.model], [Path(p) for p in args.data], Path(args.output))
    except (DataError, OSError, ValueError) as exc:
        return fail(str(exc))
    print(json.dumps({"output": args.output, "chosen": report.chosen, "valid_auroc": report.soup_auroc,
                      "member_auroc": report.member_auroc}, indent=2))  # fmt: skip
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    """WiSE-FT: a model part of the way from --model to a run fine-tuned from it (validation AUROC of all three)."""
    from aidetector.model.data import DataError
    from aidetector.model.soup import interpolate

    try:
        report = interpolate(
            Path(args.model), Path(args.fine_tuned), args.alpha, [Path(p) for p in args.data], Path(args.output)
        )
    except (DataError, OSError, ValueError) as exc:
        return fail(str(exc))
    print(json.dumps({"output": args.output, "alpha": report.alpha, "valid_auroc": report.valid_auroc}, indent=2))
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from aidetector.model.artifact import read_manifest
    from aidetector.model.card import write_card

    reports = {}
    for item in args.report:
        name, _, path = item.partition("=")
        reports[name] = json.loads(Path(path).read_text(encoding="utf-8"))
    commands = Path(args.commands).read_text(encoding="utf-8") if args.commands else ""
    model_dir = Path(args.model) if args.model else AppSettings().model_dir
    mixed = json.loads(Path(args.mixed).read_text(encoding="utf-8")) if args.mixed else None
    print(write_card(model_dir, read_manifest(model_dir), reports, commands, mixed))
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from aidetector.model.detector import InputError

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


def add_parsers(sub: Any) -> None:
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
    p.add_argument("--verdicts", action="store_true",
                   help="score as the API answers (label, reason, novelty); report how often each occurs")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("calibrate", help="set the threshold from human texts of a development set")
    p.add_argument("--data", action="append", help="labelled JSONL to score (repeatable: the target holds in each)")
    p.add_argument(
        "--scores",
        action="append",
        help="evaluate --scores-out files instead (no scoring; repeatable); their scores have 6 decimals, so the "
        "threshold is the next 0.000001 step above the first human score it excludes",
    )
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
                   "(default: WEIGHT_GRID in model/ensemble.py, 0 to 0.6)")  # fmt: skip
    p.add_argument("--style-weights", help="comma-separated grid of style shares "
                   "(default: STYLE_WEIGHT_GRID in model/ensemble.py, 0 to 3.0)")  # fmt: skip
    p.add_argument("--scores-out", help="write the blend's scores on --select-on (evaluate --scores-out format)")
    p.add_argument("--replace", action="store_true", help="refit the members of a model that already has them")
    p.add_argument("--keep-members", action="store_true", help="keep the fitted members (same files and split): "
                   "refit only the novelty check and choose the weights again")  # fmt: skip
    p.add_argument("--members-from", help="with --keep-members: take the members of this model (fitted on the same "
                   "files and split), e.g. the shipped model's for a transformer continued from it")  # fmt: skip
    p.set_defaults(func=cmd_ensemble)

    p = sub.add_parser(
        "multilingual",
        help="add the multilingual member (other languages, calibrated per language, support list) to a model",
    )
    p.add_argument("--model", required=True, help="artifact folder, changed in place")
    p.add_argument(
        "--data", action="append", required=True, help="JSONL(.xz): text, label, language, source, group (repeatable)"
    )
    p.set_defaults(func=cmd_multilingual)

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
    p.add_argument("--mixed", help="mixed-authorship report (benchmarks/bench_mixed.py --json) for its section")
    p.set_defaults(func=cmd_card)

    p = sub.add_parser("detect", help="score one text (argument, --file, or stdin)")
    p.add_argument("text", nargs="?")
    p.add_argument("--file")
    p.add_argument("--model")
    p.add_argument("--sentences", action="store_true", help="also score each sentence")
    p.set_defaults(func=cmd_detect)
