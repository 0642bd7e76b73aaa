"""Start the real model server and gateway as child processes on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from aidetector.local.ports import free_port


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0, status: int = 200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


class Server:
    def __init__(self, args: list[str], env: dict[str, str], health: str, port: int, log: Path | None = None):
        self.args, self.env, self.health, self.port, self.log = args, env, health, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> Server:
        """Start the process (its output goes to `log` when set, for tests that read what it printed)."""
        out = open(self.log, "ab") if self.log else None  # noqa: SIM115 - the child holds it open
        command = [sys.executable, "-m", "aidetector.cli", *self.args]
        self.proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None)
        if out:
            out.close()
        if wait:
            wait_ready(self.url + self.health, self.proc)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def model_server(model_dir: Path, env: dict[str, str] | None = None, log: Path | None = None) -> Server:
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--model", str(model_dir)]
    return Server(args, {**os.environ, **(env or {})}, "/ping", port, log)


def gateway(
    model_url: str,
    home: Path,
    plans_file: Path | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Server:
    port = free_port()
    full_env = {**os.environ, "AIDETECTOR_HOME": str(home), **(env or {})}
    if plans_file:
        full_env["AIDETECTOR_PLANS_FILE"] = str(plans_file)
    args = ["gateway", "--host", "127.0.0.1", "--port", str(port), "--model-url", model_url]
    return Server(args, full_env, "/openapi.json", port, log)
