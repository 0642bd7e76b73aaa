"""Shared helpers for the multilingual data builders (stdlib + numpy only).

Every builder turns one public corpus into ``data/multilingual/<source>.jsonl.xz``
with one JSON object per line and the fields listed in FIELDS.  Text hygiene is
the same for every source:

* markup is stripped (HTML tags, wiki reference marks, heading markers);
* texts are cut to whole paragraphs (a single over-long paragraph is cut at a
  sentence end) and kept only when 30..600 words long, or 60..1200 characters
  for languages written without spaces (zh, ja, th);
* exact duplicates are dropped by the normalised first 200 characters.

Subsampling is deterministic: rows are ordered by the SHA-256 of their key.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import lzma
import os
import re
import sys
import unicodedata
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator

FIELDS = ("text", "label", "language", "source", "generator", "domain", "group", "license", "url")
CJK_LANGS = {"zh", "ja", "th"}
MIN_WORDS, MAX_WORDS = 30, 600
MIN_CHARS, MAX_CHARS = 60, 1200

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "data", "multilingual")

_TAG = re.compile(r"<[^>]{1,200}>")
_REF = re.compile(r"\[(?:\d{1,3}|citation needed|cita requerida|nota \d+)\]", re.I)
_HEAD = re.compile(r"^\s*=+\s*(.*?)\s*=+\s*$", re.M)
_MD_HEAD = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_SENT_END = re.compile(r"(?<=[.!?。！？؟।])\s*")


def strip_markup(text: str) -> str:
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = _REF.sub("", text)
    text = _HEAD.sub(r"\1", text)
    text = _MD_HEAD.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    # paragraphs are separated by one blank line
    out, blank = [], False
    for ln in lines:
        if not ln:
            blank = bool(out)
            continue
        if blank and out:
            out.append("")
        out.append(ln)
        blank = False
    return "\n".join(out).strip()


def size(text: str, language: str) -> int:
    if language in CJK_LANGS:
        return sum(1 for ch in text if not ch.isspace())
    return len(text.split())


def bounds(language: str) -> tuple[int, int]:
    return (MIN_CHARS, MAX_CHARS) if language in CJK_LANGS else (MIN_WORDS, MAX_WORDS)


def fit_length(text: str, language: str) -> str | None:
    """Whole paragraphs up to the maximum; None when too short."""
    lo, hi = bounds(language)
    if size(text, language) <= hi:
        return text if size(text, language) >= lo else None
    paras = [p for p in text.split("\n") if p.strip()]
    kept: list[str] = []
    for p in paras:
        cand = "\n".join([*kept, p]) if kept else p
        if size(cand, language) > hi:
            break
        kept.append(p)
    if not kept:  # one huge first paragraph: cut at a sentence end
        sents = [s for s in _SENT_END.split(paras[0]) if s]
        sep = "" if language in CJK_LANGS else " "
        acc = ""
        for s in sents:
            cand = (acc + sep + s) if acc else s
            if size(cand, language) > hi:
                break
            acc = cand
        kept = [acc] if acc else []
    out = "\n".join(kept).strip()
    return out if out and size(out, language) >= lo else None


def norm_key(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).casefold()
    t = "".join(ch for ch in t if ch.isalnum())
    return t[:200]


def stable_hash(*parts: object) -> str:
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()


def clean_rows(rows: Iterable[dict]) -> Iterator[dict]:
    """Hygiene + dedup; rows need at least text and language."""
    seen: set[str] = set()
    for r in rows:
        t = fit_length(strip_markup(r["text"]), r["language"])
        if t is None:
            continue
        k = norm_key(t)
        if len(k) < 20 or k in seen:
            continue
        seen.add(k)
        r = dict(r)
        r["text"] = t
        yield r


def subsample(rows: list[dict], cap: int, key: str = "group") -> list[dict]:
    """Deterministic cap per (language, label): whole groups, ordered by hash."""
    out: list[dict] = []
    buckets: dict[tuple, list[dict]] = {}
    for r in rows:
        buckets.setdefault((r["language"], r["label"]), []).append(r)
    for _, rs in sorted(buckets.items()):
        rs.sort(key=lambda r: (stable_hash(r[key]), stable_hash(r["text"])))
        out.extend(rs[:cap])
    return out


def write_jsonl_xz(rows: list[dict], path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rows = sorted(rows, key=lambda r: (r["language"], r["label"], str(r["group"]), r["text"]))
    buf = io.StringIO()
    for r in rows:
        rec = {k: r[k] for k in FIELDS}
        for k, v in r.items():
            if k not in rec:
                rec[k] = v
        buf.write(json.dumps(rec, ensure_ascii=False, sort_keys=False) + "\n")
    data = buf.getvalue().encode("utf-8")
    # fixed preset and no timestamp inside an .xz stream: identical bytes per run
    with open(path, "wb") as fh:
        fh.write(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))


def counts(rows: list[dict]) -> dict:
    c: dict = {}
    for r in rows:
        c.setdefault(r["language"], [0, 0])[r["label"]] += 1
    return dict(sorted(c.items()))


def save(name: str, rows: Iterable[dict], cap: int | None = None) -> None:
    """The last step of every builder: hygiene and dedup, an optional cap per (language, label), then
    ``data/multilingual/<name>.jsonl.xz`` (the same bytes every run) and its counts printed."""
    out = list(clean_rows(rows))
    if cap is not None:
        out = subsample(out, cap)
    write_jsonl_xz(out, f"{OUT_DIR}/{name}.jsonl.xz")
    print(name, counts(out))


def open_archive(src: str | None, url: str, cache_name: str) -> zipfile.ZipFile:
    """A GitHub archive zip: a local .zip, or downloaded from url once."""
    if src and os.path.isfile(src):
        return zipfile.ZipFile(src)
    cache = os.path.join(REPO_ROOT, "data", "multilingual", ".cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, cache_name)
    if not os.path.exists(path):
        print(f"downloading {url}")
        with urllib.request.urlopen(url, timeout=120) as resp, open(path + ".part", "wb") as fh:
            fh.write(resp.read())
        os.replace(path + ".part", path)
    return zipfile.ZipFile(path)


class Source:
    """Read files of a repository snapshot: a directory or an archive zip."""

    def __init__(self, src: str | None, url: str, cache_name: str):
        self.dir = src if src and os.path.isdir(src) else None
        self.zip = None if self.dir else open_archive(src, url, cache_name)
        if self.zip is not None:
            names = self.zip.namelist()
            tops = {n.split("/", 1)[0] for n in names}
            # a GitHub archive puts everything under one "<repo>-<commit>/" folder
            one = len(tops) == 1 and all("/" in n for n in names)
            self.prefix = next(iter(tops)) + "/" if one else ""

    def names(self) -> list[str]:
        if self.dir:
            out = []
            for root, _, files in os.walk(self.dir):
                for f in files:
                    out.append(os.path.relpath(os.path.join(root, f), self.dir).replace(os.sep, "/"))
            return sorted(out)
        return sorted(n[len(self.prefix) :] for n in self.zip.namelist() if not n.endswith("/"))

    def read(self, name: str) -> bytes:
        if self.dir:
            with open(os.path.join(self.dir, name), "rb") as fh:
                return fh.read()
        return self.zip.read(self.prefix + name)


def argv_source(url: str, cache_name: str) -> Source:
    """The snapshot named by the builder's first argument (a checkout or an archive zip), else the pinned archive
    downloaded once."""
    return Source(sys.argv[1] if len(sys.argv) > 1 else None, url, cache_name)
