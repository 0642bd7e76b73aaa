"""The stack as the public meets it, for attacks and faults: a model server on the tiny model and a gateway with
the documented per-request limits, on free loopback ports, their output kept in files the tests read."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidetector.local.gateway.keys import KeyStore
from aidetector.plans import load_plans
from tests.integration.servers import gateway, model_server

# The documented limits (2 MiB body, 32 texts, 100,000 characters); plans generous enough that fuzzing and load
# never meet the throttle unless a test means to, and a small one that does.
PLANS = """
[limits]
max_body_bytes = 2_097_152
max_batch_items = 32
max_text_chars = 100_000
echo_chars = 2_000

[plans.free]
rate = 1000
burst = 1000
quota = 1_000_000
period = "DAY"

[plans.tiny]
rate = 0.5
burst = 1
quota = 1_000
period = "DAY"

[plans.quota1]
rate = 100
burst = 100
quota = 1
period = "DAY"
"""

GATEWAY_ENV = {
    "AIDETECTOR_GATEWAY_MAX_PAYLOAD_BYTES": str(4 * 1024 * 1024),
    "AIDETECTOR_GATEWAY_HEADER_TIMEOUT_S": "1",
    "AIDETECTOR_GATEWAY_BODY_TIMEOUT_S": "2",
}


@pytest.fixture(scope="session")
def rel_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="session")
def rel_plans(rel_dir) -> Path:
    path = rel_dir / "plans.toml"
    path.write_text(PLANS)
    return path


@pytest.fixture(scope="session")
def rel_model(tiny_artifact, rel_dir):
    s = model_server(tiny_artifact, {"AIDETECTOR_SERVE_ECHO_CHARS": "2000"}, log=rel_dir / "model.log")
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def rel_api(rel_model, rel_dir, rel_plans):
    g = gateway(rel_model.url, rel_dir / "home", rel_plans, GATEWAY_ENV, log=rel_dir / "gateway.log")
    g.start()
    yield g
    g.stop()


@pytest.fixture(scope="session")
def rel_store(rel_dir, rel_plans) -> KeyStore:
    return KeyStore(rel_dir / "home" / "keys.sqlite3", load_plans(str(rel_plans)).plans)


@pytest.fixture(scope="session")
def rel_key(rel_store) -> str:
    return rel_store.create("reliability", "free")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")
