"""The AWS pipeline's settings: `AIDETECTOR_PIPELINE_*` variables, and the names derived from bucket and stack."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aidetector.pipeline.settings import PipelineSettings


@pytest.fixture
def clean_env(monkeypatch):
    for name in PipelineSettings.model_fields:
        monkeypatch.delenv(f"AIDETECTOR_PIPELINE_{name.upper()}", raising=False)
    return monkeypatch


def test_defaults_name_the_dev_stack(clean_env):
    settings = PipelineSettings()
    assert (settings.name, settings.stack, settings.region, settings.bucket) == (
        "aidetector-dev-train", "dev", "us-east-1", "aidetector-dev-data",
    )  # fmt: skip
    assert settings.role_arn != settings.endpoint_role_arn  # the endpoint's models run as their own role
    assert (settings.min_auroc, settings.max_fpr, settings.max_training_hours) == (0.80, 0.10, 4)


def test_derived_names_follow_bucket_and_stack(clean_env):
    clean_env.setenv("AIDETECTOR_PIPELINE_BUCKET", "acme-prod-data")
    clean_env.setenv("AIDETECTOR_PIPELINE_STACK", "prod")
    settings = PipelineSettings()
    assert settings.registry_uri == "s3://acme-prod-data/models"
    assert settings.model_version_parameter == "/aidetector/prod/model-version"
    assert settings.variant_parameter == "/aidetector/prod/endpoint-variant"
    assert settings.slack_parameter == "/aidetector/prod/slack-webhook-url"


def test_every_field_has_its_environment_variable(clean_env):
    values = {"name": "p", "train_image_uri": "1.dkr.ecr/t:sha", "epochs": "3", "max_training_hours": "2",
              "min_auroc": "0.9", "max_fpr": "0.05"}  # fmt: skip
    for name, value in values.items():
        clean_env.setenv(f"AIDETECTOR_PIPELINE_{name.upper()}", value)
    settings = PipelineSettings()
    assert (settings.name, settings.train_image_uri, settings.epochs) == ("p", "1.dkr.ecr/t:sha", "3")
    assert (settings.max_training_hours, settings.min_auroc, settings.max_fpr) == (2, 0.9, 0.05)
    clean_env.setenv("AIDETECTOR_PIPELINE_MAX_TRAINING_HOURS", "a while")
    with pytest.raises(ValidationError, match="max_training_hours"):
        PipelineSettings()
