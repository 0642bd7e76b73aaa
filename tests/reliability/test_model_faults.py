"""Faults of the model itself: a corrupt `latest` at start-up, and the model server killed under load by `up`."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import time

import pytest
import requests

from aidetector.local.up import launched
from aidetector.model.artifact import update_manifest
from aidetector.registry.registry import Registry
from aidetector.registry.stores import LocalStore
from tests.conftest import AI_WORDS
from tests.integration.servers import Server, free_port
from tests.reliability.conftest import PLANS

TEXT = " ".join(AI_WORDS * 2)


def _version(tiny_artifact, tmp_path, version):
    folder = tmp_path / "build" / version
    shutil.copytree(tiny_artifact, folder)
    update_manifest(folder, {"version": version})
    return folder


def _ping(url: str) -> dict:
    return requests.get(f"{url}/ping", timeout=5).json()


def _wait(predicate, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_a_corrupt_latest_at_start_up_falls_back_and_heals(tiny_artifact, tmp_path):
    """The issue: the loader gave up on the first failure, /ping said "loading" forever, rollback did not heal."""
    registry = Registry(LocalStore(tmp_path / "models"))
    for version in ("20260101T000000Z", "20260201T000000Z", "20260301T000000Z"):
        registry.add(_version(tiny_artifact, tmp_path, version))
    registry.promote("20260201T000000Z", force=True)
    registry.promote("20260301T000000Z", force=True)
    weights = tmp_path / "models" / "20260301T000000Z" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"evil")  # latest no longer verifies
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--registry", str(tmp_path / "models"),
            "--watch", "0.3"]  # fmt: skip
    server = Server(args, {**os.environ, "AIDETECTOR_HOME": str(tmp_path / "home")}, "/ping", port).start()
    try:
        ping = _ping(server.url)
        assert ping["status"] == "ok" and ping["model_version"] == "20260201T000000Z"
        assert ping["serving"] == "fallback" and ping["registry_latest"] == "20260301T000000Z"
        assert "20260301T000000Z failed to load" in ping["reason"] and "20260301T000000Z" in ping["refused"]
        answer = requests.post(f"{server.url}/invocations", json={"input_text": TEXT}, timeout=30)
        assert answer.status_code == 200 and answer.json()["model_version"] == "20260201T000000Z"
        registry.rollback()  # latest -> 20260201T000000Z: what is served becomes latest again
        assert _wait(lambda: _ping(server.url)["serving"] == "latest")
        assert _ping(server.url)["model_version"] == "20260201T000000Z" and "reason" not in _ping(server.url)
        registry.promote("20260101T000000Z", force=True)  # the watch keeps following the registry
        assert _wait(lambda: _ping(server.url)["model_version"] == "20260101T000000Z")
    finally:
        server.stop()


@pytest.mark.slow
def test_up_restarts_a_killed_model_server_and_keeps_the_gateway(tiny_artifact, tmp_path):
    api_port, model_port = free_port(), free_port()
    home = tmp_path / "home"
    plans = tmp_path / "plans.toml"  # the demo key's plan, free, with room for the load below
    plans.write_text(PLANS.replace("rate = 1000", "rate = 100"))
    env = {**os.environ, "AIDETECTOR_HOME": str(home), "AIDETECTOR_PLANS_FILE": str(plans)}
    args = ["--no-web", "--api-port", str(api_port), "--model-port", str(model_port), "--model", str(tiny_artifact)]
    api = f"http://127.0.0.1:{api_port}"
    with launched(args, env, timeout_s=240) as output:
        key = re.search(r"demo API key:\s+(\S+)", output).group(1)
        sample = json.loads(re.search(r"-d '(.*)'\s*$", output.strip().splitlines()[-1]).group(1))
        first = requests.post(f"{api}/v1/detect", json=sample, headers={"x-api-key": key}, timeout=60)
        assert first.status_code == 200 and first.json()["reason"] != "too_short"  # the printed sample is long enough
        outcomes: list[tuple[float, int, str]] = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                try:
                    r = requests.post(
                        f"{api}/v1/detect", json={"input_text": TEXT}, headers={"x-api-key": key}, timeout=30
                    )
                    code = r.json().get("error", {}).get("code", "") if r.status_code != 200 else ""
                    outcomes.append((time.monotonic(), r.status_code, code))
                except requests.RequestException as exc:
                    outcomes.append((time.monotonic(), -1, type(exc).__name__))
                time.sleep(0.05)

        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
        stack = json.loads((home / "stack.json").read_text())
        pid = stack["processes"]["model server"]["pid"]
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        back = _wait(lambda: any(t > killed + 0.5 and s == 200 for t, s, _ in outcomes), timeout=180)
        recovery_s = time.monotonic() - killed
        stop.set()
        for t in threads:
            t.join()
        print(f"model server killed with SIGKILL under load: answering 200 again after {recovery_s:.1f} s")
        assert back, f"no 200 within 180 s of the kill: {outcomes[-5:]}"
        during = [(s, c) for t, s, c in outcomes if t > killed]
        # While the model is away the gateway answers, in JSON, that it is unavailable: never a 500 or a dropped call.
        assert {s for s, _ in during} <= {200, 503}, during
        assert {c for s, c in during if s == 503} <= {"model_unavailable"}

        def health() -> dict:
            return requests.get(f"{api}/v1/health", headers={"x-api-key": key}, timeout=10).json()

        # The supervisor marks the server "up" on its next look (every second or so), which may come just after the
        # first 200 answered by the restarted server.
        _wait(lambda: health()["local_stack"]["processes"]["model server"]["state"] == "up", timeout=15)
        model = health()["local_stack"]["processes"]["model server"]
        assert model["restarts"] == 1 and model["last_exit"] == -signal.SIGKILL and model["state"] == "up"
        assert health()["local_stack"]["processes"]["gateway"]["restarts"] == 0
