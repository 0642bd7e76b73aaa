"""The Chinese coursework-report builder drops excerpts with program code (only the human side has any, so code
would be a one-class shortcut) and maps the CSV's 0/1 to human/AI rows with the shared fields."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def builder(import_builder):
    return import_builder("build_ml_cs_reports_zh")


HUMAN = "本实验实现了一个简单的进程调度程序，并比较了先来先服务和时间片轮转两种算法在不同负载下的平均等待时间。"
AI = "人工智能在医疗领域的应用日益广泛，它能够辅助医生进行影像诊断，提高诊断效率，同时也带来了数据隐私方面的挑战。"
CODE = '实验代码如下：int main() { printf("hello"); return 0; } 运行后输出结果与预期一致，说明实现正确无误。'


def test_excerpts_with_code_are_dropped(builder):
    assert builder.has_code(CODE)
    assert not builder.has_code(HUMAN) and not builder.has_code(AI)


def test_rows_carry_labels_generators_and_the_shared_fields(builder, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train_data.csv").write_text(f"Text,Generated\n{HUMAN},0\n{AI},1\n", encoding="utf-8")
    (tmp_path / "data" / "test_data.csv").write_text(f'Text,Generated\n"{CODE.replace(chr(34), 2 * chr(34))}",0\n')
    rows = list(builder.rows(builder.Source(str(tmp_path), builder.ARCHIVE, "unused.zip")))
    assert [(r["label"], r["generator"]) for r in rows] == [(0, "human"), (1, "chatgpt")]  # the code excerpt went
    assert {(r["language"], r["source"]) for r in rows} == {("zh", "cs_reports_zh")}
    assert all(r["license"].startswith("MIT") for r in rows)
    assert rows[0]["group"] != rows[1]["group"] and rows[0]["url"].endswith("data/train_data.csv")
