"""The Brown corpus reader (human_stress's calibration sources of 2026-12-05): tagged samples become plain
paragraphs, and what is not a whole sentence of running text (headlines, formula fragments, list items) is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = (
    "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ,/, "
    "said/vbd Ivan/np Allen/np Jr./np ./.\n"
    "It/pps met/vbd on/in 1961/cd ,/, ,/, in/in Atlanta/np ;/. ;/.\nWhy/wrb ?/. ?/.\n"
    "\n\nMerger/nn-hl proposed/vbn-hl\n"
    "\n\n\tThe/at second/od moment/nn Af/nn is/bez linear/jj in/in\n"
    "\n\nrim-fires/nns ./.\n"
)


@pytest.fixture(scope="module")
def builder(import_builder):
    return import_builder("build_human_stress")


def test_brown_samples_read_as_plain_paragraphs_of_whole_sentences(builder, tmp_path: Path):
    (tmp_path / "brown").mkdir()
    (tmp_path / "brown" / "cats.txt").write_text("ca01 news\ncb01 editorial\n", encoding="utf-8")
    (tmp_path / "brown" / "ca01").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "brown" / "cb01").write_text("\n\n\tNot/* news/nn ./.\n", encoding="utf-8")
    [doc] = builder.read_brown(str(tmp_path), "brown_news")  # the editorial sample is another source's
    assert doc["doc"] == "ca01" and doc["date"] == 1961
    assert doc["pars"] == [
        'The jury said "no evidence" was found, said Ivan Allen Jr. It met on 1961, in Atlanta; Why?'
    ]


def test_every_brown_category_belongs_to_exactly_one_source(builder):
    categories = [c for _, kinds in builder.BROWN_KINDS.values() for c in kinds]
    assert len(categories) == len(set(categories)) == 15  # the corpus's fifteen categories
