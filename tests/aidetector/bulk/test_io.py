"""Reading JSONL/CSV input row by row (bad rows become error rows, not crashes) and writing output atomically."""

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from aidetector.bulk.io import (
    InputFileError,
    count_rows,
    fingerprint,
    merge,
    output_columns,
    read_rows,
    resolve_format,
    write_output,
)


def test_format_comes_from_the_extension_unless_given():
    assert resolve_format(Path("a.jsonl"), None) == "jsonl"
    assert resolve_format(Path("a.NDJSON"), None) == "jsonl"
    assert resolve_format(Path("a.csv"), None) == "csv"
    assert resolve_format(Path("a.txt"), "csv") == "csv"
    with pytest.raises(InputFileError, match="--format"):
        resolve_format(Path("a.txt"), None)


def test_jsonl_rows_are_numbered_and_bad_rows_carry_a_code(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"text": "first", "id": 7}\n'
        b"\n"  # blank lines are not records
        b'{"body": "x"}\n'
        b'{"text": 12}\n'
        b"not json\n"
        b"[1, 2]\n"
        b'{"text": "caf\xff"}\n'
        b'{"text": null}\r\n'
        b'{"text": "last"}'  # no final newline
    )
    rows = list(read_rows(path, "jsonl", "text"))
    assert [r.number for r in rows] == list(range(1, 9))
    assert [r.error_code for r in rows] == [
        None,
        "missing_field",
        "invalid_field",
        "invalid_json",
        "invalid_json",
        "invalid_encoding",
        "missing_field",
        None,
    ]
    assert rows[0].text == "first" and rows[0].record == {"text": "first", "id": 7}
    assert rows[3].record == "not json" and "line 5" in (rows[3].error_message or "")
    assert rows[7].text == "last"
    assert count_rows(path, "jsonl", "text") == 8


def test_the_text_field_is_chosen_by_name(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"body": "a", "text": 1}\n')
    (row,) = read_rows(path, "jsonl", "body")
    assert row.text == "a" and row.error_code is None


def test_csv_rows_with_bom_quotes_and_short_rows(tmp_path):
    path = tmp_path / "in.csv"
    long_text = "word " * 40_000  # over csv's default field limit of 128 KiB
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerow(["1", 'a "quoted", multi\nline text'])
        writer.writerow(["2"])  # fewer cells than the header
        writer.writerow(["3", ""])
        writer.writerow(["4", long_text])
    rows = list(read_rows(path, "csv", "text"))
    assert rows[0].record == {"id": "1", "text": 'a "quoted", multi\nline text'}
    assert rows[1].error_code == "missing_field" and rows[1].text is None
    assert rows[2].text == "" and rows[2].error_code is None  # empty text is the detector's to refuse
    assert rows[3].text == long_text
    assert [r.number for r in rows] == [1, 2, 3, 4]


def test_csv_without_the_text_column_is_refused_up_front(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,body\n1,hello\n")
    with pytest.raises(InputFileError, match=r"no column 'text'.*id, body"):
        count_rows(path, "csv", "text")


def test_csv_that_is_not_utf8_is_refused_up_front(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,text\n1,caf\xe9\n")
    with pytest.raises(InputFileError, match="cannot read"):
        count_rows(path, "csv", "text")


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputFileError):
        fingerprint(tmp_path / "nope.jsonl")
    with pytest.raises(InputFileError):
        count_rows(tmp_path / "nope.jsonl", "jsonl", "text")


def test_fingerprint_changes_with_the_content(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a"}\n')
    first = fingerprint(path)
    path.write_text('{"text": "b"}\n')
    assert fingerprint(path) != first and len(first) == 64


def test_merge_keeps_input_fields_that_share_a_result_name():
    result = {"row": 1, "label": "ai", "probability_ai": 0.9}
    assert merge({"text": "t", "label": 0}, result) == {"text": "t", "input_label": 0, **result}
    assert merge("not json", result) == {"input": "not json", **result}
    assert output_columns(["text", "label"])[:2] == ["text", "input_label"]


def test_output_is_written_atomically_in_both_formats(tmp_path):
    rows = [({"text": "a", "label": 1}, {"row": 1, "label": "ai"}), ({"text": "b"}, {"row": 2, "label": None})]
    out = tmp_path / "out.jsonl"
    out.write_text("old content\n")
    assert write_output(out, "jsonl", [], rows) == 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0] == {"text": "a", "input_label": 1, "row": 1, "label": "ai"}
    out_csv = tmp_path / "sub" / "out.csv"
    write_output(out_csv, "csv", ["text", "label"], rows)
    table = list(csv.DictReader(out_csv.open(newline="")))
    assert table[0]["input_label"] == "1" and table[0]["label"] == "ai" and table[1]["label"] == ""
    assert sorted(p.name for p in tmp_path.rglob("*.tmp")) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # an ordinary file, not the temp file's 0600


def test_a_failed_write_leaves_the_old_output_in_place(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")

    def rows():
        yield {"text": "a"}, {"row": 1}
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_output(out, "jsonl", [], rows())
    assert out.read_text() == "old\n"
    assert list(tmp_path.glob("*.tmp")) == []
