"""The KFUPM Arabic builder removes the human abstracts' one-class artefacts and keeps a polished abstract with its
original, so that neither a shortcut nor a split across the pair inflates the held-out figures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def builder(import_builder):
    return import_builder("build_ml_kfupm_ar")


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
