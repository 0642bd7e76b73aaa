"""Registry fixtures: versions made from the tiny trained artifact, on a local folder and on S3 (moto)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest

from aidetector.model.artifact import update_manifest, write_json
from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.registry.stores import LocalStore, S3Store

BUCKET = "aidetector-test-data"


@pytest.fixture
def make_version(tiny_artifact: Path, tmp_path: Path) -> Callable[..., Path]:
    """A copy of the tiny artifact under a new version, with evaluation figures as an evaluate step writes them."""

    made = iter(range(1_000_000))

    def make(version: str, auroc: float | None = 0.9, fpr: float = 0.02, data_sha256: str = "d1") -> Path:
        folder = tmp_path / "artifacts" / f"{version}-{next(made)}"
        shutil.copytree(tiny_artifact, folder)
        update_manifest(folder, {"version": version})
        metrics = {"valid": {"auroc": 0.9}}
        if auroc is not None:
            metrics["evaluation"] = {
                "data_sha256": data_sha256, "n": 400, "auroc": auroc, "fpr_at_threshold": fpr,
                "tpr_at_threshold": 0.8,
            }  # fmt: skip
        write_json(folder / "metrics.json", metrics)
        return folder

    return make


@pytest.fixture
def s3_env(aws: None) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)


@pytest.fixture(params=["local", "s3"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Registry:
    """The same tests run on both stores: the promises are the interface's, not one store's."""
    settings = RegistrySettings(uri="unused", auroc_tolerance=0.005, fpr_tolerance=0.005, min_auroc=0.6, max_fpr=0.2)
    if request.param == "local":
        return Registry(LocalStore(tmp_path / "registry"), settings)
    request.getfixturevalue("s3_env")
    return Registry(S3Store(f"s3://{BUCKET}/models", client=boto3.client("s3")), settings)
