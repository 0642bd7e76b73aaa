"""Fixtures of the model's tests: the multilingual toy corpus and the tiny model with its multilingual member, built
once per session (tests/model/test_multilingual.py and test_multilingual_build.py read the same build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aidetector.model.multilingual_build import build_multilingual
from tests.conftest import write_jsonl
from tests.toy_languages import SETTINGS, corpus


@pytest.fixture(scope="session")
def multilingual_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("ml_data") / "toy.jsonl", corpus())


@pytest.fixture(scope="session")
def multilingual_model(tiny_artifact: Path, multilingual_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny artifact with the multilingual member built on the toy corpus (German and Chinese supported)."""
    folder = tmp_path_factory.mktemp("ml_model") / "model"
    shutil.copytree(tiny_artifact, folder)
    build_multilingual(folder, [multilingual_data], SETTINGS)
    return folder
