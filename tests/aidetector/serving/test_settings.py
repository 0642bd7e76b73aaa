"""The model server's settings (`AIDETECTOR_SERVE_*`): SageMaker's contract by default, the request limits drawn
from the plans file, the local state under `AIDETECTOR_HOME`, and limits that refuse values that would switch them
off."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from aidetector.plans import load_plans
from aidetector.serving.settings import ServerSettings

PLANS = """
[limits]
max_body_bytes = 1000
max_batch_items = 3
max_text_chars = 300
echo_chars = 40

[plans.only]
rate = 1
burst = 1
quota = 10
period = "DAY"
"""


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AIDETECTOR_SERVE_") or name in ("AIDETECTOR_HOME", "AIDETECTOR_MODEL_DIR"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("AIDETECTOR_PLANS_FILE", raising=False)
    load_plans.cache_clear()
    yield monkeypatch
    load_plans.cache_clear()


def test_defaults_follow_sagemakers_contract(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_HOME", str(tmp_path))
    clean_env.setenv("AIDETECTOR_MODEL_DIR", str(tmp_path / "model"))
    settings = ServerSettings()
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)  # a container listens on all interfaces, port 8080
    assert settings.max_body_bytes == 6 * 1024 * 1024  # SageMaker's own request limit
    assert settings.default_deadline_s < 60  # SageMaker stops waiting at 60 s: the server gives up first
    assert settings.model_dir == tmp_path / "model" and settings.cache_dir == tmp_path / "cache"
    assert settings.registry_uri is None and settings.watch_s == 0
    assert settings.max_batch_work <= settings.max_request_work  # a request may need several model calls


def test_request_limits_come_from_the_plans_file(clean_env, tmp_path):
    """The server and the API enforce the same numbers: AIDETECTOR_PLANS_FILE moves both."""
    default = load_plans().limits
    assert (ServerSettings().max_batch_items, ServerSettings().echo_chars) == (
        default.max_batch_items,
        default.echo_chars,
    )
    (tmp_path / "plans.toml").write_text(PLANS)
    clean_env.setenv("AIDETECTOR_PLANS_FILE", str(tmp_path / "plans.toml"))
    load_plans.cache_clear()  # read once per process: a server started with the variable set
    assert (ServerSettings().max_batch_items, ServerSettings().echo_chars) == (3, 40)


def test_each_field_is_set_from_its_variable(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_SERVE_PORT", "9090")
    clean_env.setenv("AIDETECTOR_SERVE_MAX_BATCH_ITEMS", "2")  # over the plans file
    clean_env.setenv("AIDETECTOR_SERVE_REGISTRY_URI", str(tmp_path / "models"))
    clean_env.setenv("AIDETECTOR_SERVE_WATCH_S", "2.5")
    clean_env.setenv("AIDETECTOR_SERVE_MAX_WAIT_MS", "5")
    settings = ServerSettings()
    assert (settings.port, settings.max_batch_items, settings.watch_s, settings.max_wait_ms) == (9090, 2, 2.5, 5.0)
    assert settings.registry_uri == str(tmp_path / "models")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_BATCH", "0"),
        ("MAX_WAIT_MS", "-1"),
        ("WATCH_S", "-1"),
        ("MAX_REQUEST_WORK", "10"),  # below one text's fixed share: every request would be refused
        ("MAX_BATCH_WORK", "0"),
        ("MAX_QUEUE_S", "0"),
        ("DEFAULT_DEADLINE_S", "0"),
        ("HEADER_TIMEOUT_S", "0"),
        ("BODY_TIMEOUT_S", "0"),
        ("MAX_HEADER_BYTES", "10"),
    ],
)
def test_values_that_would_switch_a_limit_off_are_refused(clean_env, variable, value):
    clean_env.setenv(f"AIDETECTOR_SERVE_{variable}", value)
    with pytest.raises(ValidationError, match=variable.lower()):
        ServerSettings()
