#!/usr/bin/env python3
"""Build data/train_pool/*.jsonl.xz: extra human and AI training texts from public detection corpora.

Deterministic (no randomness beyond a fixed seed), stdlib + numpy only (and ftfy, installed with wordfreq, for the
second batch's mojibake).

Each source is read from a copy of its public GitHub repository: pass ``--repo NAME=PATH`` where PATH is a
checkout (``git clone https://github.com/OWNER/REPO``) or a bare git directory (files are then read with
``git show HEAD:path``). Repositories used (see data/train_pool/README.md for papers and licenses):

    biscope      https://github.com/MarkGHX/BiScope                 (CC BY-SA 4.0, committed)
    imbd         https://github.com/Jiaqi-Chen-00/ImBD              (Apache-2.0, committed)
    dap          https://github.com/GYK-CASIC/DAP                   (Apache-2.0, committed)
    raidar       https://github.com/cvlab-columbia/RaidarLLMDetect  (no license file: rebuilt, git-ignored)
    absgen       https://github.com/PrashantGondaliya/AI-vs-Human-Written-Text-Classification (no license: rebuilt)
    bbc          http://mlg.ucd.ie/datasets/bbc.html, extracted bbc/ folder (BBC copyright: rebuilt)
    wpcreativity https://github.com/AlvinJ404/writingprompts_creativity (no license: rebuilt)
    lvabstracts  https://github.com/Maris11/Abstract-Checker         (no license: rebuilt)
    outfox       https://github.com/ryuryukke/OUTFOX  (only read to decontaminate against its kept-back test split)

Added 2026-12-05 (a second batch, balanced on its own after the first, so the first eight files stay as built):

    coursework   https://github.com/comnetsAD/ChatGPT               (no license: rebuilt)
    headlines    https://github.com/ResidentEvil97/AI-Classifier    (no license; news copyright: rebuilt)
    maide_en     https://github.com/MichiganNLP/multilingual_reviews_deception (MIT, committed)
    sotastories  https://github.com/Vargram1/Cyborgs-Pen            (no license: rebuilt)

Tried on 2026-12-05 and not adopted (read only with --tried, written nowhere by default; see TRIED):

    ghostbuster  https://github.com/A-Salty-Fish/SaltyFishGptDetector (a copy of Ghostbuster's essays; no license)
    caiado       https://github.com/antoniocaiado1/ai-self-detection-study-dataset (no license)
    seqxgpt      https://github.com/Jihuai-wpy/SeqXGPT              (Apache-2.0)

Processing, the same for both labels of a corpus:
  * mojibake repair, markup stripping (markdown headers/bold, a leading "Title:"/"Abstract:" label or a short
    title line), hard line wraps inside a paragraph joined (paragraphs kept as "\\n\\n"), whitespace collapsed;
  * texts over 600 words cut to the leading whole paragraphs up to ~400 words (whole sentences when the first
    paragraph alone is longer); texts under 30 words dropped;
  * non-English, all-lowercase/tokenised, refusal/empty or prompt-echo texts dropped;
  * LLM revisions of a human text that changed almost nothing (word-level similarity > 0.85) dropped;
  * exact and near duplicates (normalised first 200 characters) dropped within the pool and against every text of
    --shared (the project's train/test/ood_dev/extra_train files) and OUTFOX's kept-back test split; the AI twins
    (same group) of a human text that is in a held-out set (test, ood_dev, OUTFOX test) dropped too;
  * per domain, AI texts are subsampled (round-robin over generators) so AI is at most 70%, and human texts so AI
    is at least 30%; per-source caps keep any one corpus from dominating;
  * per domain each text is cut at a sentence boundary to min(own length, length of a random other-label text),
    so that length carries no label information.

Usage:
    python scripts/data/build_train_pool.py --repo biscope=/path/BiScope --repo imbd=/path/ImBD \\
        --repo dap=/path/DAP --repo raidar=/path/RaidarLLMDetect --repo absgen=/path/AI-vs-Human... \\
        --repo bbc=/path/bbc --repo wpcreativity=/path/writingprompts_creativity \\
        --repo lvabstracts=/path/Abstract-Checker --repo outfox=/path/OUTFOX \\
        --shared /path/to/shared/data --out data/train_pool [--only raidar,absgen]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import io
import json
import lzma
import os
import pickle
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

SEED = 20261203
MIN_WORDS, MAX_WORDS, EXCERPT_WORDS = 30, 600, 400
AI_SHARE_MIN, AI_SHARE_MAX = 0.30, 0.70


# ----------------------------------------------------------------------------------------------- reading
class Repo:
    """Read files from a checkout or a bare git directory."""

    def __init__(self, path: str):
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, ".git")) and os.path.isfile(os.path.join(path, "HEAD"))

    def read(self, rel: str) -> bytes:
        if self.bare:
            return subprocess.run(
                ["git", "--git-dir", self.path, "show", f"HEAD:{rel}"], check=True, capture_output=True
            ).stdout
        with open(os.path.join(self.path, rel), "rb") as f:
            return f.read()

    def ls(self, prefix: str) -> list[str]:
        """Paths of the files under a folder, sorted."""
        if self.bare:
            out = subprocess.run(
                ["git", "--git-dir", self.path, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", prefix],
                check=True,
                capture_output=True,
            ).stdout.decode("utf-8")
            return sorted(p for p in out.split("\0") if p)
        root = os.path.join(self.path, prefix)
        return sorted(
            os.path.relpath(os.path.join(d, f), self.path).replace(os.sep, "/")
            for d, _, fs in os.walk(root)
            for f in fs
        )

    def json(self, rel: str):
        return json.loads(self.read(rel).decode("utf-8"))

    def csv_rows(self, rel: str, encoding: str = "utf-8") -> list[dict[str, str]]:
        """A CSV file's rows as dicts. Some corpora keep whole articles in one cell, over the csv module's default
        field limit (128 KiB): the limit, a process-wide setting, is raised while this file is read, then restored."""
        text = self.read(rel).decode(encoding)
        limit = csv.field_size_limit(1 << 30)
        try:
            return list(csv.DictReader(io.StringIO(text)))
        finally:
            csv.field_size_limit(limit)

    def exists(self, rel: str) -> bool:
        try:
            self.read(rel)
            return True
        except (subprocess.CalledProcessError, FileNotFoundError):
            return False


# ----------------------------------------------------------------------------------------------- cleaning
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u20ac\u2122\u0153\u201c\u201d\u02dc\u0161\u017e\u00a0]")
_MD = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(.+?)__(?!\w)"), r"\1"),
]
_LABEL_LINE = re.compile(r"^\s*(title|abstract|review|story|essay|article|headline)\s*:\s*", re.I)
_REFUSAL = re.compile(
    r"\b(as an ai( language model)?|i'm sorry, but i can|i cannot fulfill|i can't assist|"
    r"here is (a|the) (rewritten|revised|polished|paraphrased|expanded)|"
    r"here's (a|the) (rewritten|revised|polished|paraphrased|expanded))",
    re.I,
)
_PREAMBLE = re.compile(
    r"^(here is|here's|here are|sure|certainly|okay|ok|below is|of course)\b[^\n]{0,250}[:.!]$", re.I
)
_POSTAMBLE = re.compile(
    r"^[(\[*]*(i hope (this|that|you)|let me know|feel free|please let me know|note:|word count|"
    r"this (revised|rewritten|polished|paraphrased|expanded|new) (version|text|paragraph)|"
    r"(the )?(revised|rewritten|polished|paraphrased) (version|text) )",
    re.I,
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "`": "'"})
# XSum/BBC page furniture that LLM continuations copy from their prompt
_BOILERPLATE = re.compile(
    r"(Media playback[^.]{0,40}?(this|your) device\b[.,]?|"
    r"Follow us on (Twitter|Facebook)[^.]*\.|Subscribe to the BBC[^.]*\.)\s*",
    re.I,
)
_STOP = set("the of and to a in is that it for on was with as be by this are at from have not or an but".split())


def fix_mojibake(t: str) -> str:
    if not _MOJIBAKE.search(t):
        return t
    for enc in ("cp1252", "latin-1"):
        try:
            return t.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return t


def words(t: str) -> list[str]:
    return t.split()


def _sentences(p: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])", p)


def excerpt(paras: list[str]) -> list[str]:
    if sum(len(words(p)) for p in paras) <= MAX_WORDS:
        return paras
    out, n = [], 0
    for p in paras:
        k = len(words(p))
        if out and n + k > EXCERPT_WORDS:
            break
        if not out and k > EXCERPT_WORDS:  # a single very long paragraph: whole sentences
            sent, m = [], 0
            for s in _sentences(p):
                ks = len(words(s))
                if sent and m + ks > EXCERPT_WORDS:
                    break
                sent.append(s)
                m += ks
            return [" ".join(sent)]
        out.append(p)
        n += k
    return out


def clean(t: str, mode: str = "para") -> str | None:
    """Normalise one text; None if it is to be dropped. Applied identically to human and AI texts of a corpus.

    mode: how line breaks are read, chosen per corpus and domain so that both labels look alike:
      "para"  blank lines separate paragraphs, single line breaks are hard wraps (joined);
      "lines" every line break separates paragraphs (corpora whose human side uses single line breaks);
      "flat"  one paragraph (corpora whose human side was stored without paragraph breaks).
    """
    if not isinstance(t, str):
        return None
    t = fix_mojibake(unicodedata.normalize("NFC", t)).replace("\r\n", "\n").replace("\r", "\n")
    t = t.replace("\u00a0", " ").replace("\t", " ")
    t = re.sub(r"<[^>]{1,40}>", " ", t)  # stray html tags
    for pat, rep in _MD:
        t = pat.sub(rep, t)
    t = _BOILERPLATE.sub("", t.translate(_QUOTES))
    split = r"\n\s*" if mode == "lines" else r"\n\s*\n"
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(split, t.strip())]  # join hard wraps
    paras = [p for p in paras if p]
    # drop a leading label or title line ("Title: ...", "Abstract:", a short line without final punctuation)
    while paras:
        p0 = paras[0]
        m = _LABEL_LINE.match(p0)
        if m:
            rest = p0[m.end() :].strip()
            if m.group(1).lower() == "title" or not rest:
                paras = paras[1:]
            else:
                paras[0] = rest
            continue
        if len(paras) > 1 and _PREAMBLE.match(p0):  # chat preamble ("Here is a revised version ...:")
            paras = paras[1:]
            continue
        if len(paras) > 1 and len(words(p0)) <= 12 and not re.search(r"[.!?:;\"')\]]$", p0):
            paras = paras[1:]
            continue
        break
    paras = [p for p in paras if not re.fullmatch(r"[-=*_#~. ]+", p)]
    while len(paras) > 1 and _POSTAMBLE.match(paras[-1]):  # chat sign-off ("Let me know if ...", "Note: ...")
        paras = paras[:-1]
    if not paras:
        return None
    if mode == "flat":
        paras = [" ".join(paras)]
    paras = excerpt(paras)
    t = "\n\n".join(paras).strip()
    w = words(t)
    if len(w) < MIN_WORDS or len(w) > MAX_WORDS + 50:
        return None
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 100:
        return None
    if sum(c.isascii() for c in letters) / len(letters) < 0.97:  # non-English / broken encoding
        return None
    if sum(c.isupper() for c in letters) / len(letters) < 0.002:  # lower-cased (tokenised) copies
        return None
    if len(re.findall(r"[.!?] [a-z]", t)) > len(re.findall(r"[.!?] [A-Z]", t)):
        return None
    if not re.match(r"[\"'(\[]?[A-Z0-9]", t):  # starts mid-sentence (continuations, cut-off fragments)
        return None
    if len(re.findall(r" [,.;:)] ", t)) > 3:  # PTB-tokenised copies
        return None
    lw = [x.lower().strip(".,;:!?\"'()") for x in w]
    if sum(x in _STOP for x in lw) / len(lw) < 0.12:  # not running English prose
        return None
    if len(set(lw)) / len(lw) < 0.25:  # degenerate repetition
        return None
    if _REFUSAL.search(t[:300]):
        return None
    return t


def dedup_key(t: str) -> str:
    s = unicodedata.normalize("NFKC", t).lower()
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return s[:200]


def similarity(a: str, b: str) -> float:
    wa, wb = a.lower().split()[:400], b.lower().split()[:400]
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def gid(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


# newline treatment per (source, domain), the same for both labels (see clean()); default "para"
MODES = {
    ("biscope", "scientific_abstract"): "flat",
    ("biscope", "creative_writing"): "flat",
    ("raidar", "scientific_abstract"): "flat",
    ("absgen", "scientific_abstract"): "flat",
    ("imbd", "news"): "flat",
    ("imbd", "creative_writing"): "flat",
    ("imbd", "wikipedia"): "flat",
    ("bbc", "news"): "flat",
    ("wpcreativity", "creative_writing"): "flat",
    ("lvabstracts", "thesis_abstract"): "flat",
    ("coursework", "course_answer"): "lines",  # students break lines once, ChatGPT twice
    ("sotastories", "creative_writing"): "flat",
    ("seqxgpt", "article_continuation"): "flat",  # the models break paragraphs, the human paragraphs have none
}


def rec(text, label, source, generator, domain, group):
    origin = SOURCES[source]
    return {
        "text": text,
        "label": int(label),
        "source": source,
        "generator": generator,
        "domain": domain,
        "group": group,
        "license": origin.license,
        "url": origin.url,
    }


# ----------------------------------------------------------------------------------------------- sources
BISCOPE_DOMAINS = {"Arxiv": "scientific_abstract", "Yelp": "yelp_review", "Creative": "creative_writing"}
BISCOPE_GENS = {
    "gpt-3.5-turbo": "gpt-3.5-turbo",
    "gpt-4-turbo-preview": "gpt-4-turbo-preview",
    "claude-3-opus": "claude-3-opus",
    "claude-3-sonnet": "claude-3-sonnet",
    "gemini-1.0-pro": "gemini-1.0-pro",
}


def _human_text(x):
    if isinstance(x, str):
        return x
    for k in ("abs", "essay", "text", "input"):
        if isinstance(x, dict) and isinstance(x.get(k), str):
            return x[k]
    return None


def load_biscope(repo: Repo):
    """BiScope: human texts (arXiv abstracts and Yelp reviews from Raidar, WritingPrompts stories from
    Ghostbuster) and AI texts aligned with them by index (the prompt is built from the human text), plain and
    paraphrased. Essays are left out: their human side is missing from the repository (file over 4 MiB there,
    and an all-AI essay domain would teach its topics as a shortcut); code is left out (not prose)."""
    out = []
    for dname, domain in BISCOPE_DOMAINS.items():
        humans = repo.json(f"Dataset/{dname}/{dname}_human.json")
        for i, x in enumerate(humans):
            out.append(rec(_human_text(x), 0, "biscope", "human", domain, f"{domain}:{i}"))
        for fg, gen in BISCOPE_GENS.items():
            for folder, suffix in (("Dataset", ""), ("Paraphrased_Dataset", "+paraphrase")):
                rel = f"{folder}/{dname}/{dname}_{fg}.json"
                if not repo.exists(rel):
                    print(f"  biscope: missing {rel}", file=sys.stderr)
                    continue
                ai = repo.json(rel)
                aligned = len(ai) == len(humans)
                for i, x in enumerate(ai):
                    g = f"{domain}:{i}" if aligned else gid("biscope", rel, i)
                    out.append(rec(_human_text(x), 1, "biscope", gen + suffix, domain, g))
    return out


RAIDAR_FILES = [
    # (path, domain, generator, aligned with the 350 arXiv / 2000 Yelp human texts by index?)
    ("Arxiv/arxiv_GPT_concise.json", "scientific_abstract", "gpt-3.5-turbo", True),
    (
        "Arxiv/fake_gen_by_diff_diff_model/gpt-4-1106-preview_arxiv_GPT_concise.json",
        "scientific_abstract",
        "gpt-4-1106-preview",
        True,
    ),
    (
        "Arxiv/fake_gen_by_diff_diff_model/text-davinci-002_arxiv_GPT_concise.json",
        "scientific_abstract",
        "text-davinci-002",
        True,
    ),
    (
        "Arxiv/evade/arXiv_GPT-evade_Help_me_rephrase_it_in_human_style_.json",
        "scientific_abstract",
        "gpt-3.5-turbo+rephrase_human_style",
        True,
    ),
    (
        "Arxiv/evade/arXiv_GPT-evade_Help_me_rephrase_it,_so_that_another_GPT_rewriting_will_cause_a_lot_of_modifications.json",
        "scientific_abstract",
        "gpt-3.5-turbo+rephrase_evade_rewrite",
        True,
    ),
    ("Yelp/yelp_GPT_concise.json", "yelp_review", "gpt-3.5-turbo", True),
    (
        "Yelp/fake_gen_by_diff_model/gpt-4-1106-preview_yelp_GPT_concise_400test_only.json",
        "yelp_review",
        "gpt-4-1106-preview",
        False,
    ),
    (
        "Yelp/fake_gen_by_diff_model/text-davinci-002_yelp_GPT_concise_400test_only.json",
        "yelp_review",
        "text-davinci-002",
        False,
    ),
    (
        "Yelp/evade/yelp_GPT-evade_Help_me_rephrase_it_in_human_style_-400sub.json",
        "yelp_review",
        "gpt-3.5-turbo+rephrase_human_style",
        False,
    ),
    (
        "Yelp/evade/yelp_GPT-evade_Help_me_rephrase_it,_so_that_another_GPT_rewriting_will_cause_a_lot_of_modifications-400sub.json",
        "yelp_review",
        "gpt-3.5-turbo+rephrase_evade_rewrite",
        False,
    ),
]


def load_raidar(repo: Repo):
    """Raidar (human arXiv/Yelp texts are the same as BiScope's and fall out as duplicates)."""
    out = []
    for rel, domain, gen, aligned in RAIDAR_FILES:
        data = repo.json(rel)
        for i, x in enumerate(data):
            t = _human_text(x)
            g = f"{domain}:{i}" if aligned and len(data) in (350, 2000) else gid("raidar", rel, i)
            out.append(rec(t, 1, "raidar", gen, domain, g))
    return out


IMBD_DOMAINS = {"xsum": "news", "squad": "wikipedia", "writing": "creative_writing"}
IMBD_GENS = {
    "gpt-3.5-turbo": "gpt-3.5-turbo",
    "gpt-4o": "gpt-4o",
    "Llama-3-8B": "llama-3-8b-instruct",
    "Mistral-7B": "mistral-7b-instruct",
    "Qwen2-7B": "qwen2-7b-instruct",
    "Deepseek-7b": "deepseek-llm-7b-chat",
}


def load_imbd(repo: Repo):
    """ImBD: LLM revisions (polish / rewrite / expand) of human XSum news, SQuAD Wikipedia and WritingPrompts
    texts, and free generations from the news; plus 500 news paragraphs polished by GPT-3.5-turbo (ImBD's own
    training set). Human originals are kept as the human side (many are also in Fast-DetectGPT's data, which is
    in train.jsonl, and fall out there). The PubMedQA-based parts are not read."""
    out = []
    for task in ("polish", "rewrite", "expand", "generation"):
        for fg, gen in IMBD_GENS.items():
            for dn, domain in IMBD_DOMAINS.items():
                rel = f"data/{task}/{fg}/{dn}_{task}_{fg}.raw_data.json"
                if not repo.exists(rel):
                    continue
                d = repo.json(rel)
                for orig, new in zip(d["original"], d["rewritten"], strict=False):
                    g = gid("imbd", dn, orig.strip()[:200])
                    out.append(rec(orig, 0, "imbd", "human", domain, g))
                    r = rec(new, 1, "imbd", gen if task == "generation" else f"{gen}+{task}", domain, g)
                    if task != "generation":
                        r["_orig"] = orig
                    out.append(r)
    d = repo.json("data/ai_detection_500_polish.raw_data.json")
    for orig, new in zip(d["original"], d["rewritten"], strict=False):
        g = gid("imbd", "news500", orig.strip()[:200])
        out.append(rec(orig, 0, "imbd", "human", "news", g))
        r = rec(new, 1, "imbd", "gpt-3.5-turbo+polish", "news", g)
        r["_orig"] = orig
        out.append(r)
    return out


def load_absgen(repo: Repo):
    """arXiv abstracts and LLM abstracts written from the same titles (generator not stated; the texts read as
    gpt-3.5-turbo output)."""
    out = []
    rows = repo.csv_rows("data_set.csv")
    for r in rows:
        lab = 1 if r["is_ai_generated"].strip() == "1" else 0
        g = gid("absgen", re.sub(r"\s+", " ", r["title"]).strip().lower())
        out.append(rec(r["abstract"], lab, "absgen", "unknown-llm" if lab else "human", "scientific_abstract", g))
    return out


def load_bbc(repo: Repo):
    """BBC News (2004-05), human only: the news domain's human side beside ImBD's XSum (also BBC) revisions.
    PATH is the extracted bbc/ folder of http://mlg.ucd.ie/datasets/bbc.html (bbc-fulltext.zip), or a
    repository holding it under bbc/."""
    out = []
    prefix = "bbc/" if repo.exists("bbc/business/001.txt") else ""
    for topic in ("business", "entertainment", "politics", "sport", "tech"):
        for i in range(1, 600):
            rel = f"{prefix}{topic}/{i:03d}.txt"
            try:
                b = repo.read(rel)
            except (subprocess.CalledProcessError, FileNotFoundError):
                continue
            try:
                t = b.decode("utf-8")
            except UnicodeDecodeError:
                t = b.decode("latin-1")
            out.append(rec(t, 0, "bbc", "human", "news", gid("bbc", topic, i)))
    return out


def detok_wp(t: str) -> str:
    """Undo the WritingPrompts release's PTB-style tokenisation (" , ", " n't", `` '' quotes, <newline>)."""
    t = t.replace("<newline>", "\n")
    lines = []
    for line in t.split("\n"):
        s = " " + line.strip() + " "
        s = s.replace(" `` ", ' " ').replace(" '' ", ' " ')
        s = re.sub(r" (n't|'s|'re|'ve|'m|'ll|'d|'S|N'T)(?=[ .,!?;:])", r"\1", s)
        s = re.sub(r" ([,.;:!?%)\]}])", r"\1", s)
        s = re.sub(r"([(\[{$]) ", r"\1", s)
        s = re.sub(r" \.\.\.", "...", s)
        parts = s.split(' " ')  # pair straight double quotes: opening ones hug the next word, closing the previous
        if len(parts) > 1:
            out = parts[0]
            for i, p in enumerate(parts[1:]):
                out += (' "' + p) if i % 2 == 0 else ('" ' + p)
            s = out
        s = re.sub(r'^ " ', ' "', s)
        s = re.sub(r' "\s*$', '"', s)
        s = re.sub(r" ' ([^']{1,60}) ' ", r" '\1' ", s)
        lines.append(re.sub(r"\s+", " ", s).strip())
    return "\n".join(lines)


def load_wpcreativity(repo: Repo):
    """WritingPrompts stories (detokenised) and GPT-3.5-turbo / GPT-4 stories written to the same prompts."""
    out, seen = [], set()
    for fg, gen in (("gpt-4", "gpt-4"), ("gpt-3.5-turbo", "gpt-3.5-turbo")):
        for rel in (f"dataset/{fg}/train/orig/train.csv", f"dataset/{fg}/test/test.csv"):
            rows = repo.csv_rows(rel)
            for r in rows:
                g = f"wp:{r['row_id']}"
                story = r.get("story") or ""
                if g not in seen and story and "http" not in story:
                    seen.add(g)
                    out.append(rec(detok_wp(story), 0, "wpcreativity", "human", "creative_writing", g))
                comp = r.get("completion") or ""
                if comp.strip():
                    out.append(rec(comp, 1, "wpcreativity", gen, "creative_writing", g))
    return out


def load_dap(repo: Repo):
    """DAP's ROCStories split: five-sentence human stories, an LLM's story from the same opening, and the LLM
    story paraphrased "to sound more human-like" by DAP's paraphraser (models not named in the release)."""
    out = []
    for rel in ("dataset/roc/train/train_warmup.json", "dataset/roc/test/test.json"):
        for x in repo.json(rel):
            g = f"roc:{x['id']}"
            out.append(rec(x.get("original_text"), 0, "dap", "human", "short_story", g))
            out.append(rec(x.get("ai_generated_text"), 1, "dap", "unknown-llm", "short_story", g))
            if x.get("paraphrased_text"):
                out.append(rec(x["paraphrased_text"], 1, "dap", "unknown-llm+paraphrase_humanize", "short_story", g))
    return out


LV_FIELDS = {
    "bio": "biology",
    "bme": "business_economics",
    "df": "humanities",
    "fmo": "physics_maths_optometry",
    "geo": "geography_earth_sciences",
    "hzf": "history_philosophy",
    "law": "law",
    "med": "medicine",
    "ppm": "education_psychology_arts",
}


def load_lvabstracts(repo: Repo):
    """English abstracts of University of Latvia theses (written by the students, non-native English) and
    gpt-3.5-turbo abstracts generated from the same (Latvian) thesis titles; paired by id within a field."""
    out = []
    for f in LV_FIELDS:
        for kind, lab in (("real", 0), ("generated", 1)):
            rel = f"abstracts/english/{f}_abstracts_{kind}.csv"
            for r in repo.csv_rows(rel):
                g = f"lv:{f}:{r['id']}"
                out.append(
                    rec(r["abstract"], lab, "lvabstracts", "gpt-3.5-turbo" if lab else "human", "thesis_abstract", g)
                )
    return out


# --- the second batch (2026-12-05)
def unbake(t: str) -> str:
    """Mojibake repaired where `fix_mojibake` gives up: texts that mix it with intact characters, and Mac Roman
    ("one‚Äôs"). ftfy (installed with wordfreq) is the maintained tool for it; the first batch keeps
    `fix_mojibake` so that its files stay as built."""
    import ftfy

    return ftfy.fix_text(t, uncurl_quotes=False)


def _course_question(path: str) -> tuple[str, str] | None:
    """(course, question number) of a comnetsAD answer path; None for code questions and courses."""
    parts = path.split("/")
    if len(parts) < 4 or "(code)" in path:
        return None
    number = re.findall(r"\d+", parts[2])
    return parts[1].strip(), number[0] if number else parts[2].strip()


def load_coursework(repo: Repo):
    """Answers to the same university course questions (about 30 NYU Abu Dhabi courses, 2022-23) by enrolled
    students and by ChatGPT (three each), and QuillBot's paraphrases (six modes) of the ChatGPT answers. Code
    questions and files that are code (.cpp) or images are left out; a question's answers share a group."""
    out = []
    for path in repo.ls("Student and GPT Responses") + repo.ls("QuillBot Output"):
        name = path.rsplit("/", 1)[-1].strip().lower()
        where = _course_question(path)
        if where is None or "." in name or name.startswith("question"):
            continue
        if path.startswith("QuillBot"):
            mode = re.search(r"_(creative|expand|fluency|formal|shorten|standard)_", name)
            if not (mode and name.startswith("gpt")):
                continue
            lab, gen = 1, f"gpt-3.5-turbo+quillbot_{mode.group(1)}"
        elif name.startswith(("student", "hum_")):
            lab, gen = 0, "human"
        elif name.startswith("gpt"):
            lab, gen = 1, "gpt-3.5-turbo"
        else:
            continue
        text = unbake(repo.read(path).decode("utf-8", "replace"))
        out.append(rec(text, lab, "coursework", gen, "course_answer", gid("coursework", *where)))
    return out


HEADLINE_GENS = {"gpt": "gpt-4o", "claude": "claude-3-haiku", "mistral": "mistral-7b-instruct-v0.2"}
_CAPTION = re.compile(r"^(Image copyright|Image caption|Media caption|Getty Images)\b.*$", re.M)
# "Red Hook, New York (CNN) — ", and before it, in op-eds, the author's bio ("The opinions expressed ... are hers.")
_DATELINE = re.compile(r"(^|\n\n)[^.\n(]{0,60}\(CNN\)\s*[-\u2014\u2013]*\s*")


def load_headlines(repo: Repo):
    """News articles (BBC and CNN style, about 2019-23) and articles GPT-4o, Claude-3-haiku and
    Mistral-7B-Instruct wrote from the same headline; photo captions and the "Place (CNN) —" dateline (with an
    op-ed's author bio before it) dropped from the human side, and the headline repeated as the AI article's first
    line dropped (all leak the label)."""
    out = []
    for r in repo.csv_rows("data/news/merged_dataset.csv"):
        head = re.sub(r"\W+", " ", r["Prompt"]).strip().lower()
        text = _CAPTION.sub("", unbake(r["text"])).strip()
        dateline = _DATELINE.search(text[:1500])
        text = text[dateline.end() :] if dateline else text
        paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
        if paras and re.sub(r"\W+", " ", paras[0]).strip().lower() == head:
            paras = paras[1:]
        lab = 0 if r["label"] == "human" else 1
        gen = "human" if lab == 0 else HEADLINE_GENS[r["label"]]
        out.append(rec("\n\n".join(paras), lab, "headlines", gen, "news_from_headline", gid("headlines", head)))
    return out


def load_maide_en(repo: Repo):
    """MAiDE-up's English hotel reviews (the multilingual source leaves English out): Booking.com reviews and
    GPT-4 reviews of the same hotels, the liked and disliked parts as two paragraphs; a hotel is one group."""
    out = []
    files = {0: "data/real_reviews/real_English.csv", 1: "data/generated_reviews/generated_English_reviews.csv"}
    for lab, rel in files.items():
        for r in repo.csv_rows(rel, "utf-8-sig"):
            parts = [(r.get(k) or "").strip() for k in ("Upside_Review", "Downside_Review")]
            text = "\n\n".join(p for p in parts if p and p.lower() != "nan")
            g = gid("maide_en", r["City Name"], r["Hotel Name"])
            out.append(rec(text, lab, "maide_en", "gpt-4" if lab else "human", "hotel_review", g))
    return out


def detok_curly(t: str) -> str:
    """Undo the tokenisation of WritingPrompts stories stored with curly quotes (" “ You ", " didn ’ t ")."""
    t = re.sub(r"\s{3,}", "\n\n", t)  # paragraph breaks were stored as runs of spaces
    t = re.sub(r" ?([’']) ?(t|s|re|ve|m|ll|d)\b", r"\1\2", t)
    t = re.sub(r"“ ", "“", t)
    t = re.sub(r" ”", "”", t)
    return detok_wp(t.replace("\n\n", "<newline><newline>"))


def load_sotastories(repo: Repo):
    """r/WritingPrompts stories (the release's validation split, detokenised) and stories by current models
    (Claude 3.5 Sonnet and Gemini 3 Pro, not told apart in the release) from the same study's prompts; unpaired."""
    out = []
    for r in repo.csv_rows("outputs/q3_comparative_predictions.csv"):
        lab = int(r["label"])
        text = detok_curly(r["text"]) if lab == 0 else r["text"]
        gen = "claude-3.5-sonnet|gemini-3-pro" if lab else "human"
        out.append(rec(text, lab, "sotastories", gen, "creative_writing", gid("sotastories", r["id"], lab)))
    return out


# ----------------------------------------------------------------------------------------------- tried, not adopted
_JOINED = re.compile(r"([a-z0-9%)][.!?][\"']?)(?=[A-Z])")  # "options.For": paragraphs joined, newlines dropped
_CITATION = re.compile(r"\s*\([^()]{0,80}\b(?:1[6-9]|20)\d\d[a-z]?\b[^()]{0,20}\)")  # "(Smith, 2019, p. 4)"
_HEADING_JOIN = re.compile(r"[a-z]{2}[A-Z][a-z]")  # "Population by RaceBiology": a heading run into the text
_REFERENCE_TELLS = re.compile(r"\b(References|Works Cited|Bibliography|Reference List)\b|https?://|doi\.org|et al\.")
GHOSTBUSTER_CHUNK = 128  # words per chunk, as the copy's data_truncator.py cut the human essays


def ghostbuster_chunks(text: str) -> list[str]:
    """The copy's `truncate_content` regular chunks: words split on single spaces, GHOSTBUSTER_CHUNK at a time, the
    last full chunk and the remainder left out (its tail chunk is cut by a character count, so it is not used)."""
    w = text.split(" ")
    return [
        " ".join(w[i * GHOSTBUSTER_CHUNK : (i + 1) * GHOSTBUSTER_CHUNK]) for i in range(len(w) // GHOSTBUSTER_CHUNK - 1)
    ]


def essay_excerpt(chunk: str) -> str | None:
    """A 128-word chunk of an essay whose newlines were deleted, as whole sentences: joined paragraphs split again,
    in-text citations removed (the human essays cite, Claude's rarely do), the first and last (cut) sentences
    dropped. None for a chunk of a reference list or with a heading run into its text (19% of the human chunks,
    1% of Claude's: left in, the run-together heading would tell the label)."""
    t = _CITATION.sub("", _JOINED.sub(r"\1 ", chunk.strip()))
    if _REFERENCE_TELLS.search(t) or _HEADING_JOIN.search(t):
        return None
    sentences = _sentences(t)[1:]
    if sentences and not re.search(r"[.!?][\"']?$", sentences[-1]):
        sentences = sentences[:-1]
    return " ".join(sentences) or None


def load_ghostbuster(repo: Repo):
    """Ghostbuster's student essays (IvyPanda) and Claude's essays to the same prompts (Verma et al. 2024), from a
    copy that keeps every essay on one line. The human essays are there only as 128-word chunks, so the Claude
    essays are cut the same way and both sides become whole-sentence excerpts of a chunk. A human chunk's group is
    its run of chunks (a new run after each tail chunk, so no essay spans two groups); a Claude chunk's, its essay."""
    out = []
    human = repo.read("data_collector/test_data_truncated/ghostbuster/essay_human.txt").decode("utf-8").splitlines()
    run = 0
    for line in human:
        if len(line.split(" ")) != GHOSTBUSTER_CHUNK:  # a tail chunk (or a whole short essay): the essay ends here
            run += 1
            continue
        text = essay_excerpt(line)
        if text:
            out.append(rec(text, 0, "ghostbuster", "human", "student_essay", gid("ghostbuster", "h", run)))
    claude = repo.read("data_collector/test_data/ghostbuster/essay_claude.txt").decode("utf-8").splitlines()
    for n, essay in enumerate(claude):
        for chunk in ghostbuster_chunks(essay):
            text = essay_excerpt(chunk)
            if text:
                out.append(rec(text, 1, "ghostbuster", "claude-1", "student_essay", gid("ghostbuster", "c", n)))
    return out


CAIADO_GENS = {"Bard": "bard-palm-2", "Claude": "claude-2"}  # the web chat versions of November 2023


def load_caiado(repo: Repo):
    """Short essays on 64 topics: human web-article excerpts, and Bard's and Claude's essays with their paraphrased
    versions (Caiado & Hahsler 2023). ChatGPT's rows are left out: a find-and-replace corrupted them
    ("unrestrAIned"). A topic's texts share a group."""
    out = []
    for r in repo.csv_rows("AI_vs_Human_Data.csv", encoding="utf-8-sig"):
        if r["Source"] == "Human":
            gen = "human"
        elif r["Model"] in CAIADO_GENS:
            gen = CAIADO_GENS[r["Model"]] + ("+paraphrase" if r["Paraphrased"] == "Yes" else "")
        else:
            continue
        lab = int(gen != "human")
        out.append(rec(r["Answer"], lab, "caiado", gen, "short_essay", gid("caiado", r["Topic"])))
    return out


SEQXGPT_DIR = "SeqXGPT/dataset/OOD sentence-level detection dataset"
SEQXGPT_GENS = {"gpt2": "gpt2-xl", "gptj": "gpt-j-6b", "llama": "llama-7b"}
_TOKENISED = re.compile(r" [,.;:'] | 's |\( ")  # "Snyder 's ( 300 )": openings copied from a tokenised corpus


def whole_sentences_only(text: str) -> str:
    """The text without a last sentence that a length limit cut off (the models' continuations stop mid-sentence)."""
    paras = [p for p in text.split("\n") if p.strip()]
    if paras and not re.search(r"[.!?][\"')\]]?$", paras[-1].strip()):
        kept = _sentences(paras[-1].strip())[:-1]
        paras = paras[:-1] + ([" ".join(kept)] if kept else [])
    return "\n\n".join(p.strip() for p in paras)


def load_seqxgpt(repo: Repo):
    """Article paragraphs by people, and GPT-2-XL, GPT-J and LLaMA-7B continuations of their first sentences (the
    human opening kept, as Fast-DetectGPT's sets do), from SeqXGPT's out-of-distribution set (Wang et al. 2023). A
    continuation shares its paragraph's group; a cut-off last sentence is dropped on both sides, and so is a text
    with tokenised punctuation (16% of the human paragraphs, 6% of the continuations)."""
    human = [json.loads(x) for x in repo.read(f"{SEQXGPT_DIR}/human_lines.jsonl").decode("utf-8").splitlines() if x]
    out, opening = [], {}
    for n, r in enumerate(human):
        group = gid("seqxgpt", n)
        opening[r["text"][:200]] = group
        if not _TOKENISED.search(r["text"]):
            out.append(rec(whole_sentences_only(r["text"]), 0, "seqxgpt", "human", "article_continuation", group))
    for name, gen in SEQXGPT_GENS.items():
        for x in repo.read(f"{SEQXGPT_DIR}/{name}_lines.jsonl").decode("utf-8").splitlines():
            if not x:
                continue
            r = json.loads(x)
            prefix = r["text"][: r["prompt_len"]]
            group = next((g for start, g in opening.items() if start.startswith(prefix)), gid("seqxgpt", name, prefix))
            if len(words(r["text"][r["prompt_len"] :])) < MIN_WORDS or _TOKENISED.search(r["text"]):
                continue  # the model wrote (almost) nothing, or the opening is tokenised
            out.append(rec(whole_sentences_only(r["text"]), 1, "seqxgpt", gen, "article_continuation", group))
    return out


@dataclass(frozen=True)
class Source:
    """One corpus of the pool: how it is read, where it comes from under which license, and how much of it to keep."""

    name: str
    load: Callable[[Repo], list[dict]]
    license: str
    url: str
    cap: int  # at most this many texts after balancing: keeps one corpus from dominating
    committed: bool = False  # redistributable, so its file is in git; the others are git-ignored and rebuilt
    near_copies: bool = False  # also drop excerpts of --shared texts (word 8-gram overlap), not only exact copies


NO_LICENSE = "none-stated (research use; rebuilt, not redistributed)"
# Read in this order (the first copy of a text wins). Each batch is balanced, capped and length-matched on its own,
# the first first, so sources added later leave the files of earlier batches as they were built.
BATCHES: tuple[tuple[Source, ...], ...] = (
    (
        Source("biscope", load_biscope, "CC-BY-SA-4.0", "https://github.com/MarkGHX/BiScope", 14000, True),
        Source("imbd", load_imbd, "Apache-2.0", "https://github.com/Jiaqi-Chen-00/ImBD", 9000, True),
        Source(
            "dap",
            load_dap,
            "Apache-2.0 (ROCStories underneath: research use)",
            "https://github.com/GYK-CASIC/DAP",
            5000,
            True,
        ),
        Source("raidar", load_raidar, NO_LICENSE, "https://github.com/cvlab-columbia/RaidarLLMDetect", 3000),
        Source(
            "absgen",
            load_absgen,
            NO_LICENSE,
            "https://github.com/PrashantGondaliya/AI-vs-Human-Written-Text-Classification",
            3500,
        ),
        Source(
            "bbc",
            load_bbc,
            "BBC copyright; research use per dataset page (rebuilt, not redistributed)",
            "http://mlg.ucd.ie/datasets/bbc.html",
            2500,
        ),
        Source(
            "wpcreativity",
            load_wpcreativity,
            "none-stated; stories from Reddit r/WritingPrompts (rebuilt, not redistributed)",
            "https://github.com/AlvinJ404/writingprompts_creativity",
            2000,
        ),
        Source("lvabstracts", load_lvabstracts, NO_LICENSE, "https://github.com/Maris11/Abstract-Checker", 4000),
    ),
    (  # 2026-12-05
        Source(
            "coursework",
            load_coursework,
            "none stated (research data of Ibrahim et al., Sci. Rep. 2023): not redistributed",
            "https://github.com/comnetsAD/ChatGPT",
            3000,
        ),
        Source(
            "headlines",
            load_headlines,
            "none stated; news articles under their publishers' copyright: not redistributed",
            "https://github.com/ResidentEvil97/AI-Classifier",
            800,
        ),
        Source(
            "maide_en",
            load_maide_en,
            "MIT (human reviews from Booking.com)",
            "https://github.com/MichiganNLP/multilingual_reviews_deception",
            1400,
            True,
        ),
        Source(
            "sotastories",
            load_sotastories,
            "none stated (WritingPrompts stories underneath): not redistributed",
            "https://github.com/Vargram1/Cyborgs-Pen",
            700,
        ),
    ),
)
# Read only with --tried, as a batch after the others: measured on 2026-12-05 (third session) and not adopted, because
# refitting the members with it left ood_dev where it was and lowered test (data/train_pool/README.md, "Tried and
# not adopted"). Kept so that the measurement can be repeated.
TRIED: tuple[Source, ...] = (
    Source(
        "ghostbuster",
        load_ghostbuster,
        NO_LICENSE,
        "https://github.com/A-Salty-Fish/SaltyFishGptDetector",
        3000,
        near_copies=True,  # L2R's EducationMaterial essays (in train and test) are IvyPanda essays too
    ),
    Source(
        "caiado",
        load_caiado,
        NO_LICENSE,
        "https://github.com/antoniocaiado1/ai-self-detection-study-dataset",
        300,
        near_copies=True,
    ),
    Source("seqxgpt", load_seqxgpt, "Apache-2.0", "https://github.com/Jihuai-wpy/SeqXGPT", 800, near_copies=True),
)
SOURCES = {source.name: source for batch in (*BATCHES, TRIED) for source in batch}


# ----------------------------------------------------------------------------------------------- decontamination
EVAL_FILES = ("test.jsonl", "ood_dev.jsonl")  # held-out sets: not even an AI twin of their human texts may train


def shared_texts(shared_dir: str | None) -> Iterator[tuple[str, str]]:
    """(tag, text) for every text of --shared: "eval" for the held-out files, "train" for the others."""
    if shared_dir:
        for fn in sorted(os.listdir(shared_dir)):
            if fn.endswith(".jsonl"):
                tag = "eval" if fn in EVAL_FILES else "train"
                with open(os.path.join(shared_dir, fn), encoding="utf-8") as f:
                    for line in f:
                        t = json.loads(line).get("text")
                        if t:
                            yield tag, t


def kept_back_keys(shared_dir: str | None, outfox: Repo | None) -> dict[str, str]:
    """dedup key -> "eval" (test, ood_dev, OUTFOX test) or "train" (train, extra_train)."""
    keys: dict[str, str] = {}

    def add(t, tag):
        for k in {dedup_key(t), dedup_key(clean(t) or t), dedup_key(clean(t, "flat") or t)}:
            if keys.get(k) != "eval":
                keys[k] = tag

    for tag, t in shared_texts(shared_dir):
        add(t, tag)
    if outfox is not None:  # OUTFOX test split is kept back for evaluation: none of its essays in training
        for rel in (
            "data/common/test/test_humans.pkl",
            "data/chatgpt/test/test_lms.pkl",
            "data/text_davinci_003/test/test_lms.pkl",
            "data/flan_t5_xxl/test/test_lms.pkl",
        ):
            try:
                obj = pickle.loads(outfox.read(rel))  # lists of strings
            except Exception as e:
                print(f"  outfox: cannot read {rel}: {e}", file=sys.stderr)
                continue
            for t in obj:
                if isinstance(t, str):
                    add(t, "eval")
    return keys


SHINGLE_WORDS, NEAR_COPY_SHARE = 8, 0.2


def shingles(t: str) -> set[int]:
    """Hashes of a text's word 8-grams (in-process hashes: only compared within one run)."""
    w = re.findall(r"[a-z0-9]+", t.lower())
    return {hash(tuple(w[i : i + SHINGLE_WORDS])) for i in range(len(w) - SHINGLE_WORDS + 1)}


def shared_shingles(shared_dir: str | None) -> dict[str, set[int]]:
    """The word 8-grams of --shared's held-out files ("eval") and training files ("train"), for near copies."""
    out: dict[str, set[int]] = {"eval": set(), "train": set()}
    for tag, t in shared_texts(shared_dir):
        out[tag] |= shingles(t)
    return out


def near_copy_of(t: str, known: dict[str, set[int]]) -> str | None:
    """The part of --shared ("eval" or "train") that holds NEAR_COPY_SHARE of the text's 8-grams, else None."""
    own = shingles(t)
    for tag in ("eval", "train"):
        if own and len(own & known[tag]) >= NEAR_COPY_SHARE * len(own):
            return tag
    return None


# ----------------------------------------------------------------------------------------------- balancing
def round_robin_take(recs: list[dict], n: int, rng: np.random.RandomState, by: str = "generator") -> list[dict]:
    if n >= len(recs):
        return recs
    buckets = defaultdict(list)
    for r in recs:
        buckets[r[by]].append(r)
    for k in sorted(buckets):
        rng.shuffle(buckets[k])
    out, keys = [], sorted(buckets)
    while len(out) < n:
        for k in keys:
            if buckets[k] and len(out) < n:
                out.append(buckets[k].pop())
        keys = [k for k in keys if buckets[k]]
    return out


def balance(recs: list[dict], rng: np.random.RandomState) -> list[dict]:
    by_dom = defaultdict(lambda: ([], []))
    for r in recs:
        by_dom[r["domain"]][r["label"]].append(r)
    out = []
    for dom in sorted(by_dom):
        hum, ai = by_dom[dom]
        h, a = len(hum), len(ai)
        if h == 0 or a == 0:
            print(f"  domain {dom}: {h} human / {a} AI -> dropped (one-sided)", file=sys.stderr)
            continue
        a_max = int(h * AI_SHARE_MAX / (1 - AI_SHARE_MAX))
        h_max = int(a * (1 - AI_SHARE_MIN) / AI_SHARE_MIN)
        # prefer human texts that have an AI twin, then round-robin over sources
        paired = {r["group"] for r in ai}
        if a > a_max:
            ai = round_robin_take(ai, a_max, rng)
        if h > h_max:
            hum_p = [r for r in hum if r["group"] in paired]
            hum_u = [r for r in hum if r["group"] not in paired]
            hum = round_robin_take(hum_p, h_max, rng, "source")
            if len(hum) < h_max:
                hum += round_robin_take(hum_u, h_max - len(hum), rng, "source")
        out += hum + ai
    return out


def truncate_words(t: str, target: int) -> str:
    """Cut a text at the sentence boundary nearest to target words (paragraph breaks kept; never under 30)."""
    target = max(target, MIN_WORDS)
    if len(words(t)) <= target:
        return t
    out_paras, n = [], 0
    for p in t.split("\n\n"):
        kept = []
        for snt in _sentences(p):
            k = len(words(snt))
            if n >= MIN_WORDS and n + k > target:
                if n + k - target < target - n:  # the boundary after this sentence is nearer the target
                    kept.append(snt)
                    n += k
                n = max(n, target)  # stop here
                break
            kept.append(snt)
            n += k
        if kept:
            out_paras.append(" ".join(kept))
        if n >= target or len(kept) < len(_sentences(p)):
            break
    return "\n\n".join(out_paras)


def length_match(recs: list[dict], rng: np.random.RandomState) -> list[dict]:
    """Per domain, cut every text to min(its length, the length of a random text of the other label), at sentence
    boundaries. min(H, A') and min(A, H') have the same distribution, so a length-only classifier loses its edge
    (up to sentence rounding) without favouring either label."""
    by_dom = defaultdict(list)
    for r in recs:
        by_dom[r["domain"]].append(r)
    for dom in sorted(by_dom):
        rs = by_dom[dom]
        lens = {lab: np.array([len(words(r["text"])) for r in rs if r["label"] == lab]) for lab in (0, 1)}
        for r in rs:
            other = lens[1 - r["label"]]
            if len(other):
                r["text"] = truncate_words(r["text"], int(other[rng.randint(len(other))]))
    return recs


def cap_sources(recs, rng):
    by_src = defaultdict(list)
    for r in recs:
        by_src[r["source"]].append(r)
    out = []
    for s in sorted(by_src):
        rs = by_src[s]
        cap = SOURCES[s].cap
        if len(rs) > cap:  # keep the label mix of the source, generators round-robin
            hum = [r for r in rs if r["label"] == 0]
            ai = [r for r in rs if r["label"] == 1]
            nh = round(cap * len(hum) / len(rs))
            rs = round_robin_take(hum, nh, rng, "domain") + round_robin_take(ai, cap - nh, rng, "generator")
        out += rs
    return out


# ----------------------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", action="append", default=[], help="NAME=PATH (checkout or bare git dir)")
    ap.add_argument("--shared", help="folder with the project's train/test/ood_dev/extra_train .jsonl files")
    ap.add_argument("--out", default="data/train_pool")
    ap.add_argument("--only", help="comma-separated sources to write (all are still read for dedup/balance)")
    ap.add_argument("--tried", action="store_true", help="also read TRIED (a batch that was measured, not adopted)")
    args = ap.parse_args(argv)
    repos = dict(kv.split("=", 1) for kv in args.repo)
    rng = np.random.RandomState(SEED)

    banned = kept_back_keys(args.shared, Repo(repos["outfox"]) if "outfox" in repos else None)
    print(f"decontamination keys: {len(banned)}", file=sys.stderr)

    batches = (*BATCHES, TRIED) if args.tried else BATCHES
    raw = []
    for source in (source for batch in batches for source in batch):
        if source.name not in repos:
            print(f"skip {source.name}: no --repo given", file=sys.stderr)
            continue
        rs = source.load(Repo(repos[source.name]))
        print(f"{source.name}: {len(rs)} raw", file=sys.stderr)
        raw += rs

    known = shared_shingles(args.shared) if any(SOURCES[r["source"]].near_copies for r in raw) else None
    seen, kept, why, tainted = set(), [], Counter(), set()
    for r in raw:
        mode = MODES.get((r["source"], r["domain"]), "para")
        t = clean(r["text"], mode)
        if t is None:
            why["clean"] += 1
            continue
        orig = r.pop("_orig", None)
        if orig is not None:
            o = clean(orig, mode) or orig
            if similarity(o, t) > 0.85:
                why["barely_revised"] += 1
                continue
        k = dedup_key(t)
        if k in banned:
            why["in_shared_or_keptback"] += 1
            if banned[k] == "eval" and r["label"] == 0:
                tainted.add(r["group"])
            continue
        if k in seen:
            why["duplicate"] += 1
            continue
        near = near_copy_of(t, known) if known is not None and SOURCES[r["source"]].near_copies else None
        if near is not None:
            why["near_copy_of_shared"] += 1
            if near == "eval" and r["label"] == 0:
                tainted.add(r["group"])
            continue
        seen.add(k)
        r["text"] = t
        kept.append(r)
    # a held-out human text's AI twins (same prompt/opening) would leak its content into training: drop the group
    n0 = len(kept)
    kept = [r for r in kept if r["group"] not in tainted]
    why["twin_of_heldout_human"] = n0 - len(kept)
    print(f"kept {len(kept)} after cleaning; dropped {dict(why)}", file=sys.stderr)

    pool = []
    for batch in batches:
        names = {source.name for source in batch}
        part = cap_sources(balance([r for r in kept if r["source"] in names], rng), rng)
        part = balance(part, rng)  # capping may move a domain out of range again
        pool += length_match(part, rng)
    only = set(args.only.split(",")) if args.only else None
    os.makedirs(args.out, exist_ok=True)
    by_src = defaultdict(list)
    for r in pool:
        by_src[r["source"]].append(r)
    for s in sorted(by_src):
        if only and s not in only:
            continue
        rs = sorted(by_src[s], key=lambda r: (r["domain"], r["group"], r["label"], r["generator"], r["text"]))
        path = os.path.join(args.out, f"{s}.jsonl.xz")
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs).encode("utf-8")
        with lzma.open(path, "wb", preset=9 | lzma.PRESET_EXTREME) as f:
            f.write(data)
        c = Counter((r["domain"], r["label"]) for r in rs)
        print(
            f"wrote {path}: {len(rs)} texts, "
            + ", ".join(f"{d}/{'AI' if lab else 'hum'}={n}" for (d, lab), n in sorted(c.items())),
            file=sys.stderr,
        )
    tot = Counter((r["domain"], r["label"]) for r in pool)
    for d in sorted({d for d, _ in tot}):
        h, a = tot[(d, 0)], tot[(d, 1)]
        print(f"  {d:22s} human {h:6d}  AI {a:6d}  AI share {a / max(1, h + a):.2f}", file=sys.stderr)
    for (src, gen), n in sorted(Counter((r["source"], r["generator"]) for r in pool).items()):
        print(f"    {src:8s} {gen:45s} {n:6d}", file=sys.stderr)
    print(
        f"total {len(pool)}: human {sum(r['label'] == 0 for r in pool)}, AI {sum(r['label'] == 1 for r in pool)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
