"""How much cheap disguises hide AI text, and what the reading steps that undo three of them
(`model/canonical.py`: invisible characters dropped, lookalike letters folded, typos mended) are worth.

    .venv/bin/python benchmarks/disguises.py --data ../shared/data/ood_dev.jsonl --json out.json

- `lookalikes_in_file`: the file's own AI texts with lookalike letters inside English words (ood_dev's DetectRL
  character attacks put Cyrillic, Armenian or mathematical letters there), scored as sent with the folding turned
  off, then on.
- `made_here`: a seeded sample of the file's other AI texts, scored undisguised, then with each disguise of
  `DISGUISES` made here (zero-width spaces inside words, lookalike letters, extra spaces, paragraph breaks, random
  capitals, non-breaking spaces, typos); a disguise that a reading step undoes is also scored with that step off.

Each is compared with a seeded sample of the file's human texts, scored once as the product reads them: mean
P(AI), the share called AI at the model's threshold, AUROC and TPR at 1% FPR. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from aidetector.model import canonical
from aidetector.model.canonical import PLAIN
from aidetector.model.data import load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.metrics import auroc, tpr_at_fpr
from aidetector.settings import SHIPPED_MODEL_DIR

ZERO_WIDTH_SPACE = "\u200b"
CYRILLIC_LOOKALIKES = str.maketrans("aceopxy", "\u0430\u0441\u0435\u043e\u0440\u0445\u0443")


@contextmanager
def step_off(name: str) -> Iterator[None]:
    """The members read the text without one reading step (`fold_lookalikes`, `drop_invisible` or `mend_typos`):
    the ablation, for this benchmark only. `model/canonical.py` looks the name up in its module at each call."""
    step = getattr(canonical, name)
    setattr(canonical, name, lambda text: text)
    try:
        yield
    finally:
        setattr(canonical, name, step)


def hide_in_words(text: str, rng: random.Random, share: float) -> str:
    """A zero-width space inside `share` of the words longer than three letters."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < share:
            cut = rng.randrange(1, len(word))
            words[i] = word[:cut] + ZERO_WIDTH_SPACE + word[cut:]
    return " ".join(words)


def lookalike_words(text: str, rng: random.Random, share: float) -> str:
    """`share` of the words with their a, c, e, o, p, x, y as Cyrillic lookalikes."""
    return " ".join(w.translate(CYRILLIC_LOOKALIKES) if rng.random() < share else w for w in text.split(" "))


def extra_spaces(text: str, rng: random.Random, share: float) -> str:
    return " ".join(w + " " if rng.random() < share else w for w in text.split(" "))


def paragraph_breaks(text: str, rng: random.Random, share: float) -> str:
    return ". ".join(s + "\n\n" if rng.random() < share else s for s in text.split(". "))


def random_capitals(text: str, rng: random.Random, share: float) -> str:
    return "".join(c.upper() if c.isalpha() and rng.random() < share / 6 else c for c in text)


def non_breaking_spaces(text: str, rng: random.Random, share: float) -> str:
    return "".join("\u00a0" if c == " " and rng.random() < share else c for c in text)


def typos(text: str, rng: random.Random, share: float) -> str:
    """One typo in `share` of the words longer than three letters: two letters swapped, one dropped or one doubled
    (DetectRL's character attacks make such typos, among others); `mend_typos` (model/spelling.py) undoes most."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and word.isalpha() and rng.random() < share:
            at = rng.randrange(1, len(word) - 1)
            kind = rng.randrange(3)
            if kind == 0:
                words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            elif kind == 1:
                words[i] = word[:at] + word[at + 1 :]
            else:
                words[i] = word[: at + 1] + word[at:]
    return " ".join(words)


# name -> (how, the reading step that undoes it, if any); `share` is the share of words (of letters / 6 for
# capitals, of spaces for non-breaking ones) disguised
DISGUISES: dict[str, tuple[Callable[[str, random.Random, float], str], str | None]] = {
    "zero_width_spaces": (hide_in_words, "drop_invisible"),
    "lookalike_letters": (lookalike_words, "fold_lookalikes"),
    "extra_spaces": (extra_spaces, None),
    "paragraph_breaks": (paragraph_breaks, None),
    "random_capitals": (random_capitals, None),
    "non_breaking_spaces": (non_breaking_spaces, None),
    "typos": (typos, "mend_typos"),
}


def figures(ai: Sequence[float], humans: Sequence[float], threshold: float) -> dict[str, Any]:
    labels = [0] * len(humans) + [1] * len(ai)
    scores = [*humans, *ai]
    return {
        "mean_probability_ai": round(float(np.mean(ai)), 4),
        "called_ai_at_threshold": round(float(np.mean(np.asarray(ai) >= threshold)), 4),
        "auroc_vs_humans": round(auroc(labels, scores), 4),
        "tpr_at_1pct_fpr": round(tpr_at_fpr(labels, scores, 0.01), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(SHIPPED_MODEL_DIR))
    parser.add_argument("--data", required=True)
    parser.add_argument("--humans", type=int, default=2000, help="human texts sampled to rank against (0: all)")
    parser.add_argument("--texts", type=int, default=300, help="AI texts sampled to disguise here")
    parser.add_argument("--share", type=float, default=0.3, help="share of the words each disguise changes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    records = load_jsonl(args.data)
    humans = [r.text for r in records if r.label == 0]
    if args.humans and len(humans) > args.humans:
        humans = rng.sample(humans, args.humans)
    ai = [r.text for r in records if r.label == 1]
    disguised = [t for t in ai if canonical.fold_lookalikes(t) != t]
    plain = [t for t in ai if canonical.plain_typography(t) == t.translate(PLAIN)]  # no step changes them
    plain = rng.sample(plain, min(args.texts, len(plain)))
    if not humans or not plain:
        raise SystemExit(f"{args.data}: it needs human and AI texts")
    detector = Detector.from_path(args.model)
    threshold = detector.threshold

    def score(texts: Sequence[str], batch: int = 64) -> list[float]:
        return [p for i in range(0, len(texts), batch) for p in detector.probabilities(texts[i : i + batch])]

    human_scores = score(humans)
    report: dict[str, Any] = {
        "data": Path(args.data).name,
        "model_version": detector.version,
        "threshold": threshold,
        "humans_ranked_against": len(humans),
        "humans_changed_by_the_steps": sum(canonical.plain_typography(t) != t.translate(PLAIN) for t in humans),
    }
    if disguised:
        with step_off("fold_lookalikes"):
            as_sent = score(disguised)
        report["lookalikes_in_file"] = {
            "ai_texts": len(disguised),
            "folding_off": figures(as_sent, human_scores, threshold),
            "folding_on": figures(score(disguised), human_scores, threshold),
        }
    made: dict[str, Any] = {
        "ai_texts": len(plain),
        "share": args.share,
        "undisguised": figures(score(plain), human_scores, threshold),
    }
    for name, (disguise, step) in DISGUISES.items():
        texts = [disguise(t, rng, args.share) for t in plain]
        made[name] = figures(score(texts), human_scores, threshold)
        if step is not None:
            with step_off(step):
                made[f"{name}, {step} off"] = figures(score(texts), human_scores, threshold)
    report["made_here"] = made
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
