"""Rebuild data/multilingual/kfupm_ar_abstracts.jsonl.xz (Arabic academic abstracts; not in git).

Origin: the Arabic generated-abstracts corpus of KFUPM (JRCAI): human abstracts
of Arabic journal papers and abstracts written by four LLMs (ALLaM, Jais, Llama,
OpenAI GPT) by polishing the human abstract or from the paper's title (and
content).  Paper: M. S. Al-Shaibani and M. Ahmed, "Detection of Machine-Generated
Arabic Text in the Era of Large Language Models", arXiv:2505.23276 (2025).
The full corpus is on Hugging Face only (KFUPM-JRCAI/arabic-generated-abstracts,
no license declared on its card).  What is read here is the 500-row random
sample of it that a public course project keeps in git as streaming input
(https://github.com/Marwa-ruwaithi/arabic-ai-text-detection_new,
data/processed/stream_input/batch_000..009.json: one JSON object per line with
text, label 0/1 and the generator in "source").  Neither the corpus nor the
project states a license, so the data is not committed.

    python scripts/data/build_ml_kfupm_ar.py [PATH]

PATH: a checkout of the project repository or its archive zip; without it the
archive of the pinned commit is downloaded.

Pairing: the sample keeps no paper id or generation method, so a human abstract
and the AI abstract made from it cannot be linked by id.  Texts whose word
3-grams overlap strongly (containment >= 0.2: polished versions of one abstract)
are put in one group (union-find); every other text is its own group.

Hygiene (one-class artefacts of the scraped journal abstracts): the human
abstracts end with ".." in a third of the rows and put a space before
punctuation in a quarter (the AI ones never do), carry tatweel (kashida) three
times as often, and are always one paragraph while some AI abstracts have
several.  So ".." at a sentence end becomes ".", spaces before punctuation and
tatweel are removed, diacritics are removed (as for AIRABIC), and paragraphs are
joined into one for every text.
"""

from __future__ import annotations

import json
import re

from ml_common import Source, argv_source, save, stable_hash

REPO = "https://github.com/Marwa-ruwaithi/arabic-ai-text-detection_new"
COMMIT = "df9a537778cb836b8410699cfce44755b582e98e"
ARCHIVE = f"{REPO}/archive/{COMMIT}.zip"
FILES = [f"data/processed/stream_input/batch_{i:03d}.json" for i in range(10)]
GENERATORS = {"allam": "allam", "jais": "jais", "llama": "llama", "openai": "openai-gpt"}
LICENSE = "none declared (KFUPM-JRCAI/arabic-generated-abstracts; sample repository: none)"

DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = re.compile("\u0640+")
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # exactly two periods (a real ellipsis keeps three)
SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,،؛:!?؟)])")
SPACES = re.compile(r"\s+")
WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    text = DIACRITICS.sub("", text)
    text = TATWEEL.sub("", text)
    text = SPACES.sub(" ", text).strip()  # one paragraph
    text = DOUBLE_STOP.sub(".", text)
    return SPACE_BEFORE_PUNCT.sub(r"\1", text)


def _shingles(text: str) -> set[tuple[str, ...]]:
    w = WORD.findall(text)
    return set(zip(w, w[1:], w[2:], strict=False))


def groups_by_overlap(texts: list[str], threshold: float = 0.2) -> list[str]:
    """Union-find over word-3-gram containment; group id = hash of the component's smallest text."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sh = [_shingles(t) for t in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = sh[i], sh[j]
            if a and b and len(a & b) / min(len(a), len(b)) >= threshold:
                parent[find(i)] = find(j)
    members: dict[int, list[str]] = {}
    for i, t in enumerate(texts):
        members.setdefault(find(i), []).append(t)
    key = {root: stable_hash(min(ts))[:16] for root, ts in members.items()}
    return [f"kfupm-ar-{key[find(i)]}" for i in range(len(texts))]


def rows(src: Source):
    raw = []
    for name in FILES:
        for line in src.read(name).decode("utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                raw.append((name, normalise(r["text"]), int(r["label"]), r["source"]))
    raw.sort(key=lambda x: stable_hash(x[1]))
    group = groups_by_overlap([t for _, t, _, _ in raw])
    for (name, text, label, gen), g in zip(raw, group, strict=True):
        yield {
            "text": text,
            "label": 1 if label == 1 else 0,
            "language": "ar",
            "source": "kfupm_ar_abstracts",
            "generator": "human" if label == 0 else GENERATORS.get(gen, gen),
            "domain": "academic_abstract",
            "group": g,
            "license": LICENSE,
            "url": f"{REPO}/blob/{COMMIT}/{name}",
        }


def main() -> None:
    save("kfupm_ar_abstracts", rows(argv_source(ARCHIVE, "kfupm_ar.zip")))


if __name__ == "__main__":
    main()
