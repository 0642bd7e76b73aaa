"""How often newlines, curly quotes and long dashes appear in each (source, label) of a data file.

    .venv/bin/python benchmarks/layout_marks.py --data ../shared/data/train.jsonl

Prints one JSON object: for each source and label, the number of texts and the share that contains a newline, a
curly quote, or a long dash. These marks record how a corpus was prepared and which editor typed it; where they
pattern with the label, a model that reads them learns the corpus, not the writer (`model/style.py` drops
whitespace, `model/canonical.py` makes quotes and dashes ASCII for every member).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

from aidetector.model.canonical import PLAIN
from aidetector.model.data import load_jsonl

CURLY_QUOTES = {chr(c) for c, plain in PLAIN.items() if plain in ("'", '"')}
LONG_DASHES = {chr(c) for c, plain in PLAIN.items() if plain == "-"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    marks = ("newline", "curly_quote", "long_dash")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("texts", *marks), 0))
    for record in load_jsonl(args.data):
        row = counts[f"{record.get('source')} label={record.label}"]
        row["texts"] += 1
        row["newline"] += "\n" in record.text
        row["curly_quote"] += any(c in CURLY_QUOTES for c in record.text)
        row["long_dash"] += any(c in LONG_DASHES for c in record.text)
    report = {
        key: {"texts": row["texts"], **{k: round(row[k] / row["texts"], 3) for k in marks}}
        for key, row in sorted(counts.items())
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
