"""Rebuild data/multilingual/cs_reports_zh.jsonl.xz (Chinese student coursework reports; in git, MIT).

Origin: https://github.com/leezhenglong-dev/ChatGPT-Generated-text-Identifier
(commit b34b580, 2024-03-01), `data/train_data.csv` and `data/test_data.csv`
(columns Text, Generated): excerpts of Chinese university computer-science
course reports and essays written by students (human) and report or essay
sections written by ChatGPT (AI; no version given), collected for a
bert-base-chinese detector.  License: MIT (the repository's LICENSE).

    python scripts/data/build_ml_cs_reports_zh.py [PATH]

PATH: a checkout of the repository or its archive zip; without it the archive
of the pinned commit is downloaded.

No titles or prompts are kept, so every text is its own group: excerpts of one
report may fall on both sides of a split inside this source (the support rule
also holds each source out whole, which this cannot inflate).

Hygiene, besides ml_common's: excerpts that hold program code (braces, ASCII
semicolons, `#include`, `printf`...: C, SQL, JavaScript) are dropped, because
only human excerpts have any (216 of the 1,408 human rows, no AI row): kept,
code would be a one-class shortcut.  A difference
that stays: the human side is mostly lab reports, with English identifiers and
terms (median 17% ASCII characters), the AI side mostly prose about AI
(median 2%); see data/multilingual/README.md.
"""

from __future__ import annotations

import csv
import io
import re

from ml_common import Source, argv_source, save, stable_hash

REPO = "https://github.com/leezhenglong-dev/ChatGPT-Generated-text-Identifier"
COMMIT = "b34b580831d133a4c03be6d5e6b54999459d0220"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
FILES = ["data/train_data.csv", "data/test_data.csv"]
LICENSE = "MIT (repository LICENSE, 2024)"
CODE = re.compile(r"[{};]|#include|std::|int main|printf|return ")


def has_code(text: str) -> bool:
    return CODE.search(text) is not None


def rows(src: Source):
    for name in FILES:
        for r in csv.DictReader(io.StringIO(src.read(name).decode("utf-8-sig"))):
            text = " ".join(r["Text"].split())
            if not text or has_code(text):
                continue
            label = int(r["Generated"])
            yield {
                "text": text,
                "label": label,
                "language": "zh",
                "source": "cs_reports_zh",
                "generator": "chatgpt" if label else "human",
                "domain": "student_report",
                "group": f"cs-reports-zh-{stable_hash(text)[:16]}",
                "license": LICENSE,
                "url": f"{REPO}/blob/{COMMIT}/{name}",
            }


def main() -> None:
    save("cs_reports_zh", rows(argv_source(ARCHIVE, "cs_reports_zh.zip")))


if __name__ == "__main__":
    main()
