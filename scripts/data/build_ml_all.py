"""Build every data/multilingual/*.jsonl.xz file (stdlib + numpy only).

    python scripts/data/build_ml_all.py [--src NAME=PATH ...]

NAME is one of airabic, iu_corpus, corizzo_es, cred_zh, maide, autext_es, kfupm_ar, cs_reports_zh; PATH a local
checkout, archive zip or (iu_corpus) folder of the four pickles.  A source without PATH is
downloaded from its pinned public origin (see each build_ml_*.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILDERS = {
    "airabic": "build_ml_airabic.py",
    "iu_corpus": "build_ml_iu_corpus.py",
    "corizzo_es": "build_ml_corizzo_es.py",
    "cred_zh": "build_ml_cred_zh.py",
    "maide": "build_ml_maide_reviews.py",
    "autext_es": "build_ml_autext_es.py",
    "kfupm_ar": "build_ml_kfupm_ar.py",
    "cs_reports_zh": "build_ml_cs_reports_zh.py",
}


def main() -> int:
    paths = {}
    args = sys.argv[1:]
    for i, a in enumerate(args):
        if a == "--src" and i + 1 < len(args):
            name, _, path = args[i + 1].partition("=")
            paths[name] = path
    rc = 0
    for name, script in BUILDERS.items():
        cmd = [sys.executable, str(HERE / script)] + ([paths[name]] if name in paths else [])
        rc |= subprocess.call(cmd, cwd=HERE)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
