"""Loading and validating JSON Lines datasets of `{"text", "label", ...}` records.

Every problem is reported with its line number, and a file with any bad line is refused as a whole, so that a
training run never starts (and never writes a model) on half-read data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

LABEL_HUMAN = 0
LABEL_AI = 1


class DataError(ValueError):
    """A dataset file that cannot be used; `problems` lists `(line number, reason)` pairs."""

    def __init__(self, path: str | Path, problems: Sequence[tuple[int, str]]):
        self.path = str(path)
        self.problems = list(problems)
        shown = "; ".join(f"line {n}: {why}" for n, why in self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"{self.path}: {len(self.problems)} bad line(s): {shown}{more}")


@dataclass(frozen=True)
class Record:
    """One labelled text; `fields` keeps every field of the source line unchanged (for `--by` and `--scores-out`)."""

    text: str
    label: int | None
    group: str
    fields: dict[str, Any] = field(default_factory=dict, compare=False)

    def get(self, name: str) -> str:
        value = self.fields.get(name)
        return "(missing)" if value is None else str(value)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_data(path: str | Path) -> IO[bytes]:
    """A data file for reading bytes: `.xz` and `.gz` (how the repository's data/ is committed) are decompressed."""
    name = str(path)
    if name.endswith(".xz"):
        return lzma.open(name, "rb")
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(name, "rb"))  # GzipFile is a binary stream; typeshed says otherwise
    return open(name, "rb")


def load_jsonl(path: str | Path, *, require_label: bool = True) -> list[Record]:
    """Read a JSONL file; raise `DataError` naming every bad line instead of skipping it silently."""
    records: list[Record] = []
    problems: list[tuple[int, str]] = []
    with open_data(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append((number, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"))
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append((number, f"invalid JSON ({exc.msg})"))
                continue
            record, why = _to_record(obj, number, require_label)
            if record is None:
                problems.append((number, why))
            else:
                records.append(record)
    if problems:
        raise DataError(path, problems)
    if not records:
        raise DataError(path, [(0, "no records")])
    return records


def provenance(records: Sequence[Record]) -> dict[str, Any]:
    """What a data file holds and where it comes from, read from its records (the train pool's carry `license` and
    `url`): a model's card then lists its training data from the data itself, not from a table kept beside it."""

    def values(name: str) -> list[str]:
        return sorted({str(r.fields[name]) for r in records if r.fields.get(name)})

    return {
        "human": sum(r.label == LABEL_HUMAN for r in records),
        "ai": sum(r.label == LABEL_AI for r in records),
        "domains": values("domain"),
        "licenses": values("license"),
        "urls": values("url"),
    }


def _to_record(obj: Any, number: int, require_label: bool) -> tuple[Record | None, str]:
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    text = obj.get("text")
    if not isinstance(text, str):
        return None, "'text' missing or not a string"
    if not text.strip():
        return None, "'text' is empty"
    label = obj.get("label")
    if label is None and not require_label:
        pass
    elif isinstance(label, bool) or label not in (LABEL_HUMAN, LABEL_AI):
        return None, "'label' must be 0 (human) or 1 (AI)"
    group = obj.get("group")
    group_key = str(group) if group is not None else f"line-{number}"
    return Record(text=text, label=label, group=group_key, fields=obj), ""


def split_by_group(records: Sequence[Record], fraction: float, seed: int) -> tuple[list[Record], list[Record]]:
    """Hold out about `fraction` of the groups, so paired human/AI texts never straddle train and validation."""
    groups = sorted({r.group for r in records})
    rng = random.Random(seed)
    rng.shuffle(groups)
    held = set(groups[: max(1, round(len(groups) * fraction))]) if fraction > 0 else set()
    train = [r for r in records if r.group not in held]
    valid = [r for r in records if r.group in held]
    return train, valid


def split_held_out(
    files: Mapping[str, Sequence[Record]], fraction: float, seed: int, together: Collection[str] = ()
) -> tuple[list[Record], list[Record]]:
    """`split_by_group` over training files: the files named in `together` (all when empty) are split as one set,
    every other file on its own. Why: a model continued on more files must hold out exactly the groups it held out
    before; splitting everything anew would move some of the texts it trained on into its validation."""
    named = set(together) or set(files)
    sets = [[r for name, recs in files.items() if name in named for r in recs]]
    sets += [list(recs) for name, recs in files.items() if name not in named]
    train: list[Record] = []
    valid: list[Record] = []
    for records in sets:
        if records:
            part_train, part_valid = split_by_group(records, fraction, seed)
            train += part_train
            valid += part_valid
    return train, valid


def group_folds(records: Sequence[Record], k: int, seed: int) -> list[int]:
    """A fold number in [0, k) per record, whole groups to one fold: for out-of-fold scores of paired texts."""
    groups = sorted({r.group for r in records})
    random.Random(seed).shuffle(groups)
    fold_of = {g: i % k for i, g in enumerate(groups)}
    return [fold_of[r.group] for r in records]


def labels_of(records: Iterable[Record]) -> list[int]:
    return [int(r.label) for r in records if r.label is not None]
