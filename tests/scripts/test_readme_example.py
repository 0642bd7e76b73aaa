"""The README's example answer is what the shipped model answers for docs/sample.txt (regenerate with
`python scripts/readme_example.py`), so it cannot drift from the model the checkout ships."""

from pathlib import Path

import pytest

from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    return load_module(ROOT / "scripts" / "readme_example.py", "aidetector_readme_example")


@pytest.mark.slow
def test_the_readme_shows_the_shipped_models_answer():
    assert load_script().main(["--check"]) == 0


def test_the_block_is_replaced_between_its_markers_only():
    script = load_script()
    readme = f"before\n{script.START}\nold\n{script.END}\nafter\n"
    assert script.rewritten(readme, "new") == f"before\n{script.START}\nnew\n{script.END}\nafter\n"


def test_the_check_allows_the_last_digits_of_numbers_to_differ_and_nothing_else():
    script = load_script()
    shown = {"label": "ai", "probability_ai": 0.992873, "tokens_total": 136, "sentences": [{"p": 0.9837}, "… 5 more"]}
    assert script.same_answer(shown, {**shown, "probability_ai": 0.992869, "sentences": [{"p": 0.9838}, "… 5 more"]})
    assert not script.same_answer(shown, {**shown, "probability_ai": 0.95})
    assert not script.same_answer(shown, {**shown, "label": "human"})
    assert not script.same_answer(shown, {**shown, "tokens_total": 137})
    assert not script.same_answer(shown, {**shown, "sentences": [{"p": 0.9837}]})
    readme = f'x\n{script.START}\n```json\n{{"label": "ai"}}\n```\n{script.END}\n'
    assert script._block(readme) == {"label": "ai"}
