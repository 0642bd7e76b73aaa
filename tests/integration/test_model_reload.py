"""The model server on a registry: it serves `latest`, and picks up a promotion or a rollback by itself."""

from __future__ import annotations

import os
import shutil
import time

import requests

from aidetector.model.artifact import update_manifest
from aidetector.registry.registry import Registry
from aidetector.registry.stores import LocalStore
from tests.conftest import AI_WORDS
from tests.integration.servers import Server, free_port


def _version(tiny_artifact, tmp_path, version):
    folder = tmp_path / "build" / version
    shutil.copytree(tiny_artifact, folder)
    update_manifest(folder, {"version": version})
    return folder


def _served_version(url: str) -> str | None:
    return requests.get(f"{url}/ping", timeout=5).json().get("model_version")


def _wait_for(url: str, version: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _served_version(url) == version:
            return True
        time.sleep(0.2)
    return False


def test_server_follows_promotions_and_rollbacks(tiny_artifact, tmp_path):
    registry = Registry(LocalStore(tmp_path / "models"))
    for version in ("20260101T000000Z", "20260201T000000Z"):
        registry.add(_version(tiny_artifact, tmp_path, version))
    registry.promote("20260101T000000Z", force=True)
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--registry", str(tmp_path / "models"),
            "--watch", "0.3"]  # fmt: skip
    server = Server(args, {**os.environ, "AIDETECTOR_HOME": str(tmp_path / "home")}, "/ping", port).start()
    try:
        assert _served_version(server.url) == "20260101T000000Z"
        registry.promote("20260201T000000Z", force=True)
        assert _wait_for(server.url, "20260201T000000Z")
        answer = requests.post(f"{server.url}/invocations", json={"input_text": " ".join(AI_WORDS * 2)}, timeout=30)
        assert answer.status_code == 200 and answer.json()["model_version"] == "20260201T000000Z"
        registry.rollback()
        assert _wait_for(server.url, "20260101T000000Z")
        # A tampered version promoted by force is refused by the server, which keeps serving what it had.
        registry.add(_version(tiny_artifact, tmp_path, "20260301T000000Z"))
        weights = tmp_path / "models" / "20260301T000000Z" / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:-4] + b"evil")
        registry.promote("20260301T000000Z", force=True)
        time.sleep(1.5)
        assert _served_version(server.url) == "20260101T000000Z"
    finally:
        server.stop()
