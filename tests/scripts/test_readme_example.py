"""The README's example answer is what the shipped model answers for docs/sample.txt (regenerate with
`python scripts/readme_example.py`), so it cannot drift from the model the checkout ships."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("aidetector_readme_example", ROOT / "scripts" / "readme_example.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_readme_shows_the_shipped_models_answer():
    assert load_script().main(["--check"]) == 0


def test_the_block_is_replaced_between_its_markers_only():
    script = load_script()
    readme = f"before\n{script.START}\nold\n{script.END}\nafter\n"
    assert script.rewritten(readme, "new") == f"before\n{script.START}\nnew\n{script.END}\nafter\n"
