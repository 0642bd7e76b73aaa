"""Web UI settings: `AIDETECTOR_WEB_*` variables, defaults, and limits that keep the page within the API's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aidetector.web.settings import WebSettings


@pytest.fixture
def clean_env(monkeypatch):
    for name in WebSettings.model_fields:
        monkeypatch.delenv(f"AIDETECTOR_WEB_{name.upper()}", raising=False)
    return monkeypatch


def test_defaults_talk_to_the_local_gateway_without_a_key(clean_env):
    settings = WebSettings()
    assert (settings.api_url, settings.api_key, settings.timeout_s) == ("http://127.0.0.1:8000", "", 30.0)
    assert (settings.rate, settings.burst, settings.max_wait_s) == (2.0, 4, 60.0)
    assert (settings.batch_chunk, settings.batch_bytes, settings.history_limit) == (16, 1_500_000, 50)
    assert settings.model_card == ""


def test_environment_variables_set_the_page(clean_env):
    values = {"API_URL": "https://api.example/v1", "API_KEY": "aid_site", "RATE": "0", "BURST": "1",
              "BATCH_CHUNK": "32", "MODEL_CARD": "https://example/card.md", "HISTORY_LIMIT": "5"}  # fmt: skip
    for name, value in values.items():
        clean_env.setenv(f"AIDETECTOR_WEB_{name}", value)
    settings = WebSettings()
    assert (settings.api_url, settings.api_key, settings.rate, settings.burst) == (
        "https://api.example/v1", "aid_site", 0.0, 1,
    )  # fmt: skip
    assert (settings.batch_chunk, settings.model_card, settings.history_limit) == (32, "https://example/card.md", 5)


@pytest.mark.parametrize(
    "bad", [{"batch_chunk": 33}, {"batch_chunk": 0}, {"rate": -1}, {"burst": 0}, {"batch_bytes": 999},
            {"max_wait_s": -1}, {"history_limit": 0}],
)  # fmt: skip
def test_values_beyond_the_apis_limits_are_refused(clean_env, bad):
    with pytest.raises(ValidationError, match=next(iter(bad))):
        WebSettings(**bad)
