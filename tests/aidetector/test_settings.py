"""Where the product finds its model, its plans and its local state: `AIDETECTOR_MODEL_DIR`, `_HOME`, `_PLANS_FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_data_dir

from aidetector.settings import SHIPPED_MODEL_DIR, AppSettings


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("MODEL_DIR", "HOME", "PLANS_FILE"):
        monkeypatch.delenv(f"AIDETECTOR_{name}", raising=False)
    return monkeypatch


def test_defaults_are_the_shipped_model_the_users_data_folder_and_the_packaged_plans(clean_env):
    settings = AppSettings()
    assert settings.model_dir == SHIPPED_MODEL_DIR and settings.plans_file is None
    assert settings.home == Path(user_data_dir("aidetector"))


def test_the_shipped_model_is_package_data_of_aidetector_model():
    import aidetector.model

    assert Path(aidetector.model.__file__).parent / "shipped" == SHIPPED_MODEL_DIR
    assert (SHIPPED_MODEL_DIR / "manifest.json").is_file()


def test_environment_variables_move_everything(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_MODEL_DIR", str(tmp_path / "m"))
    clean_env.setenv("AIDETECTOR_HOME", str(tmp_path / "home"))
    clean_env.setenv("AIDETECTOR_PLANS_FILE", str(tmp_path / "plans.toml"))
    settings = AppSettings()
    assert (settings.model_dir, settings.home, settings.plans_file) == (
        tmp_path / "m", tmp_path / "home", tmp_path / "plans.toml",
    )  # fmt: skip
