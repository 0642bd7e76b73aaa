"""The container contract's paths: SageMaker's /opt/ml layout, moved by AIDETECTOR_OPT_ML, and its port variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidetector.container.settings import ContainerSettings

VARIABLES = ("AIDETECTOR_OPT_ML", "AIDETECTOR_CONTAINER_OPT_ML", "SAGEMAKER_BIND_TO_PORT", "AIDETECTOR_CONTAINER_PORT",
             "AIDETECTOR_CONTAINER_TRAIN_CHANNEL")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_sagemaker_layout_under_opt_ml(clean_env):
    settings = ContainerSettings()
    assert settings.opt_ml == Path("/opt/ml") and settings.port == 8080 and settings.train_channel == "train"
    assert settings.model_dir == Path("/opt/ml/model")
    assert settings.hyperparameters_file == Path("/opt/ml/input/config/hyperparameters.json")
    assert settings.channel_dir("train") == Path("/opt/ml/input/data/train")
    assert settings.failure_file == Path("/opt/ml/output/failure")
    assert settings.checkpoint_dir == Path("/opt/ml/checkpoints")


def test_sagemaker_chooses_the_port_and_tests_move_the_root(clean_env, tmp_path):
    clean_env.setenv("SAGEMAKER_BIND_TO_PORT", "9090")
    clean_env.setenv("AIDETECTOR_OPT_ML", str(tmp_path))
    clean_env.setenv("AIDETECTOR_CONTAINER_TRAIN_CHANNEL", "training")
    settings = ContainerSettings()
    assert settings.port == 9090 and settings.model_dir == tmp_path / "model"
    assert settings.channel_dir(settings.train_channel) == tmp_path / "input" / "data" / "training"


def test_the_products_own_names_work_too(clean_env, tmp_path):
    clean_env.setenv("AIDETECTOR_CONTAINER_PORT", "9191")
    clean_env.setenv("AIDETECTOR_CONTAINER_OPT_ML", str(tmp_path))
    settings = ContainerSettings()
    assert (settings.port, settings.opt_ml) == (9191, tmp_path)
    assert ContainerSettings(opt_ml=tmp_path / "x").opt_ml == tmp_path / "x"  # and by field name in code


def test_a_port_that_is_not_a_number_is_refused(clean_env):
    clean_env.setenv("SAGEMAKER_BIND_TO_PORT", "eighty")
    with pytest.raises(ValueError, match="SAGEMAKER_BIND_TO_PORT"):
        ContainerSettings()
