#!/usr/bin/env python3
"""Write data/train_pool as plain JSON Lines for training, one file per source, without the edits --exclude-edit names.

Left out by default: AI texts made by the `polish` edit.

    python scripts/data/train_pool_files.py --out runs/pool

Why leave out `polish`: ImBD's `+polish` texts are human texts an LLM only polished (grammar and wording). Trained
as AI, they teach the detector that careful, well-edited human writing is AI, which is the false positive this
project most wants to avoid; `+rewrite` and `+expand` change the text enough to keep.
"""

from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "data" / "train_pool"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--exclude-edit", action="append", default=None, help="edit after '+' to leave out")
    args = parser.parse_args(argv)
    excluded = set(args.exclude_edit or ["polish"])
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted(FOLDER.glob("*.jsonl.xz")):
        kept = dropped = 0
        lines = []
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                edits = set(json.loads(line)["generator"].split("+")[1:])
                if edits & excluded:
                    dropped += 1
                    continue
                lines.append(line if line.endswith("\n") else line + "\n")
                kept += 1
        target = args.out / path.name.removesuffix(".xz")
        target.write_text("".join(lines), encoding="utf-8")
        print(f"{target}: {kept} texts ({dropped} left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
