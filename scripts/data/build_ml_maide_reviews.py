"""Rebuild data/multilingual/maide_reviews.jsonl.xz (zh, fr, de, it, ru, es, tr, ko, ro; in git, MIT).

Ignat et al., "MAiDE-up: Multilingual Deception Detection of GPT-generated Hotel
Reviews", arXiv:2404.12938 (2024).  Per language about 1,000 real Booking.com
reviews and 1,000 reviews GPT-4 wrote from scratch (hotel name, city, sentiment;
nine prompt templates), for the same hotels.  License: MIT (the repository's
LICENSE).  English is left out (the ensemble's language).

    python scripts/data/build_ml_maide_reviews.py [PATH]

PATH: a checkout of the repository or its archive zip; without it the archive of
the pinned commit is downloaded.  A review is its "liked" and "disliked" fields
as two paragraphs, for both classes alike.  Raw human reviews are shorter than
GPT-4's (median 26 against 44 words in French); the shared length floor (30
words, 60 characters in Chinese) leaves both classes at the same median length,
so length is no shortcut here.  Group = city + hotel: a hotel's real and
generated reviews stay on one side of a split.
"""

from __future__ import annotations

import csv
import io

from ml_common import Source, argv_source, save

REPO = "https://github.com/MichiganNLP/multilingual_reviews_deception"
COMMIT = "e66f8d998338c198ba04b3805b1f7bbd31766b21"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
LANGUAGES = {
    "Chinese": "zh",
    "French": "fr",
    "German": "de",
    "Italian": "it",
    "Russian": "ru",
    "Spanish": "es",
    "Turkish": "tr",
    "Korean": "ko",
    "Romanian": "ro",
}
FILES = {0: "data/real_reviews/real_{name}.csv", 1: "data/generated_reviews/generated_{name}_reviews.csv"}


def review(row: dict) -> str:
    """The liked and the disliked part, each a paragraph; pandas wrote missing parts as 'nan'."""
    parts = [(row.get(k) or "").strip() for k in ("Upside_Review", "Downside_Review")]
    return "\n\n".join(p for p in parts if p and p.lower() != "nan")


def rows(src: Source):
    for name, code in LANGUAGES.items():
        for label, pattern in FILES.items():
            path = pattern.format(name=name)
            for r in csv.DictReader(io.StringIO(src.read(path).decode("utf-8-sig"))):
                yield {
                    "text": review(r),
                    "label": label,
                    "language": code,
                    "source": "maide_reviews",
                    "generator": "gpt-4" if label else "human",
                    "domain": "hotel_review",
                    "group": f"maide-{r['City Name']}-{r['Hotel Name']}",
                    "license": "MIT (human reviews from Booking.com)",
                    "url": f"{REPO}/blob/{COMMIT}/{path}",
                    "sentiment": r.get("Sentiment", ""),
                    **({"variant": r.get("Prompt_Language", "")} if label else {}),
                }


def main() -> None:
    save("maide_reviews", rows(argv_source(ARCHIVE, "maide.zip")))


if __name__ == "__main__":
    main()
