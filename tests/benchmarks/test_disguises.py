"""The disguise benchmark finds the file's AI texts with lookalike letters, disguises others in several ways, and
scores each disguise, with the reading step that undoes it off and on."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def test_disguise_benchmark_scores_each_disguise_and_the_steps_that_undo_them(tiny_artifact, tmp_path):
    plain = "The results of the study show that the method works well on most of the tested samples."
    disguised = plain.replace("e", "\u0435").replace("o", "\u043e")  # Cyrillic lookalikes inside English words
    rows = [{"text": f"Person {i} wrote: we went to the lake and it rained all day.", "label": 0} for i in range(6)]
    rows += [{"text": f"{disguised} Sample {i}.", "label": 1} for i in range(3)]
    rows += [{"text": f"{plain} Sample {i}.", "label": 1} for i in range(4)]
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "disguises.py"), "--model", str(tiny_artifact),
         "--data", str(data), "--json", str(tmp_path / "out.json")],
        capture_output=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout)
    assert report == json.loads((tmp_path / "out.json").read_text())
    assert report["humans_ranked_against"] == 6 and report["humans_changed_by_the_steps"] == 0
    assert report["lookalikes_in_file"]["ai_texts"] == 3 and report["made_here"]["ai_texts"] == 4
    for way in ("folding_off", "folding_on"):
        assert all(0.0 <= v <= 1.0 for v in report["lookalikes_in_file"][way].values())
    made = report["made_here"]
    assert {
        "zero_width_spaces, drop_invisible off",
        "lookalike_letters, fold_lookalikes off",
        "typos, mend_typos off",
    } < set(made)
    # the reading steps undo their disguises: the hidden texts score as the undisguised ones
    assert made["zero_width_spaces"] == made["undisguised"] == made["lookalike_letters"]


def test_zero_width_spaces_go_inside_the_share_of_long_words_asked_for():
    script = load_module(ROOT / "benchmarks" / "disguises.py", "disguises")
    text = " ".join(["word"] * 1000 + ["a", "of"] * 100)
    hidden = script.hide_in_words(text, random.Random(0), 0.3)
    words = hidden.split(" ")
    assert 250 < sum(script.ZERO_WIDTH_SPACE in w for w in words) < 350
    assert all(script.ZERO_WIDTH_SPACE not in w for w in words[1000:])
    assert hidden.replace(script.ZERO_WIDTH_SPACE, "") == text


def test_typos_change_one_letter_in_the_share_of_long_words_asked_for():
    script = load_module(ROOT / "benchmarks" / "disguises.py", "disguises")
    text = " ".join(["letter"] * 1000 + ["a", "of", "it's"] * 100)
    words = script.typos(text, random.Random(0), 0.3).split(" ")
    changed = [w for w in words[:1000] if w != "letter"]
    assert 250 < len(changed) < 350
    assert all(abs(len(w) - len("letter")) <= 1 and w[0] == "l" for w in changed)  # the first letter stays
    assert words[1000:] == ["a", "of", "it's"] * 100
