"""The KFUPM Arabic builder removes the human abstracts' one-class artefacts and keeps a polished abstract with its
original, so that neither a shortcut nor a split across the pair inflates the held-out figures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

DATA_SCRIPTS = Path(__file__).resolve().parents[3] / "scripts" / "data"


@pytest.fixture(scope="module")
def builder():
    sys.path.insert(0, str(DATA_SCRIPTS))  # the builders import their sibling ml_common, as when run as scripts
    try:
        import build_ml_kfupm_ar

        yield build_ml_kfupm_ar
    finally:
        sys.path.remove(str(DATA_SCRIPTS))


def test_artefacts_of_one_class_are_removed(builder):
    human = "تهدف هذه الدراسة ـــ إلى تحليل البيانات .. وتُظهر النتائج تحسنًا ، كبيرًا\n\nفي الأداء..."
    clean = builder.normalise(human)
    assert "ـ" not in clean and "ُ" not in clean and "ً" not in clean  # tatweel and diacritics
    assert "البيانات." in clean and " ،" not in clean and "\n" not in clean  # ".." -> ".", no space before punctuation
    assert clean.endswith("الأداء...")  # a real ellipsis keeps its three dots


def test_a_polished_abstract_shares_its_original_group(builder):
    original = "تهدف هذه الدراسة إلى تحليل أثر التعليم الإلكتروني على تحصيل الطلاب في المرحلة الثانوية في المدن الكبرى"
    polished = "تهدف هذه الدراسة إلى تحليل أثر التعليم الإلكتروني على تحصيل الطلاب في المرحلة الثانوية بصورة شاملة"
    other = "يتناول البحث تاريخ العمارة الإسلامية في الأندلس وتطور الزخارف الهندسية عبر القرون الوسطى المتأخرة"
    groups = builder.groups_by_overlap([original, polished, other])
    assert groups[0] == groups[1] != groups[2]
    assert groups == builder.groups_by_overlap([original, polished, other])  # deterministic ids
