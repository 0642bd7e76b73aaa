#!/usr/bin/env python3
"""Write human_stress's calibration and report parts as plain JSON Lines
(split by source: data/human_stress/splits.json).

    python scripts/data/human_stress_parts.py --out runs/human_stress   # -> calibration.jsonl, report.jsonl

Thresholds and abstention rules may be chosen on the calibration part only; the report part is for the figures.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "data" / "human_stress"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])  # help text rewraps: same as one line
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    splits = json.loads((FOLDER / "splits.json").read_text(encoding="utf-8"))
    both = set(splits["calibration"]) & set(splits["report"])
    if both:
        print(f"sources in both parts: {sorted(both)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for part in ("calibration", "report"):
        lines: list[str] = []
        for source in splits[part]:
            path = FOLDER / f"{source}.jsonl.xz"
            if not path.is_file():
                print(f"missing {path.name}: rebuild it with scripts/data/build_human_stress.py", file=sys.stderr)
                return 2
            with lzma.open(path, "rt", encoding="utf-8") as handle:
                lines += [line if line.endswith("\n") else line + "\n" for line in handle if line.strip()]
        (args.out / f"{part}.jsonl").write_text("".join(lines), encoding="utf-8")
        print(f"{part}: {len(lines)} texts from {len(splits[part])} sources -> {args.out / f'{part}.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
