"""The server commands as a terminal starts them: `serve` (with sagemaker-runtime's path for the local API),
`gateway` (in front of a model server), `web` (the process becomes Streamlit, so a signal reaches the server).

`aidetector up` has its own tests (tests/aidetector/local/test_up.py, tests/integration/test_stack.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from aidetector.local.gateway.keys import KeyStore
from aidetector.model.artifact import read_manifest
from aidetector.plans import load_plans
from tests.conftest import AI_WORDS
from tests.integration.servers import Server, free_port, wait_ready

TEXT = " ".join(AI_WORDS * 2)


def test_serve_answers_on_the_sagemaker_runtime_path_too(tiny_artifact):
    """What `aidetector serve` adds to the container's server: InvokeEndpoint's path, for the local API's boto3."""
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--model", str(tiny_artifact)]
    server = Server(args, dict(os.environ), "/ping", port).start()
    try:
        assert (
            requests.get(server.url + "/ping", timeout=5).json()["model_version"]
            == read_manifest(tiny_artifact)["version"]
        )
        ok = requests.post(server.url + "/endpoints/any/invocations", json={"input_text": TEXT}, timeout=30)
        assert ok.status_code == 200 and ok.headers["x-amzn-invoked-production-variant"] == "local"
        assert ok.json()["label"] in ("ai", "human", "inconclusive")
        bad = requests.post(server.url + "/endpoints/any/invocations", json={"input_text": ""}, timeout=30)
        assert bad.status_code == 424 and bad.headers["x-amzn-ErrorType"].startswith("ModelError")
        assert bad.json()["OriginalStatusCode"] == 422 and "empty_text" in bad.json()["OriginalMessage"]
    finally:
        server.stop()


def test_gateway_serves_the_public_api_in_front_of_a_model_url(server, tmp_path):
    port = free_port()
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp_path)}
    args = ["gateway", "--host", "127.0.0.1", "--port", str(port), "--model-url", server.url]
    gateway = Server(args, env, "/openapi.json", port).start()
    try:
        assert requests.get(gateway.url + "/openapi.json", timeout=5).json()["openapi"].startswith("3.")
        assert requests.post(gateway.url + "/v1/detect", json={"input_text": TEXT}, timeout=30).status_code == 403
        key = KeyStore(tmp_path / "keys.sqlite3", load_plans().plans).create("cli-test", "free")  # the gateway's home
        answer = requests.post(
            gateway.url + "/v1/detect", json={"input_text": TEXT}, headers={"x-api-key": key}, timeout=30
        )
        assert (
            answer.status_code == 200
            and answer.json()["model_version"] == requests.get(server.url + "/ping").json()["model_version"]
        )
    finally:
        gateway.stop()


def test_web_becomes_streamlit_so_a_signal_stops_the_server(tmp_path):
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "aidetector.cli", "web", "--port", str(port)], env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/_stcore/health", proc, timeout=120)
        assert "streamlit" in Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()  # exec: the same process
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
