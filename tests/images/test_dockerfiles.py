"""Facts shared by the three images: hadolint-clean, one pinned slim Python base, CPU torch where torch is needed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.images.conftest import dockerfile
from tests.images.dockerfile import REPO

NAMES = ("Dockerfile.train", "Dockerfile.serve", "Dockerfile.web")
BASE = re.compile(r"^python:(?P<version>3\.\d+\.\d+)-slim-[a-z]+(@sha256:[0-9a-f]{64})?$")


def tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else (shutil.which(name) or pytest.fail(f"{name} is not installed"))


def test_hadolint_passes():
    result = subprocess.run([tool("hadolint"), *NAMES], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_pinned_slim_python_base_that_the_project_supports():
    bases = {dockerfile(name).base for name in NAMES}
    assert len(bases) == 1, f"one base keeps layers shared and upgrades in one place: {bases}"
    match = BASE.match(bases.pop())
    assert match, "pin a full Python patch version on a -slim Debian tag"
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert match.group("version") in SpecifierSet(requires)


CPU_TORCH = "https://download.pytorch.org/whl/cpu"
PYPI = "https://pypi.org/simple"  # its Linux torch wheel is the CUDA build


def torch_index(name: str) -> str:
    image = dockerfile(name)
    # The pip call that installs the lock holding torch must see the torch index.
    installs = [part for run in image.all("RUN") for part in run.split("&&") if "pip install" in part]
    with_torch = [part for part in installs if any(pin.startswith("torch==") for pin in image.pip_installs_of(part)[0])]
    assert with_torch and all('--extra-index-url "${TORCH_INDEX_URL}"' in part for part in with_torch)
    (arg,) = [a for a in image.all("ARG") if a.startswith("TORCH_INDEX_URL=")]
    return arg.partition("=")[2]


def test_the_serving_image_gets_cpu_torch():
    """Endpoints run on CPU instances: the CUDA build of torch would add gigabytes nobody uses."""
    assert torch_index("Dockerfile.serve") == CPU_TORCH


def test_the_training_image_gets_the_torch_build_the_pipeline_instance_can_use():
    from aidetector.pipeline.settings import PipelineSettings

    instance = str(PipelineSettings.model_fields["train_instance_type"].default)  # e.g. ml.g5.xlarge
    gpu = instance.split(".")[1][0] in ("g", "p")
    assert torch_index("Dockerfile.train") == (PYPI if gpu else CPU_TORCH), instance
