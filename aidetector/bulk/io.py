"""Reading batch input (JSONL or CSV) row by row, and writing the scored output file atomically.

Rows stream from disk, so a file larger than memory is fine. A row whose text is missing or not a string is still a
row: it comes out with an error code, so one bad line never stops a job of a million.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Format = Literal["jsonl", "csv"]
FORMAT_BY_SUFFIX: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".csv": "csv"}
# Columns the output adds to each input row, in this order.
RESULT_FIELDS = (
    "row",
    "label",
    "predicted_class",
    "probability_ai",
    "confidence",
    "tokens_total",
    "tokens_used",
    "model_version",
    "error_code",
    "error_message",
)
EXTRA_CSV_CELLS = "_extra"  # where csv puts cells beyond the header's columns
CSV_FIELD_LIMIT = 64 * 1024 * 1024  # csv's default (128 KiB) is below the longest text the detector accepts


class InputFileError(Exception):
    """The input cannot be read as a whole (missing, not UTF-8 CSV, no such column): nothing is scored."""


@dataclass(frozen=True)
class Row:
    """One input record. `number` is its 1-based position among the records (blank JSONL lines are not records)."""

    number: int
    record: Any  # JSONL: the parsed value, or the raw line if it is not JSON; CSV: {column: cell}
    text: str | None  # None when the row has no usable text; then error_code says why
    error_code: str | None = None
    error_message: str | None = None


def resolve_format(path: Path, explicit: str | None) -> Format:
    if explicit:
        if explicit not in ("jsonl", "csv"):
            raise InputFileError(f"unknown format '{explicit}' (use jsonl or csv)")
        return "csv" if explicit == "csv" else "jsonl"
    found = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        raise InputFileError(f"cannot tell the format of {path.name} from its extension; give --format jsonl|csv")
    return found


def fingerprint(path: Path) -> str:
    """sha256 of the file: a results DB belongs to exactly one input."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def read_rows(path: Path, fmt: Format, text_field: str) -> Iterator[Row]:
    return _read_csv(path, text_field) if fmt == "csv" else _read_jsonl(path, text_field)


def count_rows(path: Path, fmt: Format, text_field: str) -> int:
    """Read the whole input once before scoring: the progress bar's total, and unreadable input fails up front."""
    return sum(1 for _ in read_rows(path, fmt, text_field))


def _text_of(record: Any, text_field: str) -> tuple[str | None, str | None, str | None]:
    """(text, error_code, error_message) for a parsed record."""
    if not isinstance(record, dict):
        return None, "invalid_json", "the line is not a JSON object"
    if record.get(text_field) is None:
        return None, "missing_field", f"no '{text_field}' in this row"
    value = record[text_field]
    if not isinstance(value, str):
        return None, "invalid_field", f"'{text_field}' must be a string, not {type(value).__name__}"
    return value, None, None


def _read_jsonl(path: Path, text_field: str) -> Iterator[Row]:
    number = 0
    try:
        with path.open("rb") as handle:
            for line_number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                number += 1
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    yield Row(number, text, None, "invalid_encoding", f"line {line_number} is not valid UTF-8")
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Row(number, line.rstrip("\r\n"), None, "invalid_json", f"line {line_number}: {exc.msg}")
                    continue
                yield Row(number, record, *_text_of(record, text_field))
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc


def csv_columns(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"cannot read {path} as CSV: {exc}") from exc
    if not header:
        raise InputFileError(f"{path} has no header row")
    return header


def _read_csv(path: Path, text_field: str) -> Iterator[Row]:
    columns = csv_columns(path)
    if text_field not in columns:
        raise InputFileError(
            f"{path.name} has no column '{text_field}' (columns: {', '.join(columns)}); see --text-field"
        )
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restkey=EXTRA_CSV_CELLS)
            for number, record in enumerate(reader, start=1):
                if record.get(text_field) is None:
                    yield Row(number, record, None, "missing_field", f"row {number} has fewer cells than the header")
                else:
                    yield Row(number, record, record[text_field])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"cannot read {path} as CSV: {exc}") from exc


def merge(record: Any, result: dict[str, Any]) -> dict[str, Any]:
    """Input fields, then result fields; an input field that shares a result field's name is kept as `input_<name>`."""
    if not isinstance(record, dict):
        return {"input": record, **result}
    merged = {(f"input_{k}" if k in result else k): v for k, v in record.items() if k != EXTRA_CSV_CELLS}
    return {**merged, **result}


def output_columns(input_columns: list[str]) -> list[str]:
    return [f"input_{c}" if c in RESULT_FIELDS else c for c in input_columns] + list(RESULT_FIELDS)


def write_output(path: Path, fmt: Format, input_columns: list[str], rows: Iterable[tuple[Any, dict[str, Any]]]) -> int:
    """Write all rows to a temp file beside `path`, then rename it over `path`: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if fmt == "csv":
                writer = csv.DictWriter(handle, output_columns(input_columns), extrasaction="ignore")
                writer.writeheader()
                for record, result in rows:
                    writer.writerow(merge(record, result))
                    count += 1
            else:
                for record, result in rows:
                    handle.write(json.dumps(merge(record, result), ensure_ascii=False) + "\n")
                    count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _new_file_mode())  # mkstemp makes it owner-only; the output is an ordinary file
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
