"""Text out of uploaded files, with well-kept libraries: pypdf for PDF, python-docx for DOCX.

A PDF's text is not what its writer wrote: every page carries furniture (running headers and footers, page
numbers, the file path and print time a browser stamps on each page) and every line is hard-wrapped. Scored as
is, those lines become "sentences" of the verdict. `clean_pages` drops the furniture and joins the wrapped lines
into the paragraphs they came from.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePath


class ExtractError(ValueError):
    pass


EDGE_LINES = 2  # furniture sits in the first or last lines of a page
_PAGE_NUMBER = re.compile(r"^(page\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
_URL_OR_PATH = re.compile(r"(file|https?)://\S+|^[A-Za-z]:\\\S+|^/(\S+/)+\S*", re.IGNORECASE)
_DATE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
_TIME = r"\d{1,2}:\d{2}(:\d{2})?\s*([AaPp][Mm])?"
_TIMESTAMP = re.compile(rf"^({_DATE}(,?\s*{_TIME})?|{_TIME})\b")
_END_OF_SENTENCE = re.compile(r"[.!?:…\"'”’)]$")


def _shape(line: str) -> str:
    """A line as furniture repeats it: digits (page numbers, dates) and spacing ignored."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line.strip().lower()))


def _is_furniture_line(line: str) -> bool:
    text = line.strip()
    if not text:
        return False
    if _PAGE_NUMBER.match(text) or _TIMESTAMP.match(text):
        return True
    url = _URL_OR_PATH.search(text)
    # a path or address alone, or with a page counter beside it
    return bool(url and (url.start() == 0 or len(text) - len(url.group(0)) <= 12))


def clean_pages(pages: Sequence[str]) -> str:
    """The body text of a document's pages: furniture dropped, hard-wrapped lines joined into paragraphs."""
    split = [[ln.rstrip() for ln in page.splitlines()] for page in pages]
    edges: Counter[str] = Counter()
    for lines in split:
        content = [ln for ln in lines if ln.strip()]
        edge = content[:EDGE_LINES] + content[-EDGE_LINES:]
        edges.update({_shape(ln) for ln in edge})
    repeated = {shape for shape, n in edges.items() if len(split) >= 2 and n >= max(2, (len(split) + 1) // 2)}
    kept: list[str] = []
    for lines in split:
        content_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edge_idx = set(content_idx[:EDGE_LINES] + content_idx[-EDGE_LINES:])
        for i, line in enumerate(lines):
            if i in edge_idx and (_shape(line) in repeated or _is_furniture_line(line)):
                continue
            kept.append(line)
        kept.append("")  # a page break may end a paragraph; `join_wrapped` decides
    return join_wrapped(kept)


def join_wrapped(lines: Sequence[str]) -> str:
    """Paragraphs from hard-wrapped lines: a word broken by a hyphen is mended; a line joins the next unless it is
    blank, or it ends a sentence well short of the usual line length (the last line of a paragraph)."""
    widths = [len(ln.strip()) for ln in lines if ln.strip()]
    usual = statistics.quantiles(widths, n=10)[-1] if len(widths) >= 2 else (widths[0] if widths else 0)
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue_after_break = current and not _END_OF_SENTENCE.search(current)
            if current and not continue_after_break:
                paragraphs.append(current)
                current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = current + " " + line
        if _END_OF_SENTENCE.search(line) and len(line) < 0.8 * usual:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs).strip()


def _looks_hard_wrapped(text: str) -> bool:
    widths = [len(ln) for ln in text.splitlines() if ln.strip()]
    if len(widths) < 5:
        return False
    return max(widths) <= 100 and sum(40 <= w <= 100 for w in widths) >= 0.8 * len(widths)


def text_from_file(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".txt", ".md"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExtractError(f"{name} is not UTF-8 text") from exc
        return join_wrapped(text.splitlines()) if suffix == ".txt" and _looks_hard_wrapped(text) else text
    if suffix == ".pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
        except Exception as exc:
            raise ExtractError(f"{name}: could not read the PDF ({type(exc).__name__})") from exc
        return clean_pages(pages)
    if suffix == ".docx":
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:
            raise ExtractError(f"{name}: could not read the DOCX ({type(exc).__name__})") from exc
        return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    raise ExtractError(f"{name}: unsupported file type (use .txt, .md, .pdf or .docx)")


def rows_from_table(name: str, data: bytes) -> list[dict[str, object]]:
    """Rows of a CSV or JSONL upload, for batch scoring."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{name} is not UTF-8") from exc
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExtractError(f"{name}: line {number} is not valid JSON") from exc
            if not isinstance(row, dict):
                raise ExtractError(f"{name}: line {number} is not a JSON object")
            rows.append(row)
        return rows
    raise ExtractError(f"{name}: use a .csv or .jsonl file for batch scoring")
