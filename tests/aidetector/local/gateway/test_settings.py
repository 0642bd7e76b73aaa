"""The local gateway's settings (`AIDETECTOR_GATEWAY_*`): loopback and API Gateway's own limits by default, the
keys database under `AIDETECTOR_HOME`, and limits that refuse values which would switch them off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from aidetector.local.gateway.settings import GatewaySettings


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AIDETECTOR_GATEWAY_") or name == "AIDETECTOR_HOME":
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults_listen_on_loopback_in_front_of_the_local_model_server(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_HOME", str(tmp_path))
    settings = GatewaySettings()
    assert settings.host == "127.0.0.1"  # a laptop's API is not offered to the network unless asked
    assert (settings.port, settings.model_url, settings.stage) == (8000, "http://127.0.0.1:8080", "prod")
    assert settings.max_payload_bytes == 10 * 1024 * 1024  # API Gateway's payload limit
    assert settings.read_timeout_s < 29  # API Gateway's integration timeout
    assert settings.keys_db == tmp_path / "keys.sqlite3" and settings.stack_file is None


def test_every_field_is_set_from_its_variable(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_GATEWAY_PORT", "9001")
    clean_env.setenv("AIDETECTOR_GATEWAY_MODEL_URL", "http://127.0.0.1:9090")
    clean_env.setenv("AIDETECTOR_GATEWAY_KEYS_DB", str(tmp_path / "k.db"))
    clean_env.setenv("AIDETECTOR_GATEWAY_STACK_FILE", str(tmp_path / "stack.json"))
    clean_env.setenv("AIDETECTOR_GATEWAY_HEADER_TIMEOUT_S", "1.5")
    clean_env.setenv("AIDETECTOR_GATEWAY_UNKNOWN", "ignored")  # extra variables are not an error
    settings = GatewaySettings()
    assert settings.port == 9001 and settings.model_url == "http://127.0.0.1:9090"
    assert settings.keys_db == tmp_path / "k.db" and settings.stack_file == Path(tmp_path / "stack.json")
    assert settings.header_timeout_s == 1.5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HEADER_TIMEOUT_S", "0"),  # no time limit on headers: a slow client holds a connection forever
        ("BODY_TIMEOUT_S", "-1"),
        ("MAX_HEADER_BYTES", "100"),  # below what any real client sends
        ("PORT", "eighty"),
    ],
)
def test_values_that_would_switch_a_limit_off_are_refused(clean_env, variable, value):
    clean_env.setenv(f"AIDETECTOR_GATEWAY_{variable}", value)
    with pytest.raises(ValidationError, match=variable.lower()):
        GatewaySettings()
