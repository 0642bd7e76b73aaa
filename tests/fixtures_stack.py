"""Fixtures that start the real local stack (model server + gateway) on free loopback ports, for any test."""

from pathlib import Path

import pytest

from aidetector.local.gateway.keys import KeyStore
from aidetector.plans import load_plans
from tests.integration.servers import gateway, model_server

PLANS = """
[limits]
max_body_bytes = 200_000
max_batch_items = 4
max_text_chars = 20_000
echo_chars = 1000

[plans.free]
rate = 50
burst = 50
quota = 1000
period = "DAY"

[plans.tiny]
rate = 0.2
burst = 2
quota = 1000
period = "DAY"

[plans.quota3]
rate = 50
burst = 50
quota = 3
period = "MONTH"
"""


@pytest.fixture(scope="session")
def plans_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "plans.toml"
    path.write_text(PLANS)
    return path


@pytest.fixture(scope="session")
def server(tiny_artifact):
    s = model_server(tiny_artifact, {"AIDETECTOR_SERVE_MAX_BATCH_ITEMS": "4", "AIDETECTOR_SERVE_ECHO_CHARS": "1000"})
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def api(server, home, plans_file):
    g = gateway(server.url, home, plans_file)
    g.start()
    yield g
    g.stop()


@pytest.fixture(scope="session")
def store(home, plans_file) -> KeyStore:
    return KeyStore(home / "keys.sqlite3", load_plans(str(plans_file)).plans)


@pytest.fixture(scope="session")
def key(store) -> str:
    return store.create("integration", "free")


@pytest.fixture(scope="session")
def measured_artifact(tiny_artifact, tmp_path_factory) -> Path:
    """The tiny model with an evaluation report beside it, as a shipped model has (its false-positive rate)."""
    import json
    import shutil

    from aidetector.model.artifact import read_manifest

    folder = tmp_path_factory.mktemp("measured") / "tiny"
    shutil.copytree(tiny_artifact, folder)
    manifest = read_manifest(folder)
    report = {
        "fpr_at_threshold": 0.05,
        "fpr_at_threshold_ci95": [0.01, 0.12],
        "n_human": 20,
        "threshold": manifest["calibration"]["threshold"],
        "model_version": manifest["version"],
    }
    (folder / "eval_toy.json").write_text(json.dumps(report))
    return folder


# The toy model's threshold sits close to its human scores: with the default margins every human part is
# "inconclusive". These margins let it tell a text's parts apart, as the shipped model does with the defaults.
MIXED_ENV = {
    "AIDETECTOR_SERVE_MAX_BATCH_ITEMS": "4",
    "AIDETECTOR_SERVE_ECHO_CHARS": "1000",
    "AIDETECTOR_DETECT_INCONCLUSIVE_MARGIN": "0",
    "AIDETECTOR_DETECT_SEGMENT_SWITCH_PENALTY": "0",
}


@pytest.fixture(scope="session")
def mixed_server(measured_artifact):
    s = model_server(measured_artifact, MIXED_ENV)
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def mixed_api(mixed_server, home, plans_file):
    """The public API in front of the measured tiny model with margins that find mixed texts."""
    g = gateway(mixed_server.url, home, plans_file)
    g.start()
    yield g
    g.stop()
