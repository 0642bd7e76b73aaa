#!/usr/bin/env python3
"""Build the human-writing stress set (data/human_stress/*.jsonl.xz).

Human texts of kinds that are absent from the training data, used to measure and cap the
false-positive rate.  Standard library + numpy only; deterministic (fixed seeds).

Usage:
    python scripts/data/build_human_stress.py --raw RAW_DIR [--shared /work/shared/data]
        [--out data/human_stress] [--only SOURCE ...] [--download]

RAW_DIR holds the raw copies of the sources, laid out as listed in SOURCES below (each entry
names its origin; data/human_stress/README.md says where to get each).  Sources whose licence
does not allow redistribution (wi_locness, fce, hippocorpus, blog_authorship, paulgraham_essays,
samaltman_essays, webis_editorials, reuters21578, amazon_reviews) are written like the others but
are kept out of git (data/.gitignore); with --download the script fetches their public copies itself
(WI_URL, FCE_URL, DOWNLOADS).  With --only, a source keeps its table-order seed and texts kept by
earlier sources that are not rebuilt are read from their existing files for de-duplication.

Every record: text, label (0), source, generator ("human"), domain, group, date, license, url.
Filtering: texts of 30..~600 words (long documents: contiguous excerpts of whole paragraphs up
to ~400 words, paragraphs joined by a blank line); markup, headings and boilerplate stripped;
non-English / near-empty texts dropped; exact and near-duplicates (normalised first 200
characters) removed within the set; decontaminated against every text in the shared training
files (same first-200-character key, or two or more shared 10-word shingles).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import html
import io
import json
import lzma
import os
import re
import tarfile
import urllib.request
import zlib
from collections import Counter

import numpy as np

SEED = 20240601
MAX_WORDS = 400  # excerpt target for long documents
HARD_MAX = 600  # a whole short document may run to this
MIN_WORDS = 30
CUTOFF = "2022-10-31"  # written before ChatGPT's release where dates are known

WI_URL = "https://www.cl.cam.ac.uk/research/nl/bea2019st/data/wi+locness_v2.1.bea19.tar.gz"
FCE_URL = "https://www.cl.cam.ac.uk/research/nl/bea2019st/data/fce_v2.1.bea19.tar.gz"

# ----------------------------------------------------------------------------------------------
# text helpers

_WS = re.compile(r"[ \t\u00a0]+")


def read_text(path: str, encoding: str | None = None, errors: str | None = None) -> str:
    with open(path, encoding=encoding, errors=errors) as f:
        return f.read()


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def clean_par(p: str) -> str:
    p = p.replace("\u00ad", "").replace("\u2060", "").replace("\ufeff", "")
    return _WS.sub(" ", p.replace("\n", " ")).strip()


def nwords(t: str) -> int:
    return len(t.split())


STOP = set(
    "the of and to a in is that it was for on are with as be by this at from or have an not "
    "but which they he his her she you we i their been has were had all one there what so "
    "if would can will its more no when who about into than them then these".split()
)


def englishness(t: str) -> float:
    w = re.findall(r"[a-zA-Z']+", t.lower())
    if not w:
        return 0.0
    return sum(x in STOP for x in w) / len(w)


def ok_text(t: str) -> bool:
    n = nwords(t)
    if n < MIN_WORDS or n > HARD_MAX:
        return False
    letters = sum(c.isalpha() for c in t)
    if letters < 0.6 * len(t.replace(" ", "").replace("\n", "")):
        return False  # tables, code, numbers
    # False for non-English text or word lists
    return englishness(t) >= 0.12


def excerpts(
    pars: list[str],
    rng: np.random.Generator,
    k: int,
    max_words: int = MAX_WORDS,
    min_words: int = 120,
    joiner: str = "\n\n",
) -> list[str]:
    """Up to k non-overlapping windows of whole consecutive paragraphs (<= max_words words).

    joiner is " " where the units are sentences of one paragraph (sources without paragraph breaks)."""
    pars = [p for p in pars if p]
    total = sum(nwords(p) for p in pars)
    if total <= HARD_MAX:
        t = joiner.join(pars)
        return [t] if t else []
    # greedy windows from every start, then choose k non-overlapping at random
    wins = []
    for i in range(len(pars)):
        w, j = 0, i
        while j < len(pars) and w + nwords(pars[j]) <= max_words:
            w += nwords(pars[j])
            j += 1
        if j == i:  # a single over-long paragraph: cut at sentence ends
            continue
        if w >= min_words:
            wins.append((i, j))
    order = rng.permutation(len(wins))
    used = np.zeros(len(pars), bool)
    out = []
    for o in order:
        i, j = wins[o]
        if used[i:j].any():
            continue
        used[i:j] = True
        out.append((i, joiner.join(pars[i:j])))
        if len(out) >= k:
            break
    return [t for _, t in sorted(out)]


def strip_tags(s: str) -> str:
    s = re.sub(r"<br\s*/?>", " ", s)
    s = re.sub(r"<[^>]+>", "", s)
    return html.unescape(s)


# ----------------------------------------------------------------------------------------------
# readers: each yields dicts(doc, pars, date, url, title)

GUTENBERG_YEARS = {
    "austen-emma": 1815,
    "austen-persuasion": 1817,
    "austen-sense": 1811,
    "chesterton-ball": 1909,
    "chesterton-brown": 1911,
    "chesterton-thursday": 1908,
}


def read_nltk_gutenberg(raw):
    files = [
        "austen-emma",
        "austen-persuasion",
        "austen-sense",
        "chesterton-ball",
        "chesterton-brown",
        "chesterton-thursday",
    ]
    for f in files:
        p = os.path.join(raw, "nltk_gutenberg", f + ".txt")
        txt = read_text(p, encoding="latin-1")
        for start in ("*END*THE SMALL PRINT", "*** START OF", "***START OF"):
            if start in txt:
                txt = txt.split(start, 1)[1].split("\n", 1)[1]
        for end in ("End of the Project Gutenberg", "End of Project Gutenberg", "*** END OF", "***END OF"):
            txt = txt.split(end, 1)[0]
        year = GUTENBERG_YEARS[f]
        blocks = re.split(r"\n\s*\n", txt)
        pars = []
        for b in blocks:
            b = clean_par(b)
            if re.match(r"^\[.*\d{4}\]$", b) or b.startswith("This etext") or b.startswith("Produced by"):
                continue
            if not b or b.isupper() or re.match(r"^(CHAPTER|VOLUME|BOOK|Chapter|PART)\b", b):
                continue
            if "Project Gutenberg" in b or b.startswith("[Illustration"):
                continue
            pars.append(b)
        # split long books into chunks of 60 paragraphs so excerpts spread over the whole book
        for c in range(0, len(pars), 60):
            yield dict(
                doc=f"{f}#{c // 60}",
                pars=pars[c : c + 60],
                date=year,
                work=f,
                url=f"https://github.com/nltk/nltk_data (corpora/gutenberg/{f}.txt)",
            )


SE_SKIP = re.compile(
    r"(colophon|imprint|titlepage|uncopyright|toc|loi|endnotes|halftitle|"
    r"dedication|epigraph|glossary|index|preface|introduction|afterword|"
    r"appendix|translators-note|notes)",
    re.I,
)


def _se_pars(xhtml: str) -> list[str]:
    body = re.sub(
        r"<(header|hgroup|h\d|table|figure|blockquote class=\"[^\"]*epub-type=\"z3998:poem)"
        r"[^>]*>.*?</\1>",
        " ",
        xhtml,
        flags=re.S,
    )
    pars = []
    for m in re.finditer(r"<p\b[^>]*>(.*?)</p>", body, flags=re.S):
        inner = m.group(1)
        if "<br" in inner:  # verse, letters' address blocks
            continue
        p = clean_par(strip_tags(inner))
        if p:
            pars.append(p)
    return pars


def read_standardebooks(raw, sub, dates):
    base = os.path.join(raw, "standardebooks", sub)
    for book in sorted(os.listdir(base)):
        slug = book.split("+", 1)[1]
        for f in sorted(glob.glob(os.path.join(base, book, "*.xhtml"))):
            name = os.path.basename(f)[:-6]
            if SE_SKIP.search(name):
                continue
            pars = _se_pars(read_text(f, encoding="utf-8"))
            if sum(nwords(p) for p in pars) < MIN_WORDS:
                continue
            for c in range(0, len(pars), 80):
                yield dict(
                    doc=f"{slug}/{name}#{c // 80}",
                    pars=pars[c : c + 80],
                    date=dates.get(slug),
                    work=slug,
                    url=f"https://standardebooks.org/ebooks/{slug.replace('_', '/')}",
                )


def read_speeches(raw, sub):
    for f in sorted(glob.glob(os.path.join(raw, sub, "*.txt"))):
        name = os.path.basename(f)[:-4]
        txt = read_text(f, encoding="latin-1")
        year = int(name[:4]) if name[:4].isdigit() else None
        lines = [clean_par(x) for x in txt.split("\n")]
        pars = []
        for i, x in enumerate(lines):
            if not x:
                continue
            if sub == "state_union" and i < 4 and (x.isupper() or re.match(r"^[A-Z][a-z]+ \d+, \d{4}$", x)):
                continue
            pars.append(x)
        url = f"https://github.com/nltk/nltk_data (corpora/{sub}/{name}.txt)"
        yield dict(doc=name, pars=pars, date=year, url=url)


def _open_bea(raw, name, url, download, pattern):
    """Yield json records from the BEA-2019 archive (or an unpacked copy under raw/name)."""
    d = os.path.join(raw, name)
    files = sorted(glob.glob(os.path.join(d, "**", pattern), recursive=True))
    if files:
        for f in files:
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield os.path.basename(f), json.loads(line)
        return
    arch = os.path.join(raw, os.path.basename(url))
    if not os.path.exists(arch):
        if not download:
            raise FileNotFoundError(f"{d} or {arch} (get it from {url}, or pass --download)")
        urllib.request.urlretrieve(url, arch)
    with tarfile.open(arch) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if m.isfile() and re.search(pattern.replace(".", r"\.").replace("*", ".*") + "$", os.path.basename(m.name)):
                for line in tf.extractfile(m).read().decode("utf-8").splitlines():
                    if line.strip():
                        yield os.path.basename(m.name), json.loads(line)


def read_wi(raw, download):
    for fname, r in _open_bea(raw, "wi_locness", WI_URL, download, "[ABC].*.json"):
        pars = [clean_par(p) for p in r["text"].split("\n")]
        yield dict(
            doc=f"{r['id']}",
            pars=[p for p in pars if p],
            date=None,
            url="https://www.cl.cam.ac.uk/research/nl/bea2019st/ (W&I " + fname + ")",
            meta=r.get("cefr"),
        )


def read_fce(raw, download):
    for fname, r in _open_bea(raw, "fce", FCE_URL, download, "fce*.json"):
        pars = [clean_par(p) for p in r["text"].split("\n")]
        yield dict(
            doc=f"{r['id']}-q{r.get('q')}",
            pars=[p for p in pars if p],
            date=None,
            url="https://www.cl.cam.ac.uk/research/nl/bea2019st/ (FCE " + fname + ")",
        )


def _html_pars(body: str) -> list[str]:
    body = re.sub(r"<pre\b.*?</pre>", "\n\n", body, flags=re.S)
    body = re.sub(r"<(img|hr)[^>]*>", " ", body)
    body = re.sub(r"</?(p|li|ul|ol|h\d|blockquote|div)\b[^>]*>", "\n\n", body)
    body = strip_tags(body)
    return [clean_par(p) for p in re.split(r"\n\s*\n", body) if clean_par(p)]


def read_se_posts(raw, site):
    p = os.path.join(raw, "stackexchange", f"{site}_Posts.xml")
    import xml.etree.ElementTree as ET

    for _ev, el in ET.iterparse(p):
        if el.tag != "row":
            continue
        a = el.attrib
        if a.get("PostTypeId") == "2" and a.get("CreationDate", "9999") <= CUTOFF and int(a.get("Score", "0")) >= 1:
            pars = _html_pars(a.get("Body", ""))
            yield dict(
                doc=a["Id"],
                pars=pars,
                date=a["CreationDate"][:10],
                url=f"https://{site}.stackexchange.com/a/{a['Id']}",
                license=a.get("ContentLicense", "CC BY-SA"),
            )
        el.clear()


def read_skeptics(raw):
    with open(os.path.join(raw, "stackexchange", "skeptics.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            pars = [clean_par(p) for p in re.split(r"\n\s*\n", r["answer"])]
            yield dict(
                doc=str(r["answerId"]),
                pars=[p for p in pars if p],
                date=None,
                url=r.get("answerUrl") or r.get("questionUrl"),
            )


def read_wikitext(raw):
    txt = read_text(os.path.join(raw, "wikitext", "wikitext-test.txt"), encoding="utf-8")
    arts = re.split(r"\n \= (?!\=)(.+?) \= \n", "\n" + txt)
    for i in range(1, len(arts) - 1, 2):
        title, body = arts[i].strip(), arts[i + 1]
        pars = []
        for line in body.split("\n"):
            line = line.strip()
            if not line or line.startswith("="):
                continue
            pars.append(detok_wikitext(line))
        yield dict(doc=title, pars=pars, date=None, url="https://en.wikipedia.org/wiki/" + title.replace(" ", "_"))


def attach_marks(s: str) -> str:
    """Undo a tokeniser's spaces around punctuation and brackets ("word ," -> "word,", "( word" -> "(word"): the
    step WikiText, MASC and Brown text share."""
    s = re.sub(r" ([,.;:!?%)\]}])", r"\1", s)
    return re.sub(r"([(\[{$]) ", r"\1", s)


def detok_wikitext(s: str) -> str:
    s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".")
    s = attach_marks(s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    s = re.sub(r" ' s\b", "'s", s)
    # straight double quotes come as separate tokens: re-attach pairwise
    parts = s.split(' " ')
    if len(parts) > 1:
        out, open_q = parts[0], True
        for p in parts[1:]:
            out += (' "' if open_q else '" ') + p
            open_q = not open_q
        s = out
    s = re.sub(r'^" ', '"', s)
    s = re.sub(r' "$', '"', s)
    s = s.replace(" – ", " – ").replace(" — ", " — ")
    return clean_par(s)


def _dictd_entries(raw, name):
    d = os.path.join(raw, "dictd")
    with gzip.open(os.path.join(d, f"{name}.dict.dz")) as gz:
        data = gz.read()
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def dec(s):
        v = 0
        for ch in s:
            v = v * 64 + b64.index(ch)
        return v

    seen = set()
    with open(os.path.join(d, f"{name}.index"), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00-database"):
                continue
            off, ln = dec(parts[1]), dec(parts[2])
            if off in seen:
                continue
            seen.add(off)
            yield parts[0], data[off : off + ln].decode("utf-8", "replace")


def _dict_body(entry: str):
    lines = entry.split("\n")[1:]  # first line is the headword
    text = "\n".join(x.strip() for x in lines)
    date = None
    m = re.search(r"\((\d{4}-\d{2}-\d{2})\)\s*$", text.strip())
    if m:
        date = m.group(1)
        text = text.strip()[: m.start()]
    text = re.sub(r"\{([^{}]*?)\s*\((?:[^(){}]*)\)\}", r"\1", text)  # {label (url)} -> label
    text = re.sub(r"\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"<[^<>]{1,40}>", "", text)  # <category> tags
    text = re.sub(r"\b(E-mail|URL|Home|FTP|Latest version):?\s+\S+", "", text)
    pars = [clean_par(p) for p in re.split(r"\n\s*\n", text)]
    pars = [
        p
        for p in pars
        if p
        and not re.match(r"^(See also|Compare|Usage|See|Jargon File)\b", p)
        and not re.search(r"https?://|ftp://", p)
    ]
    return pars, date


def read_foldoc(raw):
    for head, entry in _dictd_entries(raw, "foldoc"):
        pars, date = _dict_body(entry)
        if date and date > CUTOFF:
            continue
        yield dict(doc=head, pars=pars, date=date, url="https://foldoc.org/" + head.replace(" ", "+"))


def read_jargon(raw):
    for head, entry in _dictd_entries(raw, "jargon"):
        pars, _ = _dict_body(entry)
        pars = [re.sub(r"^/[^/]{1,60}/,?\s*(?:[a-z]+\.,?\s*)*", "", p) for p in pars]  # pronunciation
        pars = [p for p in pars if nwords(p) > 2]
        yield dict(doc=head, pars=pars, date=2003, url="http://catb.org/jargon/html/")


def _pubtator(path):
    title = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^(\d+)\|([ta])\|(.*)$", line.rstrip("\n"))
            if m:
                pmid, kind, txt = m.groups()
                if kind == "a":
                    yield pmid, title.get(pmid, ""), txt.strip()
                else:
                    title[pmid] = txt


def read_pubtator(raw, files, prefix):
    for f in files:
        for pmid, _title, abstract in _pubtator(os.path.join(raw, "biomed", f)):
            yield dict(doc=pmid, pars=[clean_par(abstract)], date=None, url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")


ACL_VENUES = {
    "ACL",
    "NAACL",
    "EMNLP",
    "SemEval",
    "CL",
    "CoNLL",
    "COLING",
    "EACL",
    "TACL",
    "LREC",
    "IJCNLP",
    "AACL",
    "Findings",
}
LIGATURE = re.compile(
    r"\b(?:di|e|o|su|coe|signi|de|speci|con|identi|classi|bene|modi|veri|re|in|"
    r"a|in|pro|ef|tra|con|sel|work|ows)\s(?:erent|erence|erences|ect|ective|"
    r"ectively|ects|ectiveness|cient|ciently|ciency|cant|cantly|ne|ned|nes|"
    r"nition|nite|c|cally|cation|cations|ed|er|ers|ering|ort|orts|icult|"
    r"iculty|ected|eld|elds|rst|nal|nd|nding|ndings|xed|ow|ows|ne-grained)\b"
)


def read_beese(raw, want_acl):
    seen = set()
    for f in ["NLP", "ML", "Hist"]:
        with open(os.path.join(raw, "paper_abstracts", f + ".json"), encoding="utf-8") as fh:
            records = json.load(fh)
        for r in records:
            if (r["venue"] in ACL_VENUES) != want_acl or r["url"] in seen:
                continue
            seen.add(r["url"])
            a = clean_par(r["abstract"])
            if LIGATURE.search(a) or "ﬁ" in a or "ﬂ" in a:
                continue
            yield dict(doc=r["url"], pars=[a], date=r["year"], url=r["url"], meta=r["venue"])


def read_federalist(raw):
    for f in sorted(glob.glob(os.path.join(raw, "federalist", "*.txt"))):
        txt = read_text(f, encoding="utf-8", errors="replace")
        pars = []
        for b in re.split(r"\n\s*\n", txt):
            b = clean_par(b)
            if not b or b.isupper() or re.match(r"^(FEDERALIST|To the People|PUBLIUS|From |For the )", b):
                continue
            pars.append(b)
        yield dict(
            doc=os.path.basename(f)[:-4], pars=pars, date=1788, url="https://guides.loc.gov/federalist-papers/full-text"
        )


def _rst_inline(s: str) -> str:
    s = re.sub(r":pep:`(\d+)`", r"PEP \1", s)
    s = re.sub(r":[a-z:]+:`~?([^`<]*?)\s*(?:<[^`>]*>)?`", r"\1", s)
    s = re.sub(r"`([^`<]+?)\s*<[^`>]*>`__?", r"\1", s)
    s = re.sub(r"``([^`]+)``", r"\1", s)
    s = re.sub(r"`([^`]+)`_*", r"\1", s)
    s = re.sub(r"\[#?[\w-]*\]_", "", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\1", s)
    s = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\1", s)
    return s


def read_peps(raw):
    for f in sorted(glob.glob(os.path.join(raw, "peps", "pep-*.*"))):
        txt = read_text(f, encoding="utf-8", errors="replace")
        head, _, body = txt.partition("\n\n")
        m = re.search(r"^Created:\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})", head, re.M)
        if not m:
            continue
        mon = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        date = f"{m.group(3)}-{mon.index(m.group(2).lower()) + 1:02d}-{int(m.group(1)):02d}"
        if date > CUTOFF:
            continue
        pars, in_code = [], False
        blocks = re.split(r"\n\s*\n", body)
        for b in blocks:
            first = b.lstrip("\n")
            if not first.strip():
                continue
            if in_code and (first.startswith(" ") or first.startswith("\t")):
                continue
            in_code = False
            if (
                first.startswith((" ", "\t", "..", ">>>", "|", "+-", "=", "-", "~", "*", "#"))
                or re.match(r"^\S.*\n[=\-~^\"'`#*+]{3,}\s*$", first)
                or re.match(r"^\d+\. ", first)
            ):
                if first.rstrip().endswith("::"):
                    in_code = True
                continue
            if first.rstrip().endswith("::"):
                in_code = True
                first = first.rstrip()[:-1]
            if re.search(r"^\s*[=\-~^]{4,}\s*$", first, re.M):
                continue
            p = clean_par(_rst_inline(first))
            if (
                p
                and not re.search(r"https?://", p)
                and "copyright" not in p.lower()
                and "public domain" not in p.lower()
            ):
                pars.append(p)
        yield dict(
            doc=os.path.basename(f).split(".")[0],
            pars=pars,
            date=date,
            url="https://peps.python.org/" + os.path.basename(f).split(".")[0] + "/",
        )


def read_rustbook(raw):
    d = os.path.join(raw, "rustbook")
    commit = read_text(os.path.join(d, "COMMIT")).strip()
    for f in sorted(glob.glob(os.path.join(d, "ch*.md"))):
        txt = read_text(f, encoding="utf-8")
        txt = re.sub(r"```.*?```", "\n\n", txt, flags=re.S)
        txt = re.sub(r"<!--.*?-->", "", txt, flags=re.S)
        txt = re.sub(r"<span[^>]*>.*?</span>|<[^>]+>", " ", txt, flags=re.S)
        pars = []
        for b in re.split(r"\n\s*\n", txt):
            b = b.strip()
            if not b or b.startswith(("#", "|", "{{", "    ", ">", "[", "!")):
                continue
            b = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", b)
            b = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", b)
            b = re.sub(r"`([^`]+)`", r"\1", b)
            b = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", b)
            b = re.sub(r"^\s*[*\-] ", "", b, flags=re.M)
            b = clean_par(b)
            if b:
                pars.append(b)
        name = os.path.basename(f)[:-3]
        yield dict(
            doc=name, pars=pars, date="2022-09", url=f"https://github.com/rust-lang/book/blob/{commit}/src/{name}.md"
        )


# ---- modern personal writing, op-eds/blogs, legal/government text, news and reviews (added 2026-12)

_SENT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(t: str) -> list[str]:
    return [x.strip() for x in _SENT.split(t) if x.strip()]


MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def read_hippocorpus(raw):
    """Hippocorpus V3 stories rebuilt from the per-sentence event annotations (240 stories)."""
    import csv

    stories, meta = {}, {}
    with open(os.path.join(raw, "hippocorpus", "hcV3-eventAnnotsAggOverWorkers.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            stories.setdefault(r["HippocorpusAssignmentId"], {})[int(r["sentIx"])] = r["sent"].strip()
            meta[r["HippocorpusAssignmentId"]] = r["memType"]
    for sid in sorted(stories):
        sents = [stories[sid][i] for i in sorted(stories[sid]) if stories[sid][i]]
        yield dict(
            doc=sid,
            pars=sents,
            joiner=" ",
            date=None,
            meta=meta[sid],
            url="https://www.microsoft.com/en-us/download/details.aspx?id=105291 (Hippocorpus v3, "
            f"{meta[sid]} story {sid})",
        )


def read_blog_authorship(raw):
    """Blog Authorship Corpus (blogger.com, 2004): a fixed 1/16 of the bloggers, chosen by file name."""
    d = os.path.join(raw, "blogs")
    for f in sorted(glob.glob(os.path.join(d, "*.xml"))):
        name = os.path.basename(f)
        if zlib.crc32(name.encode()) % 16:
            continue
        txt = read_bytes(f).decode("utf-8", "replace")
        blogger = name.split(".")[0]
        posts = re.findall(r"<date>(.*?)</date>\s*<post>(.*?)</post>", txt, flags=re.S)
        # at most 3 posts a blogger (a fixed pseudo-random choice), so prolific bloggers do not dominate
        keep = sorted(range(len(posts)), key=lambda k: zlib.crc32(f"{name}#{k}".encode()))[:3]
        for k, (date, post) in enumerate(posts):
            if k not in keep:
                continue
            post = html.unescape(post).replace("urlLink", " ")
            post = _WS.sub(" ", re.sub(r"\s+", " ", post)).strip()
            if "\ufffd" in post or nwords(post) < 60:
                continue
            m = re.match(r"(\d+),([A-Za-z]+),(\d{4})", date.strip())
            iso = None
            if m and m.group(2).lower() in MONTHS:
                iso = f"{m.group(3)}-{MONTHS.index(m.group(2).lower()) + 1:02d}-{int(m.group(1)):02d}"
            yield dict(
                doc=f"{blogger}#{k}",
                work=blogger,
                pars=split_sentences(post),
                joiner=" ",
                date=iso,
                url=f"https://u.cs.biu.ac.il/~koppel/BlogCorpus.htm (blogs/{name}, post {k})",
            )


def _join_segments(segs: list[str]) -> str:
    out = ""
    for s in segs:
        if not s:
            continue
        if not out:
            out = s.strip()
        elif re.match(r"^[.,;:!?)\]\u201d]", s) or out.endswith(("(", "[", "\u201c")):
            out += s.strip()
        else:
            out += " " + s.strip()
    return clean_par(out)


def read_webis_editorials(raw):
    """Webis-Editorials-16 as released with Syed et al. (COLING 2020): Al Jazeera, Fox News, Guardian."""
    for outlet in ["aljazeera", "foxnews", "guardian"]:
        for f in sorted(glob.glob(os.path.join(raw, "webis_editorials", outlet, "*.json"))):
            with open(f, encoding="utf-8") as fh:
                data = json.load(fh)
            pars = []
            for para in data["paragraphs"]:
                if any(s.get("label") == "title" for s in para):
                    continue
                p = _join_segments([s["text"] for s in para])
                if nwords(p) < 8 and not p.endswith(("?", "!")):  # section subheadings ("Tarnished credibility.")
                    continue
                pars.append(p)
            name = os.path.basename(f)[:-5]
            yield dict(
                doc=f"{outlet}/{name}",
                pars=pars,
                date=None,
                meta=outlet,
                url=f"https://github.com/webis-de/COLING-20 (data-source/{outlet}/{name}.json)",
            )


def _md_clean(p: str) -> str:
    p = re.sub(r"\[(\d+)\]", "", p)  # footnote markers
    p = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", p)  # links
    p = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"\1", p)  # _italics_
    p = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", p)
    p = re.sub(r"^>\s?", "", p)
    return clean_par(p)


def read_founder_essays(raw, who):
    """Essays from paulgraham.com / blog.samaltman.com as collected in github.com/sgoel97/essay-datasets."""
    import csv

    csv.field_size_limit(10**9)
    fn = {"pg": "paul_graham_essays.csv", "sa": "sam_altman_essays.csv"}[who]
    with open(os.path.join(raw, "essays", fn), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            date = None
            m = re.match(r"([A-Za-z]+) (\d{4})$", r["date"].strip())
            if m and m.group(1).lower() in MONTHS:
                date = f"{m.group(2)}-{MONTHS.index(m.group(1).lower()) + 1:02d}"
            m = re.match(r"(\d{4}-\d{2}-\d{2})", r["date"].strip())
            if m:
                date = m.group(1)
            if not date or date > CUTOFF:
                continue
            body = re.split(r"\n\s*(?:\*\*)?Notes(?:\*\*)?\s*\n", r["text"])[0]
            body = body.split("\n**Thanks**")[0].split("\nThanks to ")[0]
            pars = []
            for b in re.split(r"\n\s*\n", body):
                b = b.strip()
                if not b or b.startswith(("#", "|", "    ", "```", "* ", "- ", "![")) or re.match(r"^\d+\. ", b):
                    continue
                b = _md_clean(b.replace("\n> ", " ").replace("\n", " "))
                if b and not re.match(r"^(from|to|date|subject|cc):", b, flags=re.I):
                    pars.append(b)
            site = "http://www.paulgraham.com/" if who == "pg" else "https://blog.samaltman.com/"
            yield dict(
                doc=r["title"],
                pars=pars,
                date=date,
                url=f"{site} ('{r['title']}', via github.com/sgoel97/essay-datasets)",
            )


def read_reuters(raw):
    """Reuters-21578 (1987 newswire; Lewis's distribution, XML-ised by S. Luz)."""
    d = os.path.join(raw, "reuters21578")
    files = sorted(glob.glob(os.path.join(d, "reut2-*.xml"))) or sorted(glob.glob(os.path.join(d, "reut2-*.sgm")))
    for f in files:
        txt = read_bytes(f).decode("latin-1")
        for m in re.finditer(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", txt, flags=re.S):
            nid, block = m.groups()
            b = re.search(r"<BODY>(.*?)</BODY>", block, flags=re.S)
            if not b:
                continue
            body = html.unescape(re.sub(r"&#\d+;", "", b.group(1)))
            body = re.sub(r"\s*\bReuter\s*$", "", body.strip(), flags=re.I)
            pars = [clean_par(p) for p in re.split(r"\n\s{2,}", "\n" + body)]
            date = re.search(r"<DATE>\s*(\d+)-([A-Z]+)-(\d{4})", block)
            iso = None
            if date:
                mon = [x[:3].upper() for x in MONTHS].index(date.group(2)) + 1
                iso = f"{date.group(3)}-{mon:02d}-{int(date.group(1)):02d}"
            pars = [p for p in pars if p]
            if sum(nwords(p) for p in pars) < 80:  # briefs and tables
                continue
            yield dict(
                doc=nid,
                pars=pars,
                date=iso,
                url=f"https://archive.ics.uci.edu/dataset/137 (Reuters-21578, NEWID {nid})",
            )


def read_amazon_mds(raw):
    """Multi-Domain Sentiment Dataset v2.0 (Blitzer et al. 2007), sorted_data_acl: labelled Amazon reviews."""
    d = os.path.join(raw, "amazon_mds")
    for dom in ["books", "dvd", "electronics", "kitchen_&_housewares"]:
        for pol in ["positive", "negative"]:
            txt = read_bytes(os.path.join(d, dom, pol + ".review")).decode("latin-1")
            for m in re.finditer(r"<review>(.*?)</review>", txt, flags=re.S):
                block = m.group(1)
                body = re.search(r"<review_text>(.*?)</review_text>", block, flags=re.S).group(1)
                uid = re.search(r"<unique_id>\s*(.*?)\s*</unique_id>", block, flags=re.S).group(1)
                asin = re.search(r"<asin>\s*(.*?)\s*</asin>", block, flags=re.S)
                date = re.search(r"<date>\s*([A-Za-z]+) (\d+), (\d{4})\s*</date>", block)
                iso = None
                if date and date.group(1).lower() in MONTHS:
                    iso = f"{date.group(3)}-{MONTHS.index(date.group(1).lower()) + 1:02d}-{int(date.group(2)):02d}"
                body = html.unescape(body)
                pars = [clean_par(p) for p in re.split(r"\n\s*\n", body) if clean_par(p)]
                yield dict(
                    doc=f"{dom}/{pol}/{uid}",
                    pars=pars,
                    date=iso,
                    meta=dom,
                    url="https://www.cs.jhu.edu/~mdredze/datasets/sentiment/ (sorted_data_acl/"
                    f"{dom}/{pol}.review; ASIN {asin.group(1) if asin else '?'})",
                )


_EU_DATE = [
    re.compile(r"\bof (\d{1,2}) (" + "|".join(m.capitalize() for m in MONTHS) + r") (\d{4})"),
    re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"),
    re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b"),
]


def read_eurlex(raw):
    """EU legal acts and treaties (EUR-Lex / Cellar text) as collected in github.com/chaee/human-centered-eu."""
    d = os.path.join(raw, "eurlex")
    files = sorted(
        glob.glob(os.path.join(d, "legal-in-force-*", "*.txt")) + glob.glob(os.path.join(d, "eu_treaties", "*.txt"))
    )
    for f in files:
        txt = read_text(f, encoding="utf-8", errors="replace")
        head = txt[:6000]
        year = None
        for rx in _EU_DATE:
            m = rx.search(head)
            if m:
                year = int(m.group(3))
                break
        if year is None or year > 2021:
            continue
        if "<p" in txt:
            body = txt.split("<TXT_TE>", 1)[-1]
            units = [clean_par(strip_tags(x)) for x in re.findall(r"<p\b[^>]*>(.*?)</p>", body, flags=re.S)]
        else:
            units = [clean_par(x) for x in txt.split("\n")]
        pars = []
        for p in units:
            if re.match(r"^(ANNEX|Annex)\b", p) and nwords(p) <= 4:
                break  # annexes: tables, codes, forms
            if nwords(p) < 12 or "(," in p or re.search(r"\.{4,}|_{3,}", p) or p.isupper():
                continue
            if not p.endswith((".", ";", ":")) or p[0].islower():
                continue  # list items and fragments of enumerations
            pars.append(p)
        sub = os.path.basename(os.path.dirname(f))
        cellar = os.path.basename(f)[:-4]
        yield dict(
            doc=cellar,
            pars=pars,
            date=year,
            url=f"http://publications.europa.eu/resource/cellar/{cellar}"
            f" (via github.com/chaee/human-centered-eu, {sub})",
        )


def _uslm_walk(el, label, ns, pars):
    """Append the text paragraphs under a USLM element to pars, each prefixed by its enclosing num/heading."""
    for ch in el:
        tag = ch.tag.replace(ns, "")
        if tag in ("notes", "note", "sourceCredit", "quotedContent", "toc", "table"):
            continue
        if tag in ("chapeau", "content", "continuation", "p"):
            t = clean_par("".join(ch.itertext()))
            if t:
                pars.append((label + " " + t).strip())
                label = ""
        elif tag in ("num", "heading"):
            continue
        else:
            num = ch.find(ns + "num")
            head = ch.find(ns + "heading")
            lab = " ".join(clean_par("".join(x.itertext())) for x in (num, head) if x is not None)
            _uslm_walk(ch, lab, ns, pars)


def read_uscode(raw):
    """United States Code, USLM XML of the titles that come under 4 MB (2013 release point)."""
    import xml.etree.ElementTree as ET

    ns = "{http://xml.house.gov/schemas/uslm/1.0}"
    for f in sorted(glob.glob(os.path.join(raw, "uscode", "usc*.xml"))):
        root = ET.parse(f).getroot()
        title = os.path.basename(f)[3:-4]
        for sec in root.iter(ns + "section"):
            ident = sec.get("identifier") or ""
            if not ident.startswith("/us/usc/") or sec.get("status") in ("repealed", "omitted", "transferred"):
                continue
            pars = []
            _uslm_walk(sec, "", ns, pars)
            pars = [p for p in pars if nwords(p) >= 8]
            if not pars:
                continue
            yield dict(
                doc=ident,
                pars=pars,
                date="2013",
                url=f"https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title{int(title)}"
                f"-section{ident.rsplit('/s', 1)[-1]} (USLM via github.com/opengovfoundation/us-federal-code)",
            )


def detok_masc(line: str) -> str:
    toks = []
    for t in line.split():
        w = t.rsplit("_", 1)[0] if "_" in t else t
        toks.append(w)
    s = " ".join(toks)
    s = attach_marks(s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m|')\b", r"\1", s)
    s = re.sub(r"\s*--\s*", " -- ", s)
    s = re.sub(r"(?<=\w) - (?=\w)", "-", s)  # hyphens were split off
    s = re.sub(" \u2019 ?(s|t|re|ve|ll|d|m)\\b", "\u2019\\1", s)
    s = re.sub(r"\u201c ", "\u201c", s)
    s = re.sub(r" \u201d", "\u201d", s)
    s = re.sub(r"(?<=s) ' ", "' ", s)
    parts = s.split('"')
    if len(parts) > 1:  # straight quotes: alternate open/close
        out = parts[0]
        for i, p in enumerate(parts[1:]):
            out = (
                out.rstrip() + (' "' if out.strip() else '"') + p.lstrip()  # an opening quote
                if i % 2 == 0
                else out.rstrip() + '"' + p  # a closing quote
            )
        s = out
    return clean_par(s)


MASC_GENRES = {"masc_news": ["newspaper"], "masc_opinion": ["journal", "essays", "blog"], "masc_govdocs": ["govt-docs"]}


def read_masc(raw, source):
    """MASC 3.0 written texts (ANC), POS-tagged one sentence a line as in NLTK's masc_tagged; detokenised."""
    d = os.path.join(raw, "masc_tagged")
    want = MASC_GENRES[source]
    with open(os.path.join(d, "categories.txt"), encoding="utf-8") as fh:
        categories = fh.readlines()
    for line in categories:
        path, genre = line.strip().rsplit(" ", 1)
        if genre not in want:
            continue
        sents = []
        with open(os.path.join(d, path), encoding="utf-8", errors="replace") as fh:
            for ln in fh:
                s = detok_masc(ln)
                if s:
                    sents.append(s)
        if genre != "blog" and sents and nwords(sents[0]) < 15 and not sents[0].endswith((".", "?", "!")):
            sents = sents[1:]  # headline
        yield dict(
            doc=path,
            work=path,
            pars=sents,
            joiner=" ",
            date=None,
            meta=genre,
            url=f"https://anc.org/data/masc/ (MASC {genre}: {path}; nltk_data masc_tagged)",
        )


def detok_brown(line: str) -> str:
    """One sentence of the Brown corpus as NLTK ships it ("The/at jury/nn said/vbd ``/`` no/at ''/''") as text."""
    s = " ".join(t.rsplit("/", 1)[0] for t in line.split() if "/" in t)
    s = s.replace("`` ", '"').replace(" ''", '"').replace("``", '"').replace("''", '"')  # open and close quotes
    s = attach_marks(s)
    s = re.sub(r"\s*--\s*", " -- ", s)
    s = re.sub(r"(?<!\.)\.\.(?!\.)", ".", s)  # "Jr." ending a sentence was tokenised as "Jr." + "."
    s = re.sub(r"([;?!,])( ?\1)+", r"\1", s)  # some samples double a mark ("site?/. ?/.", "Charles 10,/, ,/,")
    return clean_par(s)


# The Brown corpus's categories (Francis & Kucera 1964) by kind of writing: source -> (domain, categories)
BROWN_KINDS = {
    "brown_news": ("news", ["news"]),
    "brown_editorial": ("op_ed", ["editorial"]),
    "brown_reviews": ("review", ["reviews"]),
    "brown_religion": ("religious", ["religion"]),
    "brown_popular": ("magazine", ["hobbies", "lore"]),
    "brown_belles_lettres": ("opinion_essay", ["belles_lettres"]),
    "brown_government": ("legal_gov", ["government"]),
    "brown_learned": ("academic_article", ["learned"]),
    "brown_fiction": ("literary_prose", ["fiction", "mystery", "science_fiction", "adventure", "romance", "humor"]),
}


def read_brown(raw, source):
    """The Brown corpus (American English printed in 1961; NLTK's `brown`): each sample a document, paragraphs
    as blank-line-separated blocks of one sentence a line, headline lines (tags ending in -hl) dropped."""
    d = os.path.join(raw, "brown")
    want = BROWN_KINDS[source][1]
    for line in read_text(os.path.join(d, "cats.txt")).splitlines():
        if not line.strip():
            continue
        name, category = line.split()
        if category not in want:
            continue
        pars = []
        for block in re.split(r"\n\s*\n", read_text(os.path.join(d, name))):
            sents = [
                detok_brown(ln)
                for ln in block.splitlines()
                if ln.strip() and not all(t.endswith("-hl") for t in ln.split())
            ]
            par = " ".join(x for x in sents if x)
            # formulas were replaced by "Af" and cut their sentences apart; a block that does not start and end a
            # sentence is a heading, a list item or such a fragment
            whole = par[:1].isupper() or par[:1] in '"(' or par[:1].isdigit()
            if whole and not re.search(r"\bAf\b", par) and par.endswith((".", "?", "!", '"', ")", ":")):
                pars.append(par)
        yield dict(
            doc=name,
            pars=pars,
            date=1961,
            meta=category,
            url=f"https://github.com/nltk/nltk_data (corpora/brown/{name}, {category})",
        )


# public origins of the sources that are not redistributed here (fetched with --download when RAW lacks them):
# (url, archive member prefix or None for a plain file, target under RAW)
GH = "https://raw.githubusercontent.com"
DOWNLOADS = {
    "hippocorpus": [
        (
            f"{GH}/pinchunc/NMA_DL_SentimentAnalysis/524e0443796ead0fe2efc4bc9f756a0f9927c408/"
            "Hippocorpus_data/hcV3-eventAnnotsAggOverWorkers.csv",
            None,
            "hippocorpus/hcV3-eventAnnotsAggOverWorkers.csv",
        )
    ],
    "blog_authorship": [("https://u.cs.biu.ac.il/~koppel/blogs/blogs.zip", "blogs/", "blogs/")],
    "paulgraham_essays": [
        (
            f"{GH}/sgoel97/essay-datasets/c940c482573d33b0c5107dc4e3293737233482a7/"
            "paul_graham_essays/dataset/pual_graham_essays.csv",
            None,
            "essays/paul_graham_essays.csv",
        )
    ],
    "samaltman_essays": [
        (
            f"{GH}/sgoel97/essay-datasets/c940c482573d33b0c5107dc4e3293737233482a7/"
            "sam_altman_essays/dataset/sam_altman_essays.csv",
            None,
            "essays/sam_altman_essays.csv",
        )
    ],
    "webis_editorials": [
        (
            "https://codeload.github.com/webis-de/COLING-20/tar.gz/5b90e85eb39e732422464a6554535eceb48f49d1",
            "COLING-20-5b90e85eb39e732422464a6554535eceb48f49d1/data-source/",
            "webis_editorials/",
        )
    ],
    "reuters21578": [
        (
            "https://archive.ics.uci.edu/ml/machine-learning-databases/reuters21578-mld/reuters21578.tar.gz",
            "",
            "reuters21578/",
        )
    ],
    "amazon_reviews": [
        (
            "https://www.cs.jhu.edu/~mdredze/datasets/sentiment/domain_sentiment_data.tar.gz",
            "sorted_data_acl/",
            "amazon_mds/",
        )
    ],
}


def ensure_raw(name: str, raw: str) -> None:
    """Fetch a non-redistributable source's public copy into RAW if it is not there (--download)."""
    for url, member, target in DOWNLOADS.get(name, []):
        dest = os.path.join(raw, target)
        if os.path.exists(dest) and (member is None or os.listdir(dest)):
            continue
        os.makedirs(os.path.dirname(dest.rstrip("/")) or raw, exist_ok=True)
        print(f"  downloading {url}", flush=True)
        data = urllib.request.urlopen(url, timeout=600).read()
        if member is None:
            with open(dest, "wb") as f:
                f.write(data)
            continue
        os.makedirs(dest, exist_ok=True)
        if url.endswith(".zip"):
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                items = [(n, lambda n=n, zf=zf: zf.read(n)) for n in zf.namelist() if not n.endswith("/")]
                _extract_items(items, member, dest)
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                items = [(m.name, lambda m=m, tf=tf: tf.extractfile(m).read()) for m in tf.getmembers() if m.isfile()]
                _extract_items(items, member, dest)


def _extract_items(items, member: str, dest: str) -> None:
    """Write the archive entries under `member` (name, read function) into dest, keeping their relative paths."""
    for n, read in items:
        if not n.startswith(member):
            continue
        rel = n[len(member) :]
        if not rel or ".." in rel:
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        with open(os.path.join(dest, rel), "wb") as f:
            f.write(read())


# ----------------------------------------------------------------------------------------------
# source table: id -> (domain, licence, reader, excerpts per document, cap, in_git)


def SOURCES(download):
    se_dates = {
        "arthur-conan-doyle_the-adventures-of-sherlock-holmes": 1892,
        "charlotte-bronte_jane-eyre": 1847,
        "emily-bronte_wuthering-heights": 1847,
        "joseph-conrad_heart-of-darkness": 1899,
        "l-m-montgomery_anne-of-green-gables": 1908,
        "edith-wharton_ethan-frome": 1911,
        "ralph-waldo-emerson_essays": 1841,
        "henry-david-thoreau_on-the-duty-of-civil-disobedience": 1849,
        "okakura-kakuzo_the-book-of-tea": 1906,
        "frederick-douglass_narrative-of-the-life-of-frederick-douglass-an-american-slave": 1845,
        "samuel-pepys_the-diary": 1669,
        "theodore-roosevelt_a-book-lovers-holidays-in-the-open": 1916,
    }
    S = {
        "nltk_gutenberg": (
            "literary_prose",
            "Public domain (Project Gutenberg texts)",
            lambda r: read_nltk_gutenberg(r),
            4,
            700,
            True,
        ),
        "standardebooks_fiction": (
            "literary_prose",
            "CC0 1.0 (Standard Ebooks; texts public domain)",
            lambda r: read_standardebooks(r, "fiction", se_dates),
            4,
            700,
            True,
        ),
        "nltk_inaugural": (
            "speech",
            "Public domain (US presidential inaugural addresses)",
            lambda r: read_speeches(r, "inaugural"),
            8,
            350,
            True,
        ),
        "nltk_state_union": (
            "speech",
            "Public domain (US State of the Union addresses)",
            lambda r: read_speeches(r, "state_union"),
            6,
            550,
            True,
        ),
        "wi_locness": (
            "learner_essay",
            "Cambridge W&I licence: non-commercial research/education only",
            lambda r: read_wi(r, download),
            1,
            1000,
            False,
        ),
        "fce": (
            "learner_essay",
            "CLC FCE licence: non-commercial research/education only",
            lambda r: read_fce(r, download),
            1,
            900,
            False,
        ),
        "se_skeptics": ("expert_answer", "CC BY-SA 3.0/4.0 (Stack Exchange)", lambda r: read_skeptics(r), 1, 600, True),
        "se_coffee": (
            "expert_answer",
            "CC BY-SA 3.0/4.0 (Stack Exchange)",
            lambda r: read_se_posts(r, "coffee"),
            1,
            500,
            True,
        ),
        "se_datascience": (
            "expert_answer",
            "CC BY-SA 3.0/4.0 (Stack Exchange)",
            lambda r: read_se_posts(r, "datascience"),
            1,
            400,
            True,
        ),
        "wikitext": ("encyclopedia", "CC BY-SA 3.0 (Wikipedia via WikiText)", lambda r: read_wikitext(r), 8, 500, True),
        "foldoc": ("encyclopedia", "GFDL 1.1+ (FOLDOC, Denis Howe)", lambda r: read_foldoc(r), 1, 500, True),
        "jargon_file": ("encyclopedia", "Public domain (Jargon File 4.4.7)", lambda r: read_jargon(r), 1, 300, True),
        "ncbi_disease": (
            "biomedical_abstract",
            "NLM public-domain notice (NCBI disease corpus); abstracts from PubMed",
            lambda r: read_pubtator(r, ["ncbi_train.txt", "ncbi_devel.txt", "ncbi_test.txt"], "ncbi"),
            1,
            700,
            True,
        ),
        "bc5cdr": (
            "biomedical_abstract",
            "BioCreative V CDR corpus (free for research); abstracts from PubMed",
            lambda r: read_pubtator(r, ["cdr_Development.txt", "cdr_Test.txt"], "cdr"),
            1,
            700,
            True,
        ),
        "acl_abstracts": (
            "scientific_abstract",
            "CC BY 4.0 (Beese et al. 2023 data; ACL Anthology)",
            lambda r: read_beese(r, True),
            1,
            800,
            True,
        ),
        "ml_abstracts": (
            "scientific_abstract",
            "CC BY 4.0 (Beese et al. 2023 data; NeurIPS/ICML/ICLR/AAAI abstracts)",
            lambda r: read_beese(r, False),
            1,
            800,
            True,
        ),
        "standardebooks_memoir": (
            "personal_essay",
            "CC0 1.0 (Standard Ebooks; texts public domain)",
            lambda r: read_standardebooks(r, "memoir", se_dates),
            3,
            600,
            True,
        ),
        "standardebooks_essays": (
            "opinion_essay",
            "CC0 1.0 (Standard Ebooks; texts public domain)",
            lambda r: read_standardebooks(r, "essays", se_dates),
            10,
            400,
            True,
        ),
        "federalist": (
            "opinion_essay",
            "Public domain (The Federalist, 1787-88)",
            lambda r: read_federalist(r),
            8,
            200,
            True,
        ),
        "python_peps": (
            "technical_doc",
            "Public domain / CC0 (Python Enhancement Proposals)",
            lambda r: read_peps(r),
            2,
            700,
            True,
        ),
        "rust_book": (
            "technical_doc",
            "MIT OR Apache-2.0 (The Rust Programming Language book)",
            lambda r: read_rustbook(r),
            6,
            450,
            True,
        ),
        # ---- added 2026-12: modern personal writing, op-eds and blogs, legal/government, news, reviews
        "hippocorpus": (
            "personal_narrative",
            "Hippocorpus v3 (Sap et al. 2020, Microsoft Research Open Data): "
            "licence terms of the MSR release; not redistributed here",
            lambda r: read_hippocorpus(r),
            1,
            240,
            False,
        ),
        "blog_authorship": (
            "blog",
            "Blog Authorship Corpus (Schler et al. 2006): non-commercial research use only",
            lambda r: read_blog_authorship(r),
            1,
            700,
            False,
        ),
        "paulgraham_essays": (
            "blog",
            "Copyright Paul Graham (paulgraham.com); not redistributed here",
            lambda r: read_founder_essays(r, "pg"),
            3,
            450,
            False,
        ),
        "samaltman_essays": (
            "blog",
            "Copyright Sam Altman (blog.samaltman.com); not redistributed here",
            lambda r: read_founder_essays(r, "sa"),
            2,
            150,
            False,
        ),
        "webis_editorials": (
            "op_ed",
            "Webis-Editorials-16 (Al Khatib et al. 2016; Syed et al. 2020): article text "
            "copyright of the newspapers; not redistributed here",
            lambda r: read_webis_editorials(r),
            3,
            600,
            False,
        ),
        "masc_opinion": (
            "op_ed",
            "MASC 3.0 (American National Corpus): open data, free for any use",
            lambda r: read_masc(r, "masc_opinion"),
            5,
            150,
            True,
        ),
        "eurlex": (
            "legal_gov",
            "EU legal acts: reuse authorised, (c) European Union, https://eur-lex.europa.eu "
            "(Commission Decision 2011/833/EU)",
            lambda r: read_eurlex(r),
            6,
            600,
            True,
        ),
        "us_code": (
            "legal_gov",
            "Public domain (United States Code, 17 U.S.C. 105)",
            lambda r: read_uscode(r),
            1,
            500,
            True,
        ),
        "masc_govdocs": (
            "legal_gov",
            "MASC 3.0 (American National Corpus): open data, free for any use; the texts are US government reports",
            lambda r: read_masc(r, "masc_govdocs"),
            25,
            120,
            True,
        ),
        "reuters21578": (
            "news",
            "Reuters-21578 (copyright Reuters Ltd.): free distribution for research purposes only",
            lambda r: read_reuters(r),
            1,
            700,
            False,
        ),
        "masc_news": (
            "news",
            "MASC 3.0 (American National Corpus): open data, free for any use",
            lambda r: read_masc(r, "masc_news"),
            4,
            200,
            True,
        ),
        "amazon_reviews": (
            "review",
            "Multi-Domain Sentiment Dataset (Blitzer et al. 2007): Amazon review text, "
            "research use; not redistributed here",
            lambda r: read_amazon_mds(r),
            1,
            800,
            False,
        ),
    }
    # added 2026-12-05, last so that the sources above keep their seeds: the Brown corpus's kinds of writing, for
    # the calibration part (more kinds for the threshold rule to see; see splits.json)
    brown_license = (
        "Brown Corpus (Francis & Kucera 1964, Brown University), as distributed in NLTK 'with the permission of the "
        "copyright holder, redistribution permitted'"
    )
    for name, (domain, _) in BROWN_KINDS.items():
        S[name] = (domain, brown_license, lambda r, name=name: read_brown(r, name), 4, 300, True)
    return S


# ----------------------------------------------------------------------------------------------
# dedup / decontamination


def norm_key(t: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", t.lower())[:200]


def shingles(t: str, step: int = 1, k: int = 10):
    w = re.findall(r"[a-z0-9]+", t.lower())
    out = []
    for i in range(0, max(0, len(w) - k + 1), step):
        s = " ".join(w[i : i + k]).encode()
        out.append((zlib.crc32(s) << 32) | zlib.adler32(s))
    return out


def in_sorted(arr: np.ndarray, x: np.ndarray) -> np.ndarray:
    idx = np.minimum(np.searchsorted(arr, x), len(arr) - 1)
    return arr[idx] == x


def load_shared(shared_dir):
    keys, sh = set(), []
    for f in sorted(glob.glob(os.path.join(shared_dir, "*.jsonl"))):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line)["text"]
                keys.add(norm_key(t))
                sh.extend(shingles(t, step=3))
    arr = np.unique(np.array(sh, dtype=np.uint64))
    return keys, arr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--shared", default="/work/shared/data")
    ap.add_argument("--out", default="data/human_stress")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--download", action="store_true")
    args = ap.parse_args()
    S = SOURCES(args.download)
    names = args.only or list(S)
    print("loading shared training texts for decontamination ...", flush=True)
    shared_keys, shared_sh = load_shared(args.shared)
    print(f"  {len(shared_keys)} keys, {len(shared_sh)} shingles", flush=True)
    os.makedirs(args.out, exist_ok=True)
    seen_keys: dict[str, str] = {}
    # with --only, texts already kept by an earlier source (in table order) that is not rebuilt still count as
    # duplicates, read from that source's existing output, so a partial rebuild gives the files of a full one
    table = list(S)
    earlier: dict[str, int] = {}
    for other in table:
        f = os.path.join(args.out, f"{other}.jsonl.xz")
        if other not in names and os.path.exists(f):
            with lzma.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    earlier.setdefault(norm_key(json.loads(line)["text"]), table.index(other))
    stats = {}
    for name in names:
        si = table.index(name)  # the seed depends on the source's place in the table, not on --only
        domain, lic, reader, per_doc, cap, in_git = S[name]
        if args.download:
            ensure_raw(name, args.raw)
        rng = np.random.default_rng(SEED + si)
        cands, drop = [], Counter()
        for d in reader(args.raw):
            for j, t in enumerate(excerpts(d["pars"], rng, per_doc, joiner=d.get("joiner", "\n\n"))):
                if not ok_text(t):
                    drop["length/quality"] += 1
                    continue
                cands.append(dict(text=t, doc=d, j=j))
        # stable order, then a seeded sample up to the cap
        order = rng.permutation(len(cands))
        recs, per_work = [], Counter()
        for o in order:
            c = cands[o]
            t, d = c["text"], c["doc"]
            k = norm_key(t)
            if k in seen_keys or earlier.get(k, len(table)) < si:
                drop["duplicate"] += 1
                continue
            if k in shared_keys:
                drop["in training data"] += 1
                continue
            sh = np.array(shingles(t), dtype=np.uint64)
            if sh.size and in_sorted(shared_sh, sh).sum() >= 2:
                drop["in training data"] += 1
                continue
            work = d.get("work")
            if work is not None and name.startswith("standardebooks") and per_work[work] >= 0.4 * cap:
                drop["per-work cap"] += 1
                continue
            per_work[work] += 1
            seen_keys[k] = name
            date = d.get("date")
            recs.append(
                dict(
                    text=t,
                    label=0,
                    source=name,
                    generator="human",
                    domain=domain,
                    group=f"{name}:{d.get('work') or d['doc']}",
                    date=date,
                    license=d.get("license") or lic,
                    url=d.get("url"),
                )
            )
            if len(recs) >= cap:
                break
        recs.sort(key=lambda r: (r["group"], r["text"][:50]))
        path = os.path.join(args.out, f"{name}.jsonl.xz")
        with lzma.open(path, "wt", encoding="utf-8", preset=9) as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        w = [nwords(r["text"]) for r in recs]
        dates = [str(r["date"])[:4] for r in recs if r["date"]]
        stats[name] = dict(
            domain=domain,
            n=len(recs),
            candidates=len(cands),
            groups=len({r["group"] for r in recs}),
            words_median=int(np.median(w)) if w else 0,
            dates=f"{min(dates)}-{max(dates)}" if dates else None,
            in_git=in_git,
            dropped=dict(drop),
        )
        print(name, json.dumps(stats[name]), flush=True)
    sp = os.path.join(args.out, "stats.json")
    if args.only and os.path.exists(sp):
        with open(sp) as f:
            stats = {**json.load(f), **stats}
    with open(sp, "w") as f:
        json.dump(stats, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
