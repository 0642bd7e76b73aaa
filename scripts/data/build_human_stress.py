#!/usr/bin/env python3
"""Build the human-writing stress set (data/human_stress/*.jsonl.xz).

Human texts of kinds that are absent from the training data, used to measure and cap the
false-positive rate.  Standard library + numpy only; deterministic (fixed seeds).

Usage:
    python scripts/data/build_human_stress.py --raw RAW_DIR [--shared /work/shared/data]
        [--out data/human_stress] [--only SOURCE ...] [--download]

RAW_DIR holds the raw copies of the sources, laid out as listed in SOURCES below (each entry
names its origin; data/human_stress/README.md says where to get each).  Sources whose licence
does not allow redistribution (wi_locness, fce) are written like the others but are kept out of
git (data/.gitignore); with --download the script fetches their public archives itself.

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
MAX_WORDS = 400          # excerpt target for long documents
HARD_MAX = 600           # a whole short document may run to this
MIN_WORDS = 30
CUTOFF = "2022-10-31"    # written before ChatGPT's release where dates are known

WI_URL = "https://www.cl.cam.ac.uk/research/nl/bea2019st/data/wi+locness_v2.1.bea19.tar.gz"
FCE_URL = "https://www.cl.cam.ac.uk/research/nl/bea2019st/data/fce_v2.1.bea19.tar.gz"

# ----------------------------------------------------------------------------------------------
# text helpers

_WS = re.compile(r"[ \t\u00a0]+")


def clean_par(p: str) -> str:
    p = p.replace("\u00ad", "").replace("\u2060", "").replace("\ufeff", "")
    return _WS.sub(" ", p.replace("\n", " ")).strip()


def nwords(t: str) -> int:
    return len(t.split())


STOP = set("the of and to a in is that it was for on are with as be by this at from or have an not "
           "but which they he his her she you we i their been has were had all one there what so "
           "if would can will its more no when who about into than them then these".split())


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
        return False                      # tables, code, numbers
    if englishness(t) < 0.12:
        return False                      # non-English or word lists
    return True


def excerpts(pars: list[str], rng: np.random.Generator, k: int, max_words: int = MAX_WORDS,
             min_words: int = 120) -> list[str]:
    """Up to k non-overlapping windows of whole consecutive paragraphs (<= max_words words)."""
    pars = [p for p in pars if p]
    total = sum(nwords(p) for p in pars)
    if total <= HARD_MAX:
        t = "\n\n".join(pars)
        return [t] if t else []
    # greedy windows from every start, then choose k non-overlapping at random
    wins = []
    for i in range(len(pars)):
        w, j = 0, i
        while j < len(pars) and w + nwords(pars[j]) <= max_words:
            w += nwords(pars[j])
            j += 1
        if j == i:                       # a single over-long paragraph: cut at sentence ends
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
        out.append((i, "\n\n".join(pars[i:j])))
        if len(out) >= k:
            break
    return [t for _, t in sorted(out)]


def strip_tags(s: str) -> str:
    s = re.sub(r"<br\s*/?>", " ", s)
    s = re.sub(r"<[^>]+>", "", s)
    return html.unescape(s)


# ----------------------------------------------------------------------------------------------
# readers: each yields dicts(doc, pars, date, url, title)

GUTENBERG_YEARS = {"austen-emma": 1815, "austen-persuasion": 1817, "austen-sense": 1811,
                   "chesterton-ball": 1909, "chesterton-brown": 1911, "chesterton-thursday": 1908}


def read_nltk_gutenberg(raw):
    files = ["austen-emma", "austen-persuasion", "austen-sense", "chesterton-ball",
             "chesterton-brown", "chesterton-thursday"]
    for f in files:
        p = os.path.join(raw, "nltk_gutenberg", f + ".txt")
        txt = open(p, encoding="latin-1").read()
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
            yield dict(doc=f"{f}#{c // 60}", pars=pars[c:c + 60], date=year, work=f,
                       url=f"https://github.com/nltk/nltk_data (corpora/gutenberg/{f}.txt)")


SE_SKIP = re.compile(r"(colophon|imprint|titlepage|uncopyright|toc|loi|endnotes|halftitle|"
                     r"dedication|epigraph|glossary|index|preface|introduction|afterword|"
                     r"appendix|translators-note|notes)", re.I)


def _se_pars(xhtml: str) -> list[str]:
    body = re.sub(r"<(header|hgroup|h\d|table|figure|blockquote class=\"[^\"]*epub-type=\"z3998:poem)"
                  r"[^>]*>.*?</\1>", " ", xhtml, flags=re.S)
    pars = []
    for m in re.finditer(r"<p\b[^>]*>(.*?)</p>", body, flags=re.S):
        inner = m.group(1)
        if "<br" in inner:               # verse, letters' address blocks
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
            pars = _se_pars(open(f, encoding="utf-8").read())
            if sum(nwords(p) for p in pars) < MIN_WORDS:
                continue
            for c in range(0, len(pars), 80):
                yield dict(doc=f"{slug}/{name}#{c // 80}", pars=pars[c:c + 80], date=dates.get(slug), work=slug,
                           url=f"https://standardebooks.org/ebooks/{slug.replace('_', '/')}")


def read_speeches(raw, sub):
    for f in sorted(glob.glob(os.path.join(raw, sub, "*.txt"))):
        name = os.path.basename(f)[:-4]
        txt = open(f, encoding="latin-1").read()
        year = int(name[:4]) if name[:4].isdigit() else None
        lines = [clean_par(x) for x in txt.split("\n")]
        pars = []
        for i, x in enumerate(lines):
            if not x:
                continue
            if sub == "state_union" and i < 4 and (x.isupper() or re.match(r"^[A-Z][a-z]+ \d+, \d{4}$", x)):
                continue
            pars.append(x)
        url = ("https://github.com/nltk/nltk_data (corpora/%s/%s.txt)" % (sub, name))
        yield dict(doc=name, pars=pars, date=year, url=url)


def _open_bea(raw, name, url, download, pattern):
    """Yield json records from the BEA-2019 archive (or an unpacked copy under raw/name)."""
    d = os.path.join(raw, name)
    files = sorted(glob.glob(os.path.join(d, "**", pattern), recursive=True))
    if files:
        for f in files:
            for line in open(f, encoding="utf-8"):
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
            if m.isfile() and re.search(pattern.replace(".", r"\.").replace("*", ".*") + "$",
                                        os.path.basename(m.name)):
                for line in tf.extractfile(m).read().decode("utf-8").splitlines():
                    if line.strip():
                        yield os.path.basename(m.name), json.loads(line)


def read_wi(raw, download):
    for fname, r in _open_bea(raw, "wi_locness", WI_URL, download, "[ABC].*.json"):
        pars = [clean_par(p) for p in r["text"].split("\n")]
        yield dict(doc=f"{r['id']}", pars=[p for p in pars if p], date=None,
                   url="https://www.cl.cam.ac.uk/research/nl/bea2019st/ (W&I " + fname + ")",
                   meta=r.get("cefr"))


def read_fce(raw, download):
    for fname, r in _open_bea(raw, "fce", FCE_URL, download, "fce*.json"):
        pars = [clean_par(p) for p in r["text"].split("\n")]
        yield dict(doc=f"{r['id']}-q{r.get('q')}", pars=[p for p in pars if p], date=None,
                   url="https://www.cl.cam.ac.uk/research/nl/bea2019st/ (FCE " + fname + ")")


def _html_pars(body: str) -> list[str]:
    body = re.sub(r"<pre\b.*?</pre>", "\n\n", body, flags=re.S)
    body = re.sub(r"<(img|hr)[^>]*>", " ", body)
    body = re.sub(r"</?(p|li|ul|ol|h\d|blockquote|div)\b[^>]*>", "\n\n", body)
    body = strip_tags(body)
    return [clean_par(p) for p in re.split(r"\n\s*\n", body) if clean_par(p)]


def read_se_posts(raw, site):
    p = os.path.join(raw, "stackexchange", f"{site}_Posts.xml")
    import xml.etree.ElementTree as ET
    for ev, el in ET.iterparse(p):
        if el.tag != "row":
            continue
        a = el.attrib
        if a.get("PostTypeId") == "2" and a.get("CreationDate", "9999") <= CUTOFF and \
                int(a.get("Score", "0")) >= 1:
            pars = _html_pars(a.get("Body", ""))
            yield dict(doc=a["Id"], pars=pars, date=a["CreationDate"][:10],
                       url=f"https://{site}.stackexchange.com/a/{a['Id']}",
                       license=a.get("ContentLicense", "CC BY-SA"))
        el.clear()


def read_skeptics(raw):
    for line in open(os.path.join(raw, "stackexchange", "skeptics.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        pars = [clean_par(p) for p in re.split(r"\n\s*\n", r["answer"])]
        yield dict(doc=str(r["answerId"]), pars=[p for p in pars if p], date=None,
                   url=r.get("answerUrl") or r.get("questionUrl"))


def read_wikitext(raw):
    txt = open(os.path.join(raw, "wikitext", "wikitext-test.txt"), encoding="utf-8").read()
    arts = re.split(r"\n \= (?!\=)(.+?) \= \n", "\n" + txt)
    for i in range(1, len(arts) - 1, 2):
        title, body = arts[i].strip(), arts[i + 1]
        pars = []
        for line in body.split("\n"):
            line = line.strip()
            if not line or line.startswith("="):
                continue
            pars.append(detok_wikitext(line))
        yield dict(doc=title, pars=pars, date=None,
                   url="https://en.wikipedia.org/wiki/" + title.replace(" ", "_"))


def detok_wikitext(s: str) -> str:
    s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".")
    s = re.sub(r" ([,.;:!?%)\]}])", r"\1", s)
    s = re.sub(r"([(\[{$]) ", r"\1", s)
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
    data = gzip.open(os.path.join(d, f"{name}.dict.dz")).read()
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def dec(s):
        v = 0
        for ch in s:
            v = v * 64 + b64.index(ch)
        return v
    seen = set()
    for line in open(os.path.join(d, f"{name}.index"), encoding="utf-8", errors="replace"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3 or parts[0].startswith("00-database"):
            continue
        off, ln = dec(parts[1]), dec(parts[2])
        if off in seen:
            continue
        seen.add(off)
        yield parts[0], data[off:off + ln].decode("utf-8", "replace")


def _dict_body(entry: str):
    lines = entry.split("\n")[1:]                     # first line is the headword
    text = "\n".join(x.strip() for x in lines)
    date = None
    m = re.search(r"\((\d{4}-\d{2}-\d{2})\)\s*$", text.strip())
    if m:
        date = m.group(1)
        text = text.strip()[:m.start()]
    text = re.sub(r"\{([^{}]*?)\s*\((?:[^(){}]*)\)\}", r"\1", text)     # {label (url)} -> label
    text = re.sub(r"\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"<[^<>]{1,40}>", "", text)                            # <category> tags
    text = re.sub(r"\b(E-mail|URL|Home|FTP|Latest version):?\s+\S+", "", text)
    pars = [clean_par(p) for p in re.split(r"\n\s*\n", text)]
    pars = [p for p in pars if p and not re.match(r"^(See also|Compare|Usage|See|Jargon File)\b", p)
            and not re.search(r"https?://|ftp://", p)]
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
        pars = [re.sub(r"^/[^/]{1,60}/,?\s*(?:[a-z]+\.,?\s*)*", "", p) for p in pars]   # pronunciation
        pars = [p for p in pars if nwords(p) > 2]
        yield dict(doc=head, pars=pars, date=2003, url="http://catb.org/jargon/html/")


def _pubtator(path):
    title, cur = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^(\d+)\|([ta])\|(.*)$", line.rstrip("\n"))
        if m:
            pmid, kind, txt = m.groups()
            if kind == "a":
                yield pmid, title.get(pmid, ""), txt.strip()
            else:
                title[pmid] = txt


def read_pubtator(raw, files, prefix):
    for f in files:
        for pmid, title, abstract in _pubtator(os.path.join(raw, "biomed", f)):
            yield dict(doc=pmid, pars=[clean_par(abstract)], date=None,
                       url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")


ACL_VENUES = {"ACL", "NAACL", "EMNLP", "SemEval", "CL", "CoNLL", "COLING", "EACL", "TACL", "LREC",
              "IJCNLP", "AACL", "Findings"}
LIGATURE = re.compile(r"\b(?:di|e|o|su|coe|signi|de|speci|con|identi|classi|bene|modi|veri|re|in|"
                      r"a|in|pro|ef|tra|con|sel|work|ows)\s(?:erent|erence|erences|ect|ective|"
                      r"ectively|ects|ectiveness|cient|ciently|ciency|cant|cantly|ne|ned|nes|"
                      r"nition|nite|c|cally|cation|cations|ed|er|ers|ering|ort|orts|icult|"
                      r"iculty|ected|eld|elds|rst|nal|nd|nding|ndings|xed|ow|ows|ne-grained)\b")


def read_beese(raw, want_acl):
    seen = set()
    for f in ["NLP", "ML", "Hist"]:
        for r in json.load(open(os.path.join(raw, "paper_abstracts", f + ".json"), encoding="utf-8")):
            if (r["venue"] in ACL_VENUES) != want_acl or r["url"] in seen:
                continue
            seen.add(r["url"])
            a = clean_par(r["abstract"])
            if LIGATURE.search(a) or "ﬁ" in a or "ﬂ" in a:
                continue
            yield dict(doc=r["url"], pars=[a], date=r["year"], url=r["url"], meta=r["venue"])


def read_federalist(raw):
    for f in sorted(glob.glob(os.path.join(raw, "federalist", "*.txt"))):
        txt = open(f, encoding="utf-8", errors="replace").read()
        pars = []
        for b in re.split(r"\n\s*\n", txt):
            b = clean_par(b)
            if not b or b.isupper() or re.match(r"^(FEDERALIST|To the People|PUBLIUS|From |For the )", b):
                continue
            pars.append(b)
        yield dict(doc=os.path.basename(f)[:-4], pars=pars, date=1788,
                   url="https://guides.loc.gov/federalist-papers/full-text")


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
        txt = open(f, encoding="utf-8", errors="replace").read()
        head, _, body = txt.partition("\n\n")
        m = re.search(r"^Created:\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})", head, re.M)
        if not m:
            continue
        mon = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        date = "%s-%02d-%02d" % (m.group(3), mon.index(m.group(2).lower()) + 1, int(m.group(1)))
        if date > CUTOFF:
            continue
        pars, in_code = [], False
        lines = body.split("\n")
        blocks = re.split(r"\n\s*\n", body)
        for b in blocks:
            first = b.lstrip("\n")
            if not first.strip():
                continue
            if in_code and (first.startswith(" ") or first.startswith("\t")):
                continue
            in_code = False
            if first.startswith((" ", "\t", "..", ">>>", "|", "+-", "=", "-", "~", "*", "#")) \
                    or re.match(r"^\S.*\n[=\-~^\"'`#*+]{3,}\s*$", first) or re.match(r"^\d+\. ", first):
                if first.rstrip().endswith("::"):
                    in_code = True
                continue
            if first.rstrip().endswith("::"):
                in_code = True
                first = first.rstrip()[:-1]
            if re.search(r"^\s*[=\-~^]{4,}\s*$", first, re.M):
                continue
            p = clean_par(_rst_inline(first))
            if p and not re.search(r"https?://", p) and "copyright" not in p.lower() \
                    and "public domain" not in p.lower():
                pars.append(p)
        yield dict(doc=os.path.basename(f).split(".")[0], pars=pars, date=date,
                   url="https://peps.python.org/" + os.path.basename(f).split(".")[0] + "/")


def read_rustbook(raw):
    d = os.path.join(raw, "rustbook")
    commit = open(os.path.join(d, "COMMIT")).read().strip()
    for f in sorted(glob.glob(os.path.join(d, "ch*.md"))):
        txt = open(f, encoding="utf-8").read()
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
        yield dict(doc=name, pars=pars, date="2022-09",
                   url=f"https://github.com/rust-lang/book/blob/{commit}/src/{name}.md")


# ----------------------------------------------------------------------------------------------
# source table: id -> (domain, licence, reader, excerpts per document, cap, in_git)

def SOURCES(download):
    se_dates = {"arthur-conan-doyle_the-adventures-of-sherlock-holmes": 1892,
                "charlotte-bronte_jane-eyre": 1847, "emily-bronte_wuthering-heights": 1847,
                "joseph-conrad_heart-of-darkness": 1899, "l-m-montgomery_anne-of-green-gables": 1908,
                "edith-wharton_ethan-frome": 1911, "ralph-waldo-emerson_essays": 1841,
                "henry-david-thoreau_on-the-duty-of-civil-disobedience": 1849,
                "okakura-kakuzo_the-book-of-tea": 1906,
                "frederick-douglass_narrative-of-the-life-of-frederick-douglass-an-american-slave": 1845,
                "samuel-pepys_the-diary": 1669,
                "theodore-roosevelt_a-book-lovers-holidays-in-the-open": 1916}
    S = {
        "nltk_gutenberg": ("literary_prose", "Public domain (Project Gutenberg texts)",
                           lambda r: read_nltk_gutenberg(r), 4, 700, True),
        "standardebooks_fiction": ("literary_prose", "CC0 1.0 (Standard Ebooks; texts public domain)",
                                   lambda r: read_standardebooks(r, "fiction", se_dates), 4, 700, True),
        "nltk_inaugural": ("speech", "Public domain (US presidential inaugural addresses)",
                           lambda r: read_speeches(r, "inaugural"), 8, 350, True),
        "nltk_state_union": ("speech", "Public domain (US State of the Union addresses)",
                             lambda r: read_speeches(r, "state_union"), 6, 550, True),
        "wi_locness": ("learner_essay", "Cambridge W&I licence: non-commercial research/education only",
                       lambda r: read_wi(r, download), 1, 1000, False),
        "fce": ("learner_essay", "CLC FCE licence: non-commercial research/education only",
                lambda r: read_fce(r, download), 1, 900, False),
        "se_skeptics": ("expert_answer", "CC BY-SA 3.0/4.0 (Stack Exchange)",
                        lambda r: read_skeptics(r), 1, 600, True),
        "se_coffee": ("expert_answer", "CC BY-SA 3.0/4.0 (Stack Exchange)",
                      lambda r: read_se_posts(r, "coffee"), 1, 500, True),
        "se_datascience": ("expert_answer", "CC BY-SA 3.0/4.0 (Stack Exchange)",
                           lambda r: read_se_posts(r, "datascience"), 1, 400, True),
        "wikitext": ("encyclopedia", "CC BY-SA 3.0 (Wikipedia via WikiText)",
                     lambda r: read_wikitext(r), 8, 500, True),
        "foldoc": ("encyclopedia", "GFDL 1.1+ (FOLDOC, Denis Howe)", lambda r: read_foldoc(r), 1, 500, True),
        "jargon_file": ("encyclopedia", "Public domain (Jargon File 4.4.7)", lambda r: read_jargon(r), 1, 300, True),
        "ncbi_disease": ("biomedical_abstract", "NLM public-domain notice (NCBI disease corpus); abstracts from PubMed",
                         lambda r: read_pubtator(r, ["ncbi_train.txt", "ncbi_devel.txt", "ncbi_test.txt"], "ncbi"),
                         1, 700, True),
        "bc5cdr": ("biomedical_abstract", "BioCreative V CDR corpus (free for research); abstracts from PubMed",
                   lambda r: read_pubtator(r, ["cdr_Development.txt", "cdr_Test.txt"], "cdr"), 1, 700, True),
        "acl_abstracts": ("scientific_abstract", "CC BY 4.0 (Beese et al. 2023 data; ACL Anthology)",
                          lambda r: read_beese(r, True), 1, 800, True),
        "ml_abstracts": ("scientific_abstract", "CC BY 4.0 (Beese et al. 2023 data; NeurIPS/ICML/ICLR/AAAI abstracts)",
                         lambda r: read_beese(r, False), 1, 800, True),
        "standardebooks_memoir": ("personal_essay", "CC0 1.0 (Standard Ebooks; texts public domain)",
                                  lambda r: read_standardebooks(r, "memoir", se_dates), 3, 600, True),
        "standardebooks_essays": ("opinion_essay", "CC0 1.0 (Standard Ebooks; texts public domain)",
                                  lambda r: read_standardebooks(r, "essays", se_dates), 10, 400, True),
        "federalist": ("opinion_essay", "Public domain (The Federalist, 1787-88)",
                       lambda r: read_federalist(r), 8, 200, True),
        "python_peps": ("technical_doc", "Public domain / CC0 (Python Enhancement Proposals)",
                        lambda r: read_peps(r), 2, 700, True),
        "rust_book": ("technical_doc", "MIT OR Apache-2.0 (The Rust Programming Language book)",
                      lambda r: read_rustbook(r), 6, 450, True),
    }
    return S


# ----------------------------------------------------------------------------------------------
# dedup / decontamination

def norm_key(t: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", t.lower())[:200]


def shingles(t: str, step: int = 1, k: int = 10):
    w = re.findall(r"[a-z0-9]+", t.lower())
    out = []
    for i in range(0, max(0, len(w) - k + 1), step):
        s = " ".join(w[i:i + k]).encode()
        out.append((zlib.crc32(s) << 32) | zlib.adler32(s))
    return out


def in_sorted(arr: np.ndarray, x: np.ndarray) -> np.ndarray:
    idx = np.minimum(np.searchsorted(arr, x), len(arr) - 1)
    return arr[idx] == x


def load_shared(shared_dir):
    keys, sh = set(), []
    for f in sorted(glob.glob(os.path.join(shared_dir, "*.jsonl"))):
        for line in open(f, encoding="utf-8"):
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
    stats = {}
    for si, name in enumerate(names):
        domain, lic, reader, per_doc, cap, in_git = S[name]
        rng = np.random.default_rng(SEED + si)
        cands, drop = [], Counter()
        for d in reader(args.raw):
            for j, t in enumerate(excerpts(d["pars"], rng, per_doc)):
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
            if k in seen_keys:
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
            recs.append(dict(text=t, label=0, source=name, generator="human", domain=domain,
                             group=f"{name}:{d.get('work') or d['doc']}", date=date,
                             license=d.get("license") or lic, url=d.get("url")))
            if len(recs) >= cap:
                break
        recs.sort(key=lambda r: (r["group"], r["text"][:50]))
        path = os.path.join(args.out, f"{name}.jsonl.xz")
        with lzma.open(path, "wt", encoding="utf-8", preset=9) as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        w = [nwords(r["text"]) for r in recs]
        dates = [str(r["date"])[:4] for r in recs if r["date"]]
        stats[name] = dict(domain=domain, n=len(recs), candidates=len(cands), groups=len({r["group"] for r in recs}),
                           words_median=int(np.median(w)) if w else 0,
                           dates=f"{min(dates)}-{max(dates)}" if dates else None,
                           in_git=in_git, dropped=dict(drop))
        print(name, json.dumps(stats[name]), flush=True)
    sp = os.path.join(args.out, "stats.json")
    if args.only and os.path.exists(sp):
        stats = {**json.load(open(sp)), **stats}
    with open(sp, "w") as f:
        json.dump(stats, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
