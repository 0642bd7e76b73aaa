"""Text out of uploaded files, with well-kept libraries: pypdf for PDF, python-docx for DOCX."""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePath


class ExtractError(ValueError):
    pass


def text_from_file(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".txt", ".md"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExtractError(f"{name} is not UTF-8 text") from exc
    if suffix == ".pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            return "\n\n".join((page.extract_text() or "") for page in reader.pages).strip()
        except Exception as exc:
            raise ExtractError(f"{name}: could not read the PDF ({type(exc).__name__})") from exc
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
