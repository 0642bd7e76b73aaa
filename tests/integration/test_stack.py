"""`aidetector up` as a user runs it: one command, the whole local stack, a key and a curl line; Ctrl-C stops all."""

import os
import re
import subprocess
import sys

import pytest
import requests

from aidetector.local.up import launched
from tests.conftest import AI_WORDS
from tests.integration.servers import free_port


@pytest.mark.slow
def test_up_starts_everything_and_ctrl_c_stops_it(tiny_artifact, tmp_path):
    api_port, model_port = free_port(), free_port()
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp_path / "home")}
    args = ["--no-web", "--api-port", str(api_port), "--model-port", str(model_port), "--model", str(tiny_artifact)]
    with launched(args, env, timeout_s=240) as output:
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
    for port in (api_port, model_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/ping", timeout=2)
    assert (tmp_path / "home" / "demo_key").stat().st_mode & 0o077 == 0
