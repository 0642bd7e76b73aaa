"""Issue 26: do language-agnostic stylometric features + GBDT generalise to held-out sources better than the
multilingual n-gram member?  Leave-one-source-out exactly as model/multilingual_build.py `_by_source`:

  for a held-out source S of language L: fit on the *train* split (sha256(source|group) mod 10 in 0-5) of every
  record whose source != S (pooled: all languages; per-language: only language L), calibrate (Platt, threshold) on
  the calibration split (6-7) of language L without S, score ALL of S in language L.
  ar: kfupm_ar_abstracts is the only training source; airabic is test-only (never fitted) -> it is the held-out one.

Models: ngram (the member's own counts()/NgramModel, same hashing sizes and C), style (HistGradientBoosting on
49 language-agnostic features, absolute-length features left out), style_len (the same plus log chars, log tokens,
sentence and paragraph counts), style_lr (standardised style features, L2 logistic regression C=0.1),
blend_avg (mean of the two Platt-calibrated logits, Platt fitted on the calibration split, equal weights, no
tuning), stack (GBDT on style + out-of-fold n-gram log-odds, 3 group folds of the train split).
Threshold: 5% FPR on the calibration split's human texts (language L, other sources).

Measured on 2026-12-04 and not adopted (docs/BENCHMARKS.md, "Other languages"): style alone generalises worse on
average, the blend a little better, and no variant brings a held-out source near the support rule.

    .venv/bin/python benchmarks/multilingual_style_loso.py [--no-stack] [--json OUT]

Reads data/multilingual/*.jsonl.xz (scripts/data/build_ml_all.py rebuilds the files git does not hold); about six
minutes on two cores.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import math
import os
import re
import sys
import time
import zlib
from collections import Counter
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the machine is shared (HGB uses OpenMP)

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from aidetector.model.canonical import plain_typography
from aidetector.model.config import MultilingualSettings, comma_items
from aidetector.model.data import Record
from aidetector.model.multilingual import split_of
from aidetector.model.multilingual_build import fit_balanced_platt, load_records, ngram_config, sample_weights
from aidetector.model.ngram import NgramModel, counts

DATA = Path(__file__).resolve().parents[1] / "data" / "multilingual"
# The seven sources of the 2026-12-04 measurement, so that its figures stay reproducible as sources are added
SOURCES = (
    "airabic", "autext_es", "corizzo_es_essays", "cred_zh", "iu_hai_corpus", "kfupm_ar_abstracts", "maide_reviews"
)  # fmt: skip
SETTINGS = MultilingualSettings()  # the member's: its n-gram sizes, test-only sources and excluded languages
TEST_ONLY = set(comma_items(SETTINGS.test_only_sources))
EXCLUDE_LANG = set(comma_items(SETTINGS.exclude_languages))
TARGET_FPR = 0.05
NGRAM = ngram_config(SETTINGS)
EVAL = {
    "zh": ["cred_zh", "maide_reviews"],
    "de": ["iu_hai_corpus", "maide_reviews"],
    "fr": ["iu_hai_corpus", "maide_reviews"],
    "es": ["autext_es", "corizzo_es_essays", "iu_hai_corpus", "maide_reviews"],
    "ar": ["airabic"],
}


def load() -> list[Record]:
    records = load_records([DATA / f"{name}.jsonl.xz" for name in SOURCES])
    return [r for r in records if r.get("language") not in EXCLUDE_LANG]


# ---------------------------------------------------------------- style features (no language resources)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff]")
WORD = re.compile(r"\w+", re.UNICODE)
SENT_SPLIT = re.compile(r"(?<=[.!?。！？؟…])\s*|\n+")
PUNCT = {  # rates per character; text is in plain typography (the member's policy: curly quotes/dashes -> ASCII)
    "comma": ",",
    "semicolon": ";",
    "colon": ":",
    "dash": "-",
    "lparen": "(",
    "quote": '"',
    "apos": "'",
    "guillemet": "«»",
    "excl": "!",
    "quest": "?",
    "ellipsis": "…",
    "period": ".",
    "cjk_comma": "，、",
    "cjk_semicolon_colon": "；：",
    "cjk_quote": "「」『』“”",
    "cjk_paren": "（）《》〈〉【】",
    "cjk_stop": "。",
    "cjk_excl_quest": "！？",
    "arabic_punct": "،؛؟",
    "asterisk_hash": "*#",
    "slash": "/",
}
PUNCT_TABLES = {k: set(v) for k, v in PUNCT.items()}


def tokens_of(text: str, cjk: bool) -> list[str]:
    if not cjk:
        return [w.lower() for w in WORD.findall(text)]
    out = []
    for w in WORD.findall(text):  # Han/kana characters one by one, other runs (latin, digits, hangul words) whole
        if HAN.search(w):
            out.extend(ch for ch in w if not ch.isspace())
        else:
            out.append(w.lower())
    return out


def mattr(tokens: list[str], window: int = 50) -> float:
    n = len(tokens)
    if n == 0:
        return 0.0
    if n <= window:
        return len(set(tokens)) / n
    c = Counter(tokens[:window])
    total, steps = len(c), 1
    for i in range(window, n):
        old, new = tokens[i - window], tokens[i]
        c[old] -= 1
        if c[old] == 0:
            del c[old]
        c[new] += 1
        total += len(c)
        steps += 1
    return total / (steps * window)


def entropy(counter: Counter) -> float:
    n = sum(counter.values())
    if n == 0:
        return 0.0
    return -sum(v / n * math.log2(v / n) for v in counter.values())


LENGTH_FEATURES = {"log_chars", "log_tokens", "n_sentences", "n_paragraphs"}


def features(raw: str) -> dict[str, float]:
    text = plain_typography(raw)
    n_chars = max(len(text), 1)
    letters = [ch for ch in text if ch.isalpha()]
    cjk = len(CJK.findall(text)) > 0.3 * max(len(letters), 1)
    toks = tokens_of(text, cjk)
    nt = max(len(toks), 1)
    f: dict[str, float] = {}
    f["log_chars"] = math.log(n_chars)
    f["log_tokens"] = math.log(nt)
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    f["n_paragraphs"] = len(paragraphs)
    f["tokens_per_paragraph"] = nt / max(len(paragraphs), 1)
    sents = [s for s in SENT_SPLIT.split(text) if s and s.strip()]
    sent_toks = [tokens_of(s, cjk) for s in sents]
    sent_toks = [s for s in sent_toks if s]
    lens = np.array([len(s) for s in sent_toks] or [nt], dtype=float)
    f["n_sentences"] = len(lens)
    f["sent_len_mean"] = lens.mean()
    f["sent_len_sd"] = lens.std()
    f["sent_len_cv"] = lens.std() / max(lens.mean(), 1e-9)
    f["sent_len_max_over_mean"] = lens.max() / max(lens.mean(), 1e-9)
    wl = np.array([len(t) for t in toks] or [0], dtype=float)
    f["word_len_mean"] = wl.mean()
    f["word_len_sd"] = wl.std()
    f["long_word_share"] = float((wl >= 8).mean())
    c = Counter(toks)
    f["ttr"] = len(c) / nt
    f["mattr50"] = mattr(toks, 50)
    hapax = sum(1 for v in c.values() if v == 1)
    f["hapax_per_type"] = hapax / max(len(c), 1)
    f["hapax_per_token"] = hapax / nt
    f["top10_mass"] = sum(v for _, v in c.most_common(10)) / nt
    bigrams = list(pairwise(toks))
    f["repeat_bigram_rate"] = 1 - len(set(bigrams)) / len(bigrams) if bigrams else 0.0
    firsts = [s[0] for s in sent_toks]
    if len(firsts) >= 2:
        f["same_first_word_max_share"] = Counter(firsts).most_common(1)[0][1] / len(firsts)
        f["first_word_repeat_prev"] = sum(a == b for a, b in pairwise(firsts)) / (len(firsts) - 1)
    else:
        f["same_first_word_max_share"] = 1.0
        f["first_word_repeat_prev"] = 0.0
    freqs = np.array(sorted(c.values(), reverse=True), dtype=float)
    if len(freqs) >= 5:
        ranks = np.arange(1, len(freqs) + 1)
        f["zipf_slope"] = float(np.polyfit(np.log(ranks), np.log(freqs), 1)[0])
    else:
        f["zipf_slope"] = 0.0
    raw_bytes = text.encode("utf-8")
    f["zlib_ratio"] = len(zlib.compress(raw_bytes, 9)) / max(len(raw_bytes), 1)
    f["lzma_ratio"] = len(lzma.compress(raw_bytes, preset=1)) / max(len(raw_bytes), 1)
    cc = Counter(text)
    f["char_entropy"] = entropy(cc)
    f["char_bigram_entropy"] = entropy(Counter(pairwise(text))) - f["char_entropy"]
    for name, chars in PUNCT_TABLES.items():
        f["p_" + name] = sum(cc[ch] for ch in chars) / n_chars
    f["p_all_punct"] = sum(v for ch, v in cc.items() if not ch.isalnum() and not ch.isspace()) / n_chars
    f["digit_rate"] = sum(v for ch, v in cc.items() if ch.isdigit()) / n_chars
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    f["upper_rate"] = sum(ch.isupper() for ch in cased) / max(len(cased), 1)
    f["newline_rate"] = cc["\n"] / n_chars
    f["space_rate"] = cc[" "] / n_chars
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    f["list_line_share"] = sum(bool(re.match(r"^([-*•]|\d+[.)])\s", ln)) for ln in lines) / max(len(lines), 1)
    f["is_cjk"] = float(cjk)
    return f


# ---------------------------------------------------------------- helpers
def evaluate(score_cal, y_cal, score_test, y_test) -> dict:
    humans = np.sort(score_cal[y_cal == 0])
    thr = np.quantile(humans, 1 - TARGET_FPR, method="higher")  # at most 5% of calibration humans above
    called = score_test > thr
    return {
        "auroc": round(float(roc_auc_score(y_test, score_test)), 4),
        "fpr": round(float(called[y_test == 0].mean()), 4),
        "tpr": round(float(called[y_test == 1].mean()), 4),
        "cal_fpr": round(float((score_cal[y_cal == 0] > thr).mean()), 4),
        "n_human": int((y_test == 0).sum()),
        "n_ai": int((y_test == 1).sum()),
    }


def gbdt(seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def main() -> None:
    stack_on = "--no-stack" not in sys.argv
    out_path = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else ""
    t0 = time.time()
    rows = load()
    n = len(rows)
    lang = np.array([r.get("language") for r in rows])
    src = np.array([r.get("source") for r in rows])
    y = np.array([int(r.label or 0) for r in rows])
    split = np.array(
        ["test_only" if r.get("source") in TEST_ONLY else split_of(r.get("source"), r.group) for r in rows]
    )
    fold = np.array(
        [int(hashlib.sha256(f"fold|{r.get('source')}|{r.group}".encode()).hexdigest(), 16) % 3 for r in rows]
    )

    def cell_weights(idx: np.ndarray) -> np.ndarray:  # the member's: each (language, source, class) weighs the same
        return sample_weights([rows[i] for i in idx])

    print(f"{n} texts loaded {time.time() - t0:.0f}s", flush=True)
    feats = [features(r.text) for r in rows]
    names = list(feats[0])
    X_all = np.array([[f[k] for k in names] for f in feats], dtype=np.float64)
    nolen = [i for i, k in enumerate(names) if k not in LENGTH_FEATURES]
    print(f"{len(names)} style features {time.time() - t0:.0f}s", flush=True)
    C = counts(NGRAM, [r.text for r in rows])
    print(f"n-gram counts {C.shape} {time.time() - t0:.0f}s", flush=True)

    cache: dict = {}

    def memo(tag, idx, make):  # pooled runs share one training set per held-out source: fit once
        key = (tag, hashlib.sha1(np.asarray(idx).tobytes()).hexdigest())
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def fit_ngram(idx):
        return memo("ngram", idx, lambda: NgramModel.fit_counts(C[idx], y[idx], cell_weights(idx), NGRAM))

    def run(train_idx, cal_idx, test_idx) -> dict:
        out = {}
        w = cell_weights(train_idx)
        ng = fit_ngram(train_idx)
        s_ng = {k: ng.log_odds_of_counts(C[i]) for k, i in (("cal", cal_idx), ("test", test_idx))}
        s = {"ngram": s_ng}
        for tag, cols in (("style", nolen), ("style_len", list(range(len(names))))):
            m = memo(
                tag, train_idx, lambda cols=cols: gbdt().fit(X_all[train_idx][:, cols], y[train_idx], sample_weight=w)
            )
            s[tag] = {k: m.decision_function(X_all[i][:, cols]) for k, i in (("cal", cal_idx), ("test", test_idx))}

        # a linear read of the same style features (less room to memorise a corpus than trees)
        def make_lr():
            from sklearn.preprocessing import StandardScaler

            sc = StandardScaler().fit(X_all[train_idx][:, nolen])
            lr = LogisticRegression(C=0.1, max_iter=2000)
            lr.fit(np.clip(sc.transform(X_all[train_idx][:, nolen]), -5, 5), y[train_idx], sample_weight=w)
            return sc, lr

        sc_, lr_ = memo("style_lr", train_idx, make_lr)
        s["style_lr"] = {
            k: lr_.decision_function(np.clip(sc_.transform(X_all[i][:, nolen]), -5, 5))
            for k, i in (("cal", cal_idx), ("test", test_idx))
        }
        # blend: Platt-calibrate each on the calibration split, average the calibrated logits (equal weights)
        yc = y[cal_idx]
        p1, p2 = (fit_balanced_platt(list(s[tag]["cal"]), list(yc)) for tag in ("ngram", "style"))
        s["blend_avg"] = {
            k: 0.5 * (p1.a * s["ngram"][k] + p1.b) + 0.5 * (p2.a * s["style"][k] + p2.b) for k in ("cal", "test")
        }
        if stack_on:  # n-gram log-odds as a GBDT feature: out-of-fold on the train split (3 group folds)

            def make_stack():
                oof = np.zeros(len(train_idx))
                for k in range(3):
                    inner = fold[train_idx] != k
                    mk = fit_ngram(train_idx[inner])
                    oof[~inner] = mk.log_odds_of_counts(C[train_idx[~inner]])
                Xtr = np.column_stack([X_all[train_idx][:, nolen], oof])
                return gbdt().fit(Xtr, y[train_idx], sample_weight=w)

            m = memo("stack", train_idx, make_stack)
            s["stack"] = {
                k: m.decision_function(np.column_stack([X_all[i][:, nolen], s_ng[k]]))
                for k, i in (("cal", cal_idx), ("test", test_idx))
            }
        for tag, sc in s.items():
            out[tag] = evaluate(sc["cal"], yc, sc["test"], y[test_idx])
        return out

    results = {}
    for mode in ("pooled", "per_language"):
        for code, held_sources in EVAL.items():
            for held in held_sources:
                base = (src != held) & (split == "train")
                if mode == "per_language":
                    base &= lang == code
                train_idx = np.where(base)[0]
                cal_idx = np.where((lang == code) & (src != held) & (split == "calibration"))[0]
                test_idx = np.where((lang == code) & (src == held))[0]
                r = run(train_idx, cal_idx, test_idx)
                results[f"{mode}|{code}|{held}"] = r
                print(
                    f"{time.time() - t0:5.0f}s {mode:12s} {code} {held:18s} "
                    + "  ".join(f"{t}={v['auroc']:.3f}/{v['fpr']:.2f}" for t, v in r.items()),
                    flush=True,
                )
                if out_path:
                    Path(out_path).write_text(json.dumps({"features": names, "results": results}, indent=1))

    # importance-free summary table
    tags = list(next(iter(results.values())))
    print("\nAUROC / FPR@5%-cal-threshold on the held-out source")
    print(f"{'mode':12s} {'lang':4s} {'held-out':18s} " + " ".join(f"{t:>13s}" for t in tags))
    for key, r in results.items():
        mode, code, held = key.split("|")
        print(
            f"{mode:12s} {code:4s} {held:18s} "
            + " ".join(f"{r[t]['auroc']:.3f}/{r[t]['fpr']:.3f}".rjust(13) for t in tags)
        )
    print(f"runtime {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
