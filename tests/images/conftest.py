"""Fixtures for the image tests: the three Dockerfiles, their staged roots, and a way to run an image's command."""

from __future__ import annotations

import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.images.dockerfile import REPO, Dockerfile, ImageRoot


def dockerfile(name: str) -> Dockerfile:
    return Dockerfile(REPO / name)


def staged(name: str, tmp_path_factory: pytest.TempPathFactory) -> ImageRoot:
    return ImageRoot(dockerfile(name), tmp_path_factory.mktemp(name.replace(".", "_"))).stage()


def package_model(model_dir: Path, tarball: Path) -> Path:
    """`tar -czf model.tar.gz -C model_dir .`: the registry's and SageMaker's model archive."""
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(model_dir, arcname=".")
    return tarball


def extract_model(tarball: Path, image: ImageRoot) -> Path:
    """What SageMaker does before `serve`: the archive unpacked into /opt/ml/model."""
    target = image.path("/opt/ml/model")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="data")
    return target


def imported_from(image: ImageRoot, *modules: str) -> list[Path]:
    """Where the image's entrypoint script imports `modules` from (proves the staged install is what runs).

    `-P`: like a script run, the working directory is not on sys.path (`python -c` would put it first)."""
    code = "import importlib,sys\nfor m in sys.argv[1:]: print(importlib.import_module(m).__file__)"
    out = subprocess.run(
        [image.argv(["python"])[0], "-P", "-c", code, *modules],
        env=image.environment(),
        cwd=image.path(image.dockerfile.workdir),
        capture_output=True,
        text=True,
        check=True,
    )
    return [Path(line) for line in out.stdout.split()]


@contextmanager
def running(image: ImageRoot, command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run the image's command in its working directory; stop it with SIGTERM (as `docker stop`) afterwards."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            image.argv(command),
            cwd=image.path(image.dockerfile.workdir),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def healthcheck(image: ImageRoot, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = image.dockerfile.healthcheck
    assert command, f"{image.dockerfile.path.name} has no HEALTHCHECK"
    return subprocess.run(image.argv(command), env=env, capture_output=True, text=True, timeout=10)


def log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


@pytest.fixture(scope="session")
def shipped_model_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model packaged the way docs/DEPLOY.md seeds the registry."""
    return package_model(REPO / "model" / "shipped", tmp_path_factory.mktemp("registry") / "model.tar.gz")
