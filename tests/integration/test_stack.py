"""`aidetector up` as a user runs it: one command, the whole local stack, a key and a curl line; Ctrl-C stops all."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import AI_WORDS
from tests.integration.servers import free_port


@pytest.mark.slow
def test_up_starts_everything_and_ctrl_c_stops_it(tiny_artifact, tmp_path):
    api_port, model_port = free_port(), free_port()
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aidetector.cli",
            "up",
            "--no-web",
            "--api-port",
            str(api_port),
            "--model-port",
            str(model_port),
            "--model",
            str(tiny_artifact),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip().startswith("curl "):
            break
    output = "".join(lines)
    try:
        key = re.search(r"demo API key:\s+(\S+)", output).group(1)
        assert f"http://127.0.0.1:{api_port}" in output
        answer = requests.post(
            f"http://127.0.0.1:{api_port}/v1/detect",
            json={"input_text": " ".join(AI_WORDS * 2)},
            headers={"x-api-key": key},
            timeout=30,
        )
        assert answer.status_code == 200
        # a key made beside the running stack is accepted at once
        made = subprocess.run(
            [sys.executable, "-m", "aidetector.cli", "keys", "create", "--name", "beside"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        other = made.stdout.strip().splitlines()[-1]
        assert (
            requests.get(f"http://127.0.0.1:{api_port}/v1/health", headers={"x-api-key": other}, timeout=10).status_code
            == 200
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    for port in (api_port, model_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/ping", timeout=2)
    assert (tmp_path / "home" / "demo_key").stat().st_mode & 0o077 == 0
