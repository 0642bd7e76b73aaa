"""`IMAGE serve`: the model server on SageMaker's port, serving what SageMaker unpacked into /opt/ml/model (or the
configured model when that folder holds none); only the container's routes, not the local sagemaker-runtime path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from aidetector.model.artifact import update_manifest
from tests.integration.servers import free_port, wait_ready

START = "from aidetector.container.serving import run; raise SystemExit(run())"


def serve(opt_ml: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full = {**os.environ, "AIDETECTOR_OPT_ML": str(opt_ml), "SAGEMAKER_BIND_TO_PORT": str(port), **env}
    proc = subprocess.Popen([sys.executable, "-c", START], env=full)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url + "/ping", proc)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_serves_the_model_sagemaker_unpacked_on_its_port(tiny_artifact, tmp_path):
    shutil.copytree(tiny_artifact, tmp_path / "opt_ml" / "model")
    update_manifest(tmp_path / "opt_ml" / "model", {"version": "from-opt-ml"})
    proc, url = serve(tmp_path / "opt_ml", {})
    try:
        assert requests.get(url + "/ping", timeout=5).json()["model_version"] == "from-opt-ml"
        answer = requests.post(url + "/invocations", json={"input_text": "A text to score here."}, timeout=30)
        assert answer.status_code == 200 and answer.json()["model_version"] == "from-opt-ml"
        local_only = requests.post(url + "/endpoints/x/invocations", json={"input_text": "text"}, timeout=30)
        assert local_only.status_code == 404  # sagemaker-runtime's path is `aidetector serve`'s, never the image's
    finally:
        stop(proc)


@pytest.mark.slow  # a second server start (~7 s); the first test covers the usual case
def test_without_a_model_in_opt_ml_the_configured_model_is_served(tiny_artifact, tmp_path):
    (tmp_path / "opt_ml" / "model").mkdir(parents=True)
    configured = tmp_path / "configured"
    shutil.copytree(tiny_artifact, configured)
    update_manifest(configured, {"version": "configured"})
    proc, url = serve(tmp_path / "opt_ml", {"AIDETECTOR_MODEL_DIR": str(configured)})
    try:
        assert requests.get(url + "/ping", timeout=5).json()["model_version"] == "configured"
    finally:
        stop(proc)
