"""Batch-scoring settings: `AIDETECTOR_BATCH_*` variables, defaults, validation, the worker count's cap."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from aidetector.bulk.settings import BatchSettings, default_workers

FIELDS = ("WORKERS", "CHUNK_SIZE", "TEXT_FIELD", "REQUEST_ITEMS", "REQUEST_TIMEOUT_S", "MAX_WAIT_S",
          "RETRY_INITIAL_S", "RETRY_MAX_S", "PROGRESS")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch):
    for name in FIELDS:
        monkeypatch.delenv(f"AIDETECTOR_BATCH_{name}", raising=False)
    return monkeypatch


def test_defaults_one_worker_per_core_up_to_eight(clean_env):
    settings = BatchSettings()
    assert settings.workers == default_workers() == max(1, min(os.cpu_count() or 1, 8))
    assert (settings.chunk_size, settings.text_field, settings.request_items) == (64, "text", 16)
    assert (settings.request_timeout_s, settings.max_wait_s) == (120.0, 600.0)
    assert (settings.retry_initial_s, settings.retry_max_s, settings.progress) == (0.5, 10.0, True)


def test_environment_variables_set_every_field(clean_env):
    env = {"WORKERS": "3", "CHUNK_SIZE": "5", "TEXT_FIELD": "body", "REQUEST_ITEMS": "4", "REQUEST_TIMEOUT_S": "9",
           "MAX_WAIT_S": "0", "RETRY_INITIAL_S": "0.1", "RETRY_MAX_S": "2", "PROGRESS": "false"}  # fmt: skip
    for name, value in env.items():
        clean_env.setenv(f"AIDETECTOR_BATCH_{name}", value)
    settings = BatchSettings()
    assert (settings.workers, settings.chunk_size, settings.text_field, settings.request_items) == (3, 5, "body", 4)
    assert (settings.request_timeout_s, settings.max_wait_s, settings.retry_initial_s) == (9.0, 0.0, 0.1)
    assert (settings.retry_max_s, settings.progress) == (2.0, False)


@pytest.mark.parametrize(
    "bad",
    [{"workers": 0}, {"chunk_size": 0}, {"text_field": ""}, {"request_items": 0}, {"request_timeout_s": 0},
     {"max_wait_s": -1}, {"retry_initial_s": 0}, {"retry_max_s": 0}],
)  # fmt: skip
def test_values_that_cannot_work_are_refused(clean_env, bad):
    with pytest.raises(ValidationError, match=next(iter(bad))):
        BatchSettings(**bad)
