"""Rebuild data/multilingual/cred_zh.jsonl.xz (Chinese; not in git).

C-ReD: "A Comprehensive Chinese Benchmark for AI-Generated Text Detection
Derived from Real-World Prompts" (Qing, Wu, Liu et al., arXiv:2604.11796,
2026), https://github.com/HeraldofLight/C-ReD.  Human texts and texts from nine
LLMs (claude-3.5-haiku, deepseek-r1, deepseek-v3, doubao-1.5-pro,
gemini-2.5-flash, gpt-3.5-turbo, gpt-4o, qwen-2.5, qwen-3) written from
real-world prompts on the human text's title; each AI row names the human row
it answers (original_id).  Used here: composition (Gaokao-style essays), film
review and paper (academic abstracts).  Not used: news and question answer,
whose AI files are over the size the snapshot here carried (only the human
files were available; a domain with one class only teaches topic).

The repository states no license, so the data is not committed.

    python scripts/data/build_ml_cred_zh.py [PATH] [--ai-per-human N]

PATH: a checkout of the repository (folder "benchmark data/") or its archive
zip; without it the archive of the pinned commit is downloaded.  Every human
text is kept; for each human text N (default 1) AI answers are kept, the
generators chosen by hash so that all nine appear about equally.  Group = the
title (essay prompt, film, paper), so a split by group keeps every text on one
title on one side.  C-ReD's own label is 1 = human; here label 1 = AI.
"""

from __future__ import annotations

import csv
import io
import sys

from ml_common import Source, save, stable_hash

REPO = "https://github.com/HeraldofLight/C-ReD"
COMMIT = "957f8b185a2c0bac8c34ce75077b64ddb1b1d76b"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
DOMAINS = {"composition": "composition_title", "film review": "film_title", "paper": "paper_title"}


def read_csv(src: Source, name: str) -> list[dict]:
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(io.StringIO(src.read(name).decode("utf-8-sig"))))


def rows(src: Source, ai_per_human: int):
    names = src.names()
    for dom, title_key in DOMAINS.items():
        files = [n for n in names if n.startswith(f"benchmark data/{dom}/") and n.endswith(".csv")]
        human = [n for n in files if n.endswith("_human.csv")]
        ai = [n for n in files if not n.endswith("_human.csv")]
        if not human or not ai:
            continue
        dslug = dom.replace(" ", "_")
        hrows = read_csv(src, human[0])
        by_orig: dict[str, list[dict]] = {}
        for name in sorted(ai):
            for r in read_csv(src, name):
                by_orig.setdefault(r["original_id"], []).append(r)
        for h in hrows:
            group = f"cred-{dslug}-{h[title_key].strip()}"
            url = f"{REPO}/blob/{COMMIT}/{human[0].replace(' ', '%20')}"
            yield {
                "text": h["text"],
                "label": 0,
                "language": "zh",
                "source": "cred_zh",
                "generator": "human",
                "domain": dslug,
                "group": group,
                "license": "no license stated",
                "url": url,
                "pair_id": f"{dslug}-{h['id']}",
            }
            cands = sorted(by_orig.get(h["id"], []), key=lambda r: stable_hash(dslug, h["id"], r["attribution"]))
            for r in cands[:ai_per_human]:
                yield {
                    "text": r["text"],
                    "label": 1,
                    "language": "zh",
                    "source": "cred_zh",
                    "generator": r["attribution"],
                    "domain": dslug,
                    "group": group,
                    "license": "no license stated",
                    "url": f"{REPO}/blob/{COMMIT}/benchmark%20data/{dom.replace(' ', '%20')}"
                    f"/CReD_{dslug}_{r['attribution']}.csv",
                    "pair_id": f"{dslug}-{h['id']}",
                }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = 1
    if "--ai-per-human" in sys.argv:
        n = int(sys.argv[sys.argv.index("--ai-per-human") + 1])
        args = [a for a in args if a != str(n)]
    save("cred_zh", rows(Source(args[0] if args else None, ARCHIVE, "cred.zip"), n))


if __name__ == "__main__":
    main()
