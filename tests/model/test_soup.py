"""Greedy model soups of real tiny training runs: what is kept, what the soup scores, what is refused."""

import json

import pytest
import torch
from safetensors.torch import load_file

from aidetector.model.data import load_jsonl, split_by_group
from aidetector.model.metrics import auroc
from aidetector.model.soup import average, greedy_soup, interpolate
from aidetector.model.train import train
from tests.conftest import make_records, write_jsonl


@pytest.fixture(scope="module")
def members(tiny_settings, toy_data, tmp_path_factory):
    """Three short runs of one base with different seeds (and one recipe trained far less)."""
    folder = tmp_path_factory.mktemp("soup_members")
    runs = {"seed1": (1, 40), "seed2": (2, 40), "short": (3, 4)}
    return {
        name: train(
            [toy_data["train"]],
            folder / name,
            tiny_settings.model_copy(update={"seed": seed, "max_steps": steps, "eval_every": steps}),
            progress=False,
        )
        for name, (seed, steps) in runs.items()
    }


def test_soup_ranks_members_keeps_only_what_helps_and_scores_as_reported(members, toy_data, tmp_path):
    out = tmp_path / "soup"
    report = greedy_soup(list(members.values()), [toy_data["train"]], out)

    ranked = sorted(report.member_auroc, key=lambda n: -report.member_auroc[n])
    assert report.chosen[0] == ranked[0]  # the greedy soup starts from the best member
    assert report.soup_auroc >= max(report.member_auroc.values())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["soup"]["chosen"] == report.chosen and len(manifest["soup"]["members"]) == 3
    history = json.loads((out / "metrics.json").read_text())["history"]
    assert [h["member"] for h in history if h["kept"]] == report.chosen and len(history) == 3
    assert manifest["training_data"] == json.loads((members["seed1"] / "manifest.json").read_text())["training_data"]
    from aidetector.model.card import render

    assert f"average of {len(report.chosen)} fine-tuned runs" in render(manifest, {})

    # The saved weights are the plain average of the chosen members ...
    expected = average([load_file(str(m) + "/model.safetensors") for m in report.chosen])
    saved = load_file(str(out / "model.safetensors"))
    assert all(torch.allclose(saved[k].float(), expected[k]) for k in expected)
    # ... and the saved model scores the validation groups as the report says (the detector's own path).
    from aidetector.model.detector import Detector

    records = split_by_group(load_jsonl(toy_data["train"]), 0.2, 13)[1]
    probs = Detector.from_path(out).probabilities([r.text for r in records])
    assert auroc([int(r.label or 0) for r in records], probs) == pytest.approx(report.soup_auroc, abs=0.02)


def test_soup_refuses_members_of_other_data_or_one_model(members, tiny_settings, tmp_path):
    with pytest.raises(ValueError, match="at least two"):
        greedy_soup([members["seed1"]], [tmp_path / "unused.jsonl"], tmp_path / "one")
    other = write_jsonl(tmp_path / "other.jsonl", make_records(80, seed=9))
    with pytest.raises(ValueError, match="other files"):
        greedy_soup([members["seed1"], members["seed2"]], [other], tmp_path / "leak")
    assert not (tmp_path / "leak").exists() and not (tmp_path / "one").exists()


def test_average_refuses_other_architectures():
    with pytest.raises(ValueError, match="one architecture"):
        average([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    assert torch.equal(average([{"w": torch.zeros(2)}, {"w": torch.full((2,), 2.0)}])["w"], torch.ones(2))


def test_interpolate_saves_the_weighted_weights_and_describes_them(members, tiny_settings, toy_data, tmp_path):
    """WiSE-FT: a run fine-tuned from a member on one source, then 0.3 of the way toward it."""
    tuned = train(
        [toy_data["train"]],
        tmp_path / "tuned",
        tiny_settings.model_copy(
            update={"base_model": str(members["seed1"]), "train_sources": "toy_a", "max_steps": 10, "seed": 5}
        ),
        progress=False,
    )
    out = tmp_path / "wise"
    report = interpolate(members["seed1"], tuned, 0.3, [toy_data["train"]], out)

    start, end = (load_file(str(m / "model.safetensors")) for m in (members["seed1"], tuned))
    saved = load_file(str(out / "model.safetensors"))
    assert all(
        torch.allclose(saved[k].float(), 0.7 * start[k].float() + 0.3 * end[k].float(), atol=2e-3) for k in saved
    )
    assert set(report.valid_auroc) == {"model", "fine_tuned", "interpolated"}
    manifest = json.loads((out / "manifest.json").read_text())
    wise = manifest["interpolation"]
    assert wise["alpha"] == 0.3 and wise["valid_auroc"] == report.valid_auroc["interpolated"]
    assert wise["fine_tuned"]["hyperparameters"]["train_sources"] == "toy_a"
    assert [h["alpha"] for h in json.loads((out / "metrics.json").read_text())["history"]] == [0.0, 0.3, 1.0]
    from aidetector.model.card import render

    assert "WiSE-FT" in render(manifest, {}) and "toy_a" in render(manifest, {})
    # The interpolated model scores the validation groups as reported (the detector's own path).
    from aidetector.model.detector import Detector

    records = split_by_group(load_jsonl(toy_data["train"]), 0.2, 13)[1]
    probs = Detector.from_path(out).probabilities([r.text for r in records])
    assert auroc([int(r.label or 0) for r in records], probs) == pytest.approx(
        report.valid_auroc["interpolated"], abs=0.02
    )


def test_interpolate_with_a_run_continued_on_more_files_holds_out_the_models_groups(
    members, tiny_settings, toy_data, tmp_path
):
    """A run continued from a model on one more file (split on its own) interpolates with that model; the result
    names every file it has seen and which were split as one set, so a later refit holds out the same groups."""
    more = write_jsonl(tmp_path / "more.jsonl", make_records(80, seed=9))
    continued = tiny_settings.model_copy(update={"base_model": str(members["seed1"]), "max_steps": 10, "seed": 5})
    tuned = train(
        [toy_data["train"], more],
        tmp_path / "tuned",
        continued.model_copy(update={"split_together": "train.jsonl"}),
        progress=False,
    )
    out = tmp_path / "wise"
    interpolate(members["seed1"], tuned, 0.5, [toy_data["train"], more], out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["training_data"]) == {"train.jsonl", "more.jsonl"}
    assert manifest["hyperparameters"]["split_together"] == "train.jsonl"

    # Split anew as one set, the model's training groups could land in validation: refused.
    mixed = train([toy_data["train"], more], tmp_path / "mixed", continued, progress=False)
    with pytest.raises(ValueError, match="as one set"):
        interpolate(members["seed1"], mixed, 0.5, [toy_data["train"], more], tmp_path / "no")
    assert not (tmp_path / "no").exists()


def test_interpolate_refuses_alphas_outside_zero_one(members, toy_data, tmp_path):
    for alpha in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="alpha"):
            interpolate(members["seed1"], members["seed2"], alpha, [toy_data["train"]], tmp_path / "no")
    assert not (tmp_path / "no").exists()
