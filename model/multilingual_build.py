"""Build the multilingual member into a model folder: fit, calibrate per language, evaluate, decide support.

Deterministic: the split is a hash of (source, group) (`model/multilingual.py` `split_of`), the n-gram features are
hashed and liblinear's fit is seeded; the same data and settings give the same files and the same manifest section.

What is held out, and for what:
- train (60% of each source's groups): fits the one n-gram model, every language together, each
  (language, source, class) cell weighing the same (a class or a source with more texts does not dominate);
- calibration (20%): per language, Platt scaling and the threshold (at most `target_fpr` of its human texts
  called AI);
- test (20%): the figures that decide support (AUROC, and the false-positive rate at the language's threshold);
- by source: for a language with two or more training sources, the member is refitted without one source and
  tested on all of it (threshold from the calibration split of the other sources) — a new kind of text;
- by domain: each domain of a language with enough human texts, held out whole (refit without it); where a
  language has a single training source, these stand in for by-source tests (`domains_stand_in`);
- test-only sources (`test_only_sources`, e.g. AIRABIC, whose human and AI texts are different kinds of text):
  never fitted on; reported as out-of-source figures.
A language is supported when every one of its held-out evaluations (test, each by-source test, and for a
single-source language each by-domain test) reaches `min_auroc` and at most `max_fpr`, on at least
`min_test_humans` human texts, and at least `min_held_out_kinds` of them hold a source or domain out whole: a language
seen in one kind of text only (say, hotel reviews) is not supported, whatever its test split shows
(model/config.py `MultilingualSettings`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .artifact import new_version, read_manifest, refresh_checksums, update_manifest
from .calibration import Platt, threshold_for_fpr
from .config import MultilingualSettings, comma_items
from .data import LABEL_HUMAN, Record, file_sha256, load_jsonl
from .metrics import auroc
from .multilingual import MEMBER, SECTION, split_of
from .ngram import NgramConfig, NgramModel, counts


def _language(record: Record) -> str:
    return record.get("language")


def _source(record: Record) -> str:
    return record.get("source")


def load_records(files: Sequence[Path]) -> list[Record]:
    """Every labelled text of the files; each needs `language` and `source` (data/multilingual/README.md)."""
    records: list[Record] = []
    for path in files:
        for record in load_jsonl(path):
            if record.fields.get("language") is None or record.fields.get("source") is None:
                raise ValueError(f"{path}: every record needs 'language' and 'source' fields")
            records.append(record)
    return records


def sample_weights(records: Sequence[Record]) -> np.ndarray:
    """Each (language, source, class) cell weighs the same in all: 1 / its size (times a constant)."""
    cells = Counter((_language(r), _source(r), r.label) for r in records)
    return np.array([100.0 / cells[(_language(r), _source(r), r.label)] for r in records])


def ngram_config(settings: MultilingualSettings) -> NgramConfig:
    return NgramConfig(
        char_ngrams=(1, 4),
        char_features=settings.char_features,
        word_features=settings.word_features,
        c=settings.c,
        english=False,  # plain typography only: mending typos would turn other languages' words into English ones
    )


class _Features:
    """Hashed counts of every text, computed once; fits and scores slice rows of it."""

    def __init__(self, records: Sequence[Record], config: NgramConfig):
        self.config = config
        self.index = {id(r): i for i, r in enumerate(records)}
        self.matrix = counts(config, [r.text for r in records])

    def rows(self, records: Sequence[Record]) -> Any:
        return self.matrix[[self.index[id(r)] for r in records]]

    def fit(self, records: Sequence[Record]) -> NgramModel:
        labels = [int(r.label or 0) for r in records]
        return NgramModel.fit_counts(self.rows(records), labels, sample_weights(records), self.config)

    def log_odds(self, model: NgramModel, records: Sequence[Record]) -> np.ndarray:
        return model.log_odds_of_counts(self.rows(records)) if records else np.zeros(0)


def _wilson_upper(errors: int, n: int, z: float = 1.96) -> float:
    """Upper end of the 95% Wilson interval of a rate: what a small test set cannot rule out."""
    if n == 0:
        return 1.0
    p = errors / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def figures(labels: Sequence[int], probabilities: Sequence[float], threshold: float) -> dict[str, Any]:
    """AUROC, and the false- and true-positive rates at the threshold, with the counts behind them."""
    y = np.asarray(labels, dtype=int)
    called = np.asarray(probabilities, dtype=np.float64) >= threshold
    humans, ais = int((y == 0).sum()), int((y == 1).sum())
    false_pos, true_pos = int((called & (y == 0)).sum()), int((called & (y == 1)).sum())
    value = auroc(list(y), list(probabilities))
    return {
        "auroc": None if math.isnan(value) else round(value, 4),
        "fpr": round(false_pos / humans, 4) if humans else None,
        "fpr_upper95": round(_wilson_upper(false_pos, humans), 4),
        "tpr": round(true_pos / ais, 4) if ais else None,
        "n_human": humans,
        "n_ai": ais,
    }


def passes(result: dict[str, Any], settings: MultilingualSettings) -> bool:
    """The support rule on one held-out evaluation: AUROC and false-positive rate, on enough human texts for the
    rate to mean something (0 false positives among 12 humans still allows a true rate of 24%)."""
    return (
        result["auroc"] is not None
        and result["fpr"] is not None
        and result["auroc"] >= settings.min_auroc
        and result["fpr"] <= settings.max_fpr
        and result["n_human"] >= settings.min_test_humans
    )


def fit_balanced_platt(log_odds: Sequence[float], labels: Sequence[int]) -> Platt:
    """Platt scaling with both classes weighing the same (the corpora hold 1 to 4 AI texts per human one): a
    probability of 0.5 then means equal evidence for both, whatever the calibration split's class mix."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(log_odds, dtype=np.float64).reshape(-1, 1)
    fitted = LogisticRegression(C=1e6, max_iter=1000, class_weight="balanced").fit(x, np.asarray(labels, dtype=int))
    return Platt(float(fitted.coef_[0, 0]), float(fitted.intercept_[0]))


