"""The API's configuration: defaults that agree with the packaged plans, and `from_env`, the one place that reads
the Lambda's environment (each field from its upper-case name, parsed by the type of its default)."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from aidetector import resources
from aidetector.api.config import ApiConfig
from aidetector.plans import lambda_environment, load_plans


def test_defaults_are_the_packaged_limits():
    """The Lambda falls back to these when a variable is missing: they must be the limits plans.toml documents."""
    limits = tomllib.loads(resources.read_text(resources.PLANS))["limits"]  # the packaged file, whatever the env
    config = ApiConfig()
    assert config.max_body_bytes == limits["max_body_bytes"]
    assert config.max_batch_items == limits["max_batch_items"]
    assert config.max_text_chars == limits["max_text_chars"]
    assert config.read_timeout_s < 29  # API Gateway gives up at 29 s: the Lambda must answer before
    assert config.endpoint_url is None  # on AWS boto3 finds the real sagemaker-runtime itself


def test_from_env_parses_each_field_by_the_type_of_its_default():
    config = ApiConfig.from_env(
        {
            "ENDPOINT_NAME": "detector-prod",
            "READ_TIMEOUT_S": "12.5",
            "MAX_BATCH_ITEMS": "4",
            "ENDPOINT_URL": "http://127.0.0.1:8080",
            "CORS_ORIGIN": "https://example.org",
        }
    )
    assert config.endpoint_name == "detector-prod" and config.cors_origin == "https://example.org"
    assert config.read_timeout_s == 12.5 and isinstance(config.read_timeout_s, float)
    assert config.max_batch_items == 4 and isinstance(config.max_batch_items, int)
    assert config.endpoint_url == "http://127.0.0.1:8080"  # a field whose default is None keeps the string
    assert config.max_text_chars == ApiConfig().max_text_chars  # not in the environment: the default


def test_from_env_ignores_empty_lower_case_and_unknown_variables():
    """Pulumi may set a variable to "" (unset), and the Lambda's environment holds many variables of AWS's own."""
    environ = {"ENDPOINT_NAME": "", "read_timeout_s": "3", "AWS_REGION": "eu-west-1", "MAX_CONNECTIONS": "8"}
    assert ApiConfig.from_env(environ) == ApiConfig(max_connections=8)


def test_the_lambdas_limit_variables_round_trip():
    """What Pulumi puts in the Lambda's environment (`plans.lambda_environment`) is what the handler reads back."""
    plans = load_plans()
    config = ApiConfig.from_env(lambda_environment(plans))
    assert config.max_body_bytes == plans.limits.max_body_bytes
    assert config.max_batch_items == plans.limits.max_batch_items
    assert config.max_text_chars == plans.limits.max_text_chars


def test_a_malformed_number_fails_loudly_at_start():
    with pytest.raises(ValueError):
        ApiConfig.from_env({"MAX_BODY_BYTES": "2MB"})


def test_frozen_and_hashable_because_it_keys_the_client_cache():
    """`endpoint.runtime_client` keeps one client per configuration: equal configurations are one key."""
    assert hash(ApiConfig(endpoint_name="a")) == hash(ApiConfig(endpoint_name="a"))
    assert len({ApiConfig(), ApiConfig(), ApiConfig(read_timeout_s=1.0)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        ApiConfig().endpoint_name = "other"  # type: ignore[misc]
