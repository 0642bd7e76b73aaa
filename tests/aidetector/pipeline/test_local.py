"""`aidetector pipeline run` end to end on the tiny model: promote, refuse, notify, and survive a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from aidetector.notify import NotifySettings, SlackNotifier
from aidetector.pipeline.local import run_local
from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.registry.stores import LocalStore
from tests.slack_recorder import slack_webhook

LENIENT = RegistrySettings(uri="unused", min_auroc=0.5, max_fpr=1.0)


def test_first_run_promotes_and_a_worse_model_is_refused(tiny_settings, toy_data, tmp_path):
    registry = Registry(LocalStore(tmp_path / "models"), LENIENT)
    with slack_webhook() as hook:
        notifier = SlackNotifier(hook.url, NotifySettings(retries=0))
        first = run_local([toy_data["train"]], toy_data["test"], registry, tiny_settings, tmp_path / "work", notifier)
        assert first.promoted and registry.latest() == first.candidate
        assert first.candidate_evaluation is not None and first.candidate_evaluation.auroc > 0.9

        # One optimiser step from the random base: a near-random candidate that must not replace latest.
        weak = tiny_settings.model_copy(update={"max_steps": 1, "seed": 3})
        second = run_local([toy_data["train"]], toy_data["test"], registry, weak, tmp_path / "work", notifier)
    assert not second.promoted
    assert registry.latest() == first.candidate
    assert "worse than latest" in second.gate
    assert [i.version for i in registry.versions()] == [first.candidate]  # a refused candidate is not registered
    texts = [p["text"] for p in hook.posts]
    assert any("Training finished" in t for t in texts)
    assert any("Promoted" in t for t in texts) and any("refused" in t for t in texts)


def test_a_run_killed_during_training_leaves_the_registry_unchanged(tiny_base, toy_data, tmp_path):
    """SIGKILL half-way through training: no partial version, `latest` untouched; a rerun completes."""
    home = tmp_path / "home"
    env = {**os.environ, "AIDETECTOR_HOME": str(home), "AIDETECTOR_REGISTRY_MIN_AUROC": "0.5",
           "AIDETECTOR_REGISTRY_MAX_FPR": "1.0"}  # fmt: skip
    base = [sys.executable, "-m", "aidetector.cli", "pipeline", "run", "--data", str(toy_data["train"]),
            "--eval-data", str(toy_data["test"]), "--quiet", "--base-model", str(tiny_base),
            "--set", "max_length=32", "--set", "batch_size=16", "--set", "learning_rate=1e-3",
            "--set", "eval_every=10", "--set", "valid_fraction=0.2", "--set", "num_threads=1",
            "--set", "warmup_fraction=0", "--set", "fp16=false", "--set", "freeze_embeddings=false"]  # fmt: skip
    long_run = subprocess.Popen([*base, "--epochs", "500"], env=env, stderr=subprocess.PIPE)
    checkpoints = home / "pipeline" / "checkpoints"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(checkpoints.glob("*")):
        time.sleep(0.2)  # wait until training is well under way (it has written a checkpoint)
    assert any(checkpoints.glob("*")), "training never got going"
    os.kill(long_run.pid, signal.SIGKILL)
    long_run.wait(timeout=30)
    models = home / "models"
    assert not models.exists() or [p.name for p in models.iterdir() if not p.name.startswith(".")] == []

    done = subprocess.run([*base, "--epochs", "5"], env=env, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:] + done.stdout.decode()[-1000:]
    summary = json.loads(done.stdout)
    assert summary["promoted"] and summary["latest_after"] == summary["candidate"]
    listed = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "models", "list"], env=env, capture_output=True, timeout=120
    )
    assert listed.stdout.decode().startswith(f"* {summary['candidate']}")
    assert (models / "latest").resolve().name == summary["candidate"]
    assert not Path(models, summary["candidate"], "checkpoints").exists()