def _failure(name: str, result: dict[str, Any], settings: MultilingualSettings) -> str:
    why = []
    if result["auroc"] is None or result["auroc"] < settings.min_auroc:
        why.append(f"AUROC {result['auroc']} < {settings.min_auroc}")
    if result["fpr"] is None or result["fpr"] > settings.max_fpr:
        why.append(f"FPR {result['fpr']} > {settings.max_fpr}")
    if result["n_human"] < settings.min_test_humans:
        why.append(f"only {result['n_human']} human texts (< {settings.min_test_humans})")
    return f"{name}: {', '.join(why)}"


def _calibrate(
    log_odds: np.ndarray, records: Sequence[Record], settings: MultilingualSettings
) -> tuple[Platt, float] | None:
    """Per language: balanced Platt scaling, and the threshold calling at most `target_fpr` of the calibration
    human texts AI, never below 0.5 (on a small split the highest human score alone would set it: a text the
    member finds more likely human is never called AI)."""
    labels = [int(r.label or 0) for r in records]
    if len(set(labels)) < 2:
        return None
    platt = fit_balanced_platt(list(log_odds), labels)
    humans = [platt.probability(float(z)) for z, y in zip(log_odds, labels, strict=True) if y == LABEL_HUMAN]
    return platt, max(0.5, threshold_for_fpr(humans, settings.target_fpr))


def _score(
    features: _Features, model: NgramModel, records: Sequence[Record], platt: Platt
) -> tuple[list[int], list[float]]:
    probabilities = [platt.probability(float(z)) for z in features.log_odds(model, records)]
    return [int(r.label or 0) for r in records], probabilities


