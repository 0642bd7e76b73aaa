"""Registry settings: `AIDETECTOR_REGISTRY_*` variables, the default folder under AIDETECTOR_HOME, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aidetector.registry.settings import RegistrySettings


def test_defaults_put_the_registry_under_the_home_folder(monkeypatch, tmp_path):
    for name in ("URI", "AUROC_TOLERANCE", "FPR_TOLERANCE", "MIN_AUROC", "MAX_FPR", "REGION"):
        monkeypatch.delenv(f"AIDETECTOR_REGISTRY_{name}", raising=False)
    monkeypatch.setenv("AIDETECTOR_HOME", str(tmp_path))
    settings = RegistrySettings()
    assert settings.uri == str(tmp_path / "models")
    assert (settings.auroc_tolerance, settings.fpr_tolerance) == (0.005, 0.005)
    assert (settings.min_auroc, settings.max_fpr, settings.region) == (0.80, 0.10, None)


def test_environment_variables_set_every_field(monkeypatch):
    env = {"URI": "s3://bucket/models", "AUROC_TOLERANCE": "0.01", "FPR_TOLERANCE": "0.02", "MIN_AUROC": "0.5",
           "MAX_FPR": "1", "REGION": "eu-west-1"}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(f"AIDETECTOR_REGISTRY_{name}", value)
    settings = RegistrySettings()
    assert settings.uri == "s3://bucket/models" and settings.region == "eu-west-1"
    assert (settings.auroc_tolerance, settings.fpr_tolerance, settings.min_auroc, settings.max_fpr) == (
        0.01, 0.02, 0.5, 1.0,
    )  # fmt: skip


@pytest.mark.parametrize("field", ["auroc_tolerance", "fpr_tolerance", "min_auroc", "max_fpr"])
@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_shares_outside_0_to_1_are_refused(field, value):
    with pytest.raises(ValidationError, match=field):
        RegistrySettings(uri="unused", **{field: value})
