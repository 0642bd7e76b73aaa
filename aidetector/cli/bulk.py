"""`aidetector batch`: score a JSONL or CSV file, resumably."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aidetector.cli.output import fail, notifier
from aidetector.settings import AppSettings


def cmd_batch(args: argparse.Namespace) -> int:
    """Score a JSONL/CSV file; resumable: rerunning the same command scores only rows not yet in the results DB."""
    import signal

    from pydantic import ValidationError

    from aidetector.bulk.io import InputFileError, resolve_format
    from aidetector.bulk.runner import BatchJob, run_batch
    from aidetector.bulk.scorers import LocalScorer, RemoteScorer, Scorer, ScorerError
    from aidetector.bulk.settings import BatchSettings
    from aidetector.bulk.store import InputMismatchError
    from aidetector.model.artifact import ArtifactError

    if args.model and args.server_url:
        return fail("give --model or --server-url, not both")
    if args.server_url and not args.server_url.startswith(("http://", "https://")):
        return fail(f"--server-url must be an http(s) URL, not {args.server_url!r}")
    flags = {"workers": args.workers, "chunk_size": args.chunk_size, "max_wait_s": args.max_wait}
    try:
        settings = BatchSettings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        return fail(f"{first['loc'][0]}: {first['msg']}")
    input_path, output_path = Path(args.input), Path(args.output)
    if not input_path.is_file():
        return fail(f"no such input file: {input_path}")
    if output_path.resolve() == input_path.resolve():
        return fail("--output must not be the input file")
    try:
        fmt = resolve_format(input_path, args.format)
    except InputFileError as exc:
        return fail(str(exc))
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
        return fail(str(exc))
    except ScorerError as exc:
        print(f"error: {exc}; rerun the same command to resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted; results so far are in {db_path}; rerun the same command to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    report = summary.to_dict()
    notifier().batch_summary({"input": input_path.name, **report})  # never fails the job
    print(json.dumps(report, indent=2))
    return 0


def add_parsers(sub: Any) -> None:
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