def build_multilingual(
    model_dir: Path, files: Sequence[Path], settings: MultilingualSettings | None = None
) -> dict[str, Any]:
    """Fit the member on `files`, write `multilingual.npz/.json` into `model_dir`, and its section (support list,
    per-language calibration and figures) into the manifest; checksums refreshed. Returns the section."""
    settings = settings or MultilingualSettings()
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)  # a model folder, before any work
    excluded = set(comma_items(settings.exclude_languages))
    test_only = set(comma_items(settings.test_only_sources))
    records = [r for r in load_records(files) if _language(r) not in excluded]
    fitted = [r for r in records if _source(r) not in test_only]
    split = {id(r): split_of(_source(r), r.group) for r in fitted}
    part = {name: [r for r in fitted if split[id(r)] == name] for name in ("train", "calibration", "test")}
    features = _Features(records, ngram_config(settings))
    model = features.fit(part["train"])

    languages: dict[str, dict[str, Any]] = {}
    for code in sorted({_language(r) for r in records}):
        mine = {name: [r for r in rows if _language(r) == code] for name, rows in part.items()}
        sources = sorted({_source(r) for r in mine["train"]})
        entry: dict[str, Any] = {"sources": sources}
        calibrated = _calibrate(features.log_odds(model, mine["calibration"]), mine["calibration"], settings)
        if not sources or calibrated is None:
            entry.update(supported=False, reason="no training or calibration texts in this language")
        else:
            platt, threshold = calibrated
            entry.update(platt=platt.to_dict(), threshold=round(threshold, 6))
            entry["calibration"] = figures(*_score(features, model, mine["calibration"], platt), threshold)
            entry["test"] = figures(*_score(features, model, mine["test"], platt), threshold)
            entry["by_source"] = _by_source(features, fitted, part, code, sources, settings)
            entry["by_domain"] = _by_domain(features, fitted, part, code, settings)
        for source in sorted({_source(r) for r in records if _language(r) == code and _source(r) in test_only}):
            held = [r for r in records if _language(r) == code and _source(r) == source]
            platt_or_none = Platt(**entry["platt"]) if "platt" in entry else Platt()
            labels, probs = _score(features, model, held, platt_or_none)
            entry.setdefault("test_only", {})[source] = figures(labels, probs, entry.get("threshold", 0.5))
        if "test" in entry:
            # a test-only source is a source held out whole too: it counts as a kind and must pass like one
            held_out = {"test": entry["test"], **entry["by_source"], **entry.get("test_only", {})}
            if settings.domains_stand_in and len(sources) == 1:  # no other source: new domains stand in for one
                held_out.update({f"domain {name}": result for name, result in entry["by_domain"].items()})
            failed = [_failure(name, res, settings) for name, res in held_out.items() if not passes(res, settings)]
            if len(held_out) - 1 < settings.min_held_out_kinds:
                failed.append(
                    f"one kind of text only ({', '.join(sources)}): {len(held_out) - 1} source or domain held out "
                    f"whole, {settings.min_held_out_kinds} needed"
                )
            entry["supported"] = not failed
            entry["reason"] = (
                f"AUROC >= {settings.min_auroc} and FPR <= {settings.max_fpr:.0%} on {', '.join(held_out)}"
                if not failed
                else "; ".join(failed)
            )
        languages[code] = entry

    model.save(model_dir, MEMBER)
    config = ngram_config(settings)
    section = {
        "member": MEMBER,
        "features": (
            f"char_wb {config.char_ngrams[0]}-{config.char_ngrams[1]} (2^{int(math.log2(config.char_features))} "
            f"hashed) + word {config.word_ngrams[0]}-{config.word_ngrams[1]} "
            f"(2^{int(math.log2(config.word_features))} hashed), sublinear TF-IDF, logistic regression C={config.c}"
        ),
        "split": "sha256(source|group) mod 10: 0-5 train, 6-7 calibration (Platt, threshold), 8-9 test",
        "threshold_rule": (
            f"at most {settings.target_fpr:.0%} of the calibration split's human texts called AI, and at least 0.5 "
            "(Platt scaling per language with both classes weighing the same)"
        ),
        "support_rule": (
            f"AUROC >= {settings.min_auroc} and FPR <= {settings.max_fpr:.0%} at the language's threshold, on at "
            f"least {settings.min_test_humans} human texts, on its test split and on every source held out whole "
            "(a source kept for testing only is one)"
            + (" (for a language with one source, every domain held out whole)" if settings.domains_stand_in else "")
            + f"; at least {settings.min_held_out_kinds} such held-out source or domain"
        ),
        "excluded_languages": sorted(excluded),
        "test_only_sources": sorted(test_only),
        "data": {Path(p).name: file_sha256(p) for p in files},
        "n_train": len(part["train"]),
        "supported": sorted(code for code, entry in languages.items() if entry.get("supported")),
        "languages": languages,
    }
    # GET /v1/languages answers differently now: a new version (the registry refuses one that is already latest).
    update_manifest(model_dir, {SECTION: section, **new_version(manifest)})
    refresh_checksums(model_dir)
    return section


def _by_domain(
    features: _Features,
    fitted: Sequence[Record],
    part: dict[str, list[Record]],
    code: str,
    settings: MultilingualSettings,
) -> dict[str, dict[str, Any]]:
    """Each domain of the language with at least `min_test_humans` human texts, held out whole (refit without it,
    calibrate on the other domains): a kind of text the member never saw in that language."""
    out: dict[str, dict[str, Any]] = {}
    mine = [r for r in fitted if _language(r) == code]
    humans = Counter(r.get("domain") for r in mine if r.label == LABEL_HUMAN)
    domains = sorted(d for d, n in humans.items() if n >= settings.min_test_humans and d != "(missing)")
    if len(domains) < 2:
        return out
    for domain in domains:
        model = features.fit([r for r in part["train"] if not (_language(r) == code and r.get("domain") == domain)])
        calibration = [r for r in part["calibration"] if _language(r) == code and r.get("domain") != domain]
        calibrated = _calibrate(features.log_odds(model, calibration), calibration, settings)
        held = [r for r in mine if r.get("domain") == domain]
        if calibrated is not None:
            platt, threshold = calibrated
            out[domain] = figures(*_score(features, model, held, platt), threshold)
    return out


def _by_source(
    features: _Features,
    fitted: Sequence[Record],
    part: dict[str, list[Record]],
    code: str,
    sources: Sequence[str],
    settings: MultilingualSettings,
) -> dict[str, dict[str, Any]]:
    """For each training source of a language that has others: refit without it, calibrate on the others'
    calibration split, test on all of it."""
    out: dict[str, dict[str, Any]] = {}
    if len(sources) < 2:
        return out
    for source in sources:
        model = features.fit([r for r in part["train"] if _source(r) != source])
        calibration = [r for r in part["calibration"] if _language(r) == code and _source(r) != source]
        calibrated = _calibrate(features.log_odds(model, calibration), calibration, settings)
        held = [r for r in fitted if _language(r) == code and _source(r) == source]
        if calibrated is not None:
            platt, threshold = calibrated
            out[source] = figures(*_score(features, model, held, platt), threshold)
    return out
