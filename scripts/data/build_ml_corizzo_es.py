"""Rebuild data/multilingual/corizzo_es_essays.jsonl.xz (Spanish; not in git).

Corizzo & Leal-Arenas, "One-Class Learning for AI-Generated Essay Detection",
Applied Sciences 13(13):7901, 2023.  350 short essays by L2 learners of Spanish
(from COWSL2H, https://github.com/ucdaviscl/cowsl2h) on 7 prompts, and 350
ChatGPT essays ("Escribe un ensayo de 800 palabras sobre [tema]") on the same
prompts.  The repository has no license, so the data is not committed.

    python scripts/data/build_ml_corizzo_es.py [PATH]

PATH: a checkout of the repository or its archive zip; without it the archive of
the pinned commit is downloaded.  The CSV stores the human essays double
mis-decoded (UTF-8 read as cp1252, then as MacRoman); they are repaired here,
since mojibake on one class alone is a shortcut.  Group = the essay prompt, so a
split by group keeps a topic on one side.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re

from ml_common import Source, argv_source, save

REPO = "https://github.com/rcorizzo/one-class-essay-detection"
COMMIT = "5d144fc3b199421effa4f50b94a421b8a242744a"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
CSV = "spanish/short-essays-balanced-merged-cv.csv"

_RUN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]{1,3}"
)


def _one(m: re.Match) -> str:
    s = m.group(0)
    for enc in ("cp1252", "latin-1"):
        try:
            return s.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return s


def fix_mojibake(s: str) -> str:
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        s = s.encode("mac_roman").decode("utf-8")
    for _ in range(3):
        s2 = _RUN.sub(_one, s)
        if s2 == s:
            break
        s = s2
    return s.replace("\u200b", "")


def rows(src: Source):
    text = src.read(CSV).decode("utf-8-sig")
    for r in csv.DictReader(io.StringIO(text)):
        human = r["class"].strip() == "0"
        yield {
            "text": fix_mojibake(r["essay"]),
            "label": 0 if human else 1,
            "language": "es",
            "source": "corizzo_es_essays",
            "generator": "human" if human else "chatgpt-3.5",
            "domain": "student_essay",
            "group": f"corizzo-es-{r['prompt']}",
            "license": "no license stated (human essays from COWSL2H, CC BY 4.0)",
            "url": f"{REPO}/blob/{COMMIT}/{CSV}",
            "prompt": r["prompt"],
        }


def main() -> None:
    save("corizzo_es_essays", rows(argv_source(ARCHIVE, "corizzo.zip")))


if __name__ == "__main__":
    main()
