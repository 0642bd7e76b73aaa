import json

import pytest

from aidetector.model.data import DataError, group_folds, load_jsonl, provenance, split_by_group
from tests.conftest import make_records, write_jsonl


def test_loads_records_and_keeps_all_fields(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", make_records(6))
    records = load_jsonl(path)
    assert len(records) == 6
    assert records[1].label == 1 and records[1].fields["source"] == "toy_a"
    assert records[0].get("domain") in {"d1", "d2"} and records[0].get("nope") == "(missing)"


def test_provenance_counts_each_label_and_lists_the_domains_licenses_and_origins_the_records_carry(tmp_path):
    records = [
        {"text": "a human review", "label": 0, "domain": "review", "license": "MIT", "url": "https://x.org/a"},
        {"text": "an AI review", "label": 1, "domain": "review", "license": "MIT", "url": "https://x.org/a"},
        {"text": "an AI story", "label": 1, "domain": "story", "license": "CC-BY-4.0"},
    ]
    facts = provenance(load_jsonl(write_jsonl(tmp_path / "p.jsonl", records)))
    assert facts == {"human": 1, "ai": 2, "domains": ["review", "story"], "licenses": ["CC-BY-4.0", "MIT"],
                     "urls": ["https://x.org/a"]}  # fmt: skip


def test_every_bad_line_is_reported_with_its_number(tmp_path):
    good = json.dumps({"text": "fine text", "label": 0})
    lines = [
        good,
        "{not json",
        json.dumps({"label": 1}),
        json.dumps({"text": "   ", "label": 1}),
        json.dumps({"text": "x", "label": 2}),
        json.dumps(["a list"]),
        json.dumps({"text": "x", "label": True}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_jsonl(path)
    assert [n for n, _ in info.value.problems] == [2, 3, 4, 5, 6, 7]
    assert "line 2: invalid JSON" in str(info.value)


def test_non_utf8_line_is_reported(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "ok", "label": 0}\n{"text": "caf\xe9", "label": 1}\n')
    with pytest.raises(DataError) as info:
        load_jsonl(path)
    assert info.value.problems[0][0] == 2 and "UTF-8" in info.value.problems[0][1]


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="no records"):
        load_jsonl(path)


def test_split_by_group_keeps_pairs_together(tmp_path):
    records = load_jsonl(write_jsonl(tmp_path / "d.jsonl", make_records(200)))
    train, valid = split_by_group(records, 0.25, seed=3)
    assert len(train) + len(valid) == 200
    assert {r.group for r in train}.isdisjoint({r.group for r in valid})
    assert 30 <= len(valid) <= 70


def test_group_folds_keep_pairs_together_and_use_every_fold(tmp_path):
    records = load_jsonl(write_jsonl(tmp_path / "d.jsonl", make_records(200)))
    folds = group_folds(records, 5, seed=3)
    assert len(folds) == 200 and set(folds) == set(range(5))
    fold_of_group: dict[str, set[int]] = {}
    for r, f in zip(records, folds, strict=True):
        fold_of_group.setdefault(r.group, set()).add(f)
    assert all(len(v) == 1 for v in fold_of_group.values())  # a group never straddles two folds
    assert folds == group_folds(records, 5, seed=3)  # seeded


def test_compressed_files_read_like_plain_ones(tmp_path):
    import gzip
    import lzma

    rows = make_records(6)
    plain = write_jsonl(tmp_path / "plain.jsonl", rows)
    for suffix, opener in ((".xz", lzma.open), (".gz", gzip.open)):
        packed = tmp_path / f"packed.jsonl{suffix}"
        with opener(packed, "wb") as handle:
            handle.write(plain.read_bytes())
        assert [r.text for r in load_jsonl(packed)] == [r.text for r in load_jsonl(plain)]


def test_adding_a_file_never_moves_the_held_out_groups_of_the_others():
    from aidetector.model.data import Record, split_held_out

    def recs(prefix, n):
        return [Record(f"{prefix} text {i}", i % 2, f"{prefix}{i // 2}") for i in range(n)]

    base = {"train.jsonl": recs("a", 200), "extra.jsonl": recs("b", 60)}
    before = split_held_out(base, 0.2, 13)
    after = split_held_out({**base, "pool.jsonl": recs("c", 100)}, 0.2, 13, together=base.keys())
    assert {r.group for r in before[1]} == {r.group for r in after[1] if not r.group.startswith("c")}
    assert any(r.group.startswith("c") for r in after[1]), "the new file holds out groups of its own"
    assert not {r.group for r in after[0]} & {r.group for r in after[1]}
    # all files together (the default) is the plain split of their records
    assert split_held_out(base, 0.2, 13) == split_by_group(base["train.jsonl"] + base["extra.jsonl"], 0.2, 13)
