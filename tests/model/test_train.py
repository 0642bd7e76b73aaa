"""A real short training run of the tiny model: it learns, never leaves a partial model, resumes after a kill,
honours its time budget, device, weight averaging and source selection."""

import json

import pytest
import torch

from aidetector.model.data import DataError, load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.train import train


def test_tiny_model_learns_the_toy_task(tiny_artifact, toy_data):
    detector = Detector.from_path(tiny_artifact)
    records = load_jsonl(toy_data["test"])
    probs = detector.probabilities([r.text for r in records])
    from aidetector.model.metrics import auroc

    assert auroc([r.label for r in records], probs) > 0.9


def test_bad_data_never_produces_a_model(tiny_settings, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "label": 0}\n{"text": 5, "label": 1}\n', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataError, match="line 2"):
        train([bad], out, tiny_settings, progress=False)
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_killed_run_resumes_from_its_checkpoint(tiny_settings, toy_data, tmp_path):
    """Kill -9 a training process once it has checkpointed; a rerun continues from there, not from step 0."""
    import os
    import signal
    import subprocess
    import sys
    import time

    work, out = tmp_path / "work", tmp_path / "out"
    settings = tiny_settings.model_copy(update={"max_steps": 3000, "epochs": 400, "eval_every": 4, "patience": 1000})
    script = (
        "import sys; from pathlib import Path; from aidetector.model.config import TrainSettings;"
        " from aidetector.model.train import train;"
        f"train([Path({str(toy_data['train'])!r})], Path({str(out)!r}), TrainSettings.model_validate_json(sys.argv[1]),"
        f" work_dir=Path({str(work)!r}), progress=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, settings.model_dump_json()])
    deadline = time.monotonic() + 120
    while not (work / "checkpoint.pt").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (work / "checkpoint.pt").exists() and not out.exists()  # killed: no partial model
    import torch

    step_at_kill = torch.load(work / "checkpoint.pt", weights_only=False)["state"]["step"]
    assert step_at_kill >= 4
    resumed = train(
        [toy_data["train"]],
        out,
        settings.model_copy(update={"max_steps": step_at_kill + 8}),
        work_dir=work,
        progress=False,
    )
    metrics = json.loads((resumed / "metrics.json").read_text())
    # the history from before the kill is still there: the run continued instead of starting over
    assert metrics["history"][0]["step"] == 4
    assert json.loads((resumed / "manifest.json").read_text())["steps"] == step_at_kill + 8


def test_time_budget_stops_at_the_first_validation_pass(tiny_settings, toy_data, tmp_path):
    """max_minutes (e.g. a fixed GPU lease) ends the run at a validation pass and still writes the artifact."""
    settings = tiny_settings.model_copy(update={"epochs": 400, "eval_every": 4, "patience": 1000, "max_minutes": 1e-6})
    out = train([toy_data["train"]], tmp_path / "out", settings, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["steps"] == 4 and manifest["stopped_early"] is True
    assert manifest["hyperparameters"]["device"] == "auto"


def test_training_runs_on_the_device_it_is_given(tiny_settings, toy_data, tmp_path):
    """device=cpu is honoured explicitly (auto picks the GPU when torch sees one); the artifact is saved from CPU."""
    settings = tiny_settings.model_copy(update={"max_steps": 4, "eval_every": 4, "device": "cpu"})
    out = train([toy_data["train"]], tmp_path / "out", settings, progress=False)
    assert json.loads((out / "manifest.json").read_text())["steps"] == 4


def test_weight_average_is_what_gets_validated_and_saved(tiny_settings, toy_data, tmp_path):
    """ema_decay ~0 keeps only the last step (same weights as no averaging); a real decay ships other weights."""
    from safetensors.torch import load_file

    base = tiny_settings.model_copy(update={"max_steps": 12, "eval_every": 12, "fp16": False})
    plain, last_only, averaged = (
        load_file(
            train([toy_data["train"]], tmp_path / name, base.model_copy(update={"ema_decay": d}), progress=False)
            / "model.safetensors"
        )
        for name, d in (("plain", 0.0), ("last_only", 1e-12), ("averaged", 0.7))
    )
    assert all(torch.equal(plain[k], last_only[k]) for k in plain)
    assert not all(torch.equal(plain[k], averaged[k]) for k in plain)


def test_train_sources_narrows_training_but_not_the_validation_split(toy_data, tiny_settings, tmp_path):
    from aidetector.model.data import split_by_group
    from aidetector.model.train import only_sources

    records = load_jsonl(toy_data["train"])
    train_recs, valid_recs = split_by_group(records, 0.2, 13)
    kept = only_sources(train_recs, frozenset({"toy_a"}))
    assert kept and {r.get("source") for r in kept} == {"toy_a"} and {r.label for r in kept} == {0, 1}
    assert only_sources(train_recs, frozenset()) == train_recs
    with pytest.raises(ValueError, match="train_sources=nowhere"):
        only_sources(train_recs, frozenset({"nowhere"}))
    settings = tiny_settings.model_copy(update={"train_sources": "nowhere"})
    assert settings.parsed_train_sources() == {"nowhere"}
    with pytest.raises(ValueError, match="no human and AI"):
        train([toy_data["train"]], tmp_path / "out", settings, progress=False)
    assert not (tmp_path / "out").exists()
    # the run on one source still validates on every source's held-out groups (same split as full runs)
    out = train(
        [toy_data["train"]],
        tmp_path / "a",
        tiny_settings.model_copy(update={"train_sources": "toy_a", "max_steps": 2}),
        progress=False,
    )
    assert json.loads((out / "metrics.json").read_text())["valid"]["n"] == len(valid_recs)
