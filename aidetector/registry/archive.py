"""model.tar.gz in and out: the format SageMaker expects for model data, with a sha256 to check on the way back."""

from __future__ import annotations

import tarfile
from pathlib import Path

from aidetector.model.data import file_sha256


def pack(folder: Path, archive: Path) -> str:
    """Tar the artifact's files at the archive root (SageMaker extracts it into /opt/ml/model); return its sha256."""
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                tar.add(path, arcname=str(path.relative_to(folder)))
    return file_sha256(archive)


def unpack(archive: Path, dest: Path) -> Path:
    """Extract with tarfile's `data` filter: no absolute paths, links out of `dest`, or device files."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(dest, filter="data")
    return dest
