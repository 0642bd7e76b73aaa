"""The model card's pictures: ROC curves per group and a reliability diagram, written as PNG files."""

from __future__ import annotations

from aidetector.model.data import Record
from aidetector.model.plots import reliability, roc_by_group

PNG = b"\x89PNG\r\n\x1a\n"


def records() -> list[Record]:
    rows = []
    for i in range(40):
        label = i % 2
        source = "only_ai" if i >= 36 and label else ("a" if i % 4 < 2 else "b")
        rows.append(Record(f"text {i}", label, f"g{i}", {"source": source}))
    return rows


def test_roc_by_group_writes_a_png_and_skips_one_class_groups(tmp_path):
    data = records()
    probs = [0.2 + 0.6 * r.label + 0.01 * (i % 7) for i, r in enumerate(data)]
    path = roc_by_group(data, probs, "source", tmp_path / "roc.png", "ROC on toy")
    assert path == tmp_path / "roc.png"
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 5000
    single = roc_by_group(data[:1], probs[:1], "source", tmp_path / "one.png", "one text")  # no curve at all
    assert single.read_bytes()[:8] == PNG


def test_reliability_writes_a_png_for_any_spread_of_scores(tmp_path):
    labels = [i % 2 for i in range(50)]
    spread = reliability(labels, [i / 49 for i in range(50)], tmp_path / "rel.png", "Calibration")
    assert spread.read_bytes()[:8] == PNG and spread.stat().st_size > 5000
    edges = reliability([0, 1, 1], [0.0, 1.0, 1.0], tmp_path / "edges.png", "Edges", bins=4)  # 1.0 in the last bin
    assert edges.read_bytes()[:8] == PNG
