"""Rebuild data/multilingual/autext_es.jsonl.xz (Spanish; not in git: CC BY-NC-SA 4.0).

AuTexTification 2023 (IberLEF), subtask 1, Spanish training split: Sarvazyan et
al., "Overview of AuTexTification at IberLEF 2023: Detection and Attribution of
Machine-Generated Text in Multiple Domains", arXiv:2309.11285.  Human texts of
legal documents, tweets and how-to articles, and texts that BLOOM (1b7, 3b, 7b1)
and GPT-3 (babbage, curie, text-davinci-003) wrote on from a human text's first
words (continuation, not rewriting).  The official archive is on Zenodo; the
copy read here is a public mirror of the same split (32,062 rows, the counts of
the dataset card).

    python scripts/data/build_ml_autext_es.py [PATH]

PATH: a checkout of the mirror or its archive zip; without it the archive of the
pinned commit is downloaded.  The split has no domain or generator column, so
`domain` is "legal/tweets/how-to" and `generator` "bloom-or-gpt3".  Each text is
its own group (AI texts continue openings of other documents than the human
ones: of 5,482 test prompts, 106 share their first 40 characters with a training
human text).  Capped at 3,000 texts per class (deterministic), so this source
does not outweigh the others in size.
"""

from __future__ import annotations

import csv
import gzip
import io

from ml_common import Source, argv_source, save

REPO = "https://github.com/faridlazuarda/autextification"
COMMIT = "f0151550871e815fbfca50a6fc9806408ea428ef"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
TSV = "data/subtask_1/es/train.tsv.gz"
CAP = 3000


def rows(src: Source):
    text = gzip.decompress(src.read(TSV)).decode("utf-8")
    csv.field_size_limit(1 << 24)
    for r in csv.DictReader(io.StringIO(text), delimiter="\t"):
        ai = r["label"].strip() == "generated"
        yield {
            "text": r["text"],
            "label": 1 if ai else 0,
            "language": "es",
            "source": "autext_es",
            "generator": "bloom-or-gpt3" if ai else "human",
            "domain": "legal/tweets/how-to",
            "group": f"autext-es-{r['id']}",
            "license": "CC BY-NC-SA 4.0",
            "url": f"{REPO}/blob/{COMMIT}/{TSV}",
        }


def main() -> None:
    save("autext_es", rows(argv_source(ARCHIVE, "autext.zip")), cap=CAP)


if __name__ == "__main__":
    main()
