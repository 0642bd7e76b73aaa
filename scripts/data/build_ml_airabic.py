"""Build data/multilingual/airabic.jsonl.xz from AIRABIC (Arabic, CC BY 4.0).

AIRABIC: 500 human Arabic passages (40 books, Aljazeera news 2014-2016) and
500 ChatGPT texts.  H. Alshammari et al., "AIRABIC: Arabic Dataset for
Performance Evaluation of AI Detectors", https://ieeexplore.ieee.org/document/10459781.

    python scripts/data/build_ml_airabic.py [PATH]

PATH: a checkout of the repository, or its archive zip; without it the archive
of the pinned commit is downloaded.  The human book passages carry Arabic
diacritics (tashkeel) that the ChatGPT texts lack, a one-feature shortcut, so
diacritics are removed from every text (the original files keep them).
"""

from __future__ import annotations

import re

from ml_common import Source, argv_source, save

REPO = "https://github.com/Hamed1Hamed/AIRABIC"
COMMIT = "af1ecee21afa78467c6e9edf2c82a6605b09f4d0"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def rows(src: Source):
    for name in src.names():
        if not name.endswith(".txt") or "dataset in txt format/" not in name:
            continue
        human = "output_human-written_txt" in name
        if not human and "output_AI-generated_txt" not in name:
            continue
        idx = name.rsplit("/", 1)[-1][:-4]
        text = src.read(name).decode("utf-8-sig")
        text = DIACRITICS.sub("", text)
        yield {
            "text": text,
            "label": 0 if human else 1,
            "language": "ar",
            "source": "airabic",
            "generator": "human" if human else "chatgpt-3.5",
            "domain": "books_news" if human else "essay",
            "group": f"airabic-{'h' if human else 'ai'}-{idx}",
            "license": "CC-BY-4.0",
            "url": f"{REPO}/blob/{COMMIT}/{name.replace(' ', '%20')}",
        }


def main() -> None:
    save("airabic", rows(argv_source(ARCHIVE, "airabic.zip")))


if __name__ == "__main__":
    main()
