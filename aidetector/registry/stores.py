"""Where versions live: a local folder or an S3 prefix, behind one small interface.

Both stores keep the same promises, each with its own means:
- a version appears whole or not at all (local: rename of a finished folder; S3: `manifest.json` written last),
- the `latest` pointer changes by compare-and-swap (local: file lock + compare; S3: conditional PUT on the ETag),
  so two promotions started from the same `latest` cannot both win,
- what is fetched is checked against its checksums before anyone loads it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from aidetector.model.artifact import MANIFEST, METRICS, ArtifactError, read_manifest, verify_artifact
from aidetector.model.data import file_sha256
from aidetector.registry.archive import pack, unpack

ARCHIVE = "model.tar.gz"
LATEST = "latest"


class RegistryError(RuntimeError):
    """A registry operation that cannot be done (unknown version, nothing to roll back to, ...)."""


class PromotionConflict(RegistryError):
    """`latest` changed between reading it and writing it: another promotion won."""


@dataclass
class Pointer:
    """What `latest` names, and the versions it named before (for rollback), newest last."""

    version: str
    history: list[str] = field(default_factory=list)
    action: str = "promote"
    updated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pointer:
        return cls(
            version=str(data["version"]),
            history=[str(v) for v in data.get("history", [])],
            action=str(data.get("action", "promote")),
            updated_at=str(data.get("updated_at", "")),
        )


@dataclass(frozen=True)
class VersionMeta:
    version: str
    manifest: dict[str, Any]
    metrics: dict[str, Any]


class Store(Protocol):
    uri: str

    def versions(self) -> list[str]: ...
    def read_meta(self, version: str) -> VersionMeta: ...
    def put_version(self, version: str, artifact_dir: Path) -> None: ...
    def open_version(self, version: str, cache_dir: Path) -> Path: ...
    def read_pointer(self) -> tuple[Pointer | None, Any]: ...
    def write_pointer(self, pointer: Pointer, token: Any) -> None: ...
    def publish_latest(self, version: str) -> None: ...
    def lock(self) -> contextlib.AbstractContextManager[None]: ...


def _is_version_name(name: str) -> bool:
    return bool(name) and not name.startswith(".") and name != LATEST


class LocalStore:
    """`<root>/<version>/` artifact folders, `<root>/latest.json` (the pointer) and a `latest` symlink beside it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.uri = str(self.root)

    @property
    def pointer_file(self) -> Path:
        return self.root / f"{LATEST}.json"

    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.is_symlink() and _is_version_name(p.name)
        )

    def read_meta(self, version: str) -> VersionMeta:
        folder = self._folder(version)
        metrics_file = folder / METRICS
        metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
        return VersionMeta(version, read_manifest(folder), metrics)

    def put_version(self, version: str, artifact_dir: Path) -> None:
        """Copy into a hidden temp folder, verify, then rename: a crash leaves no half version under its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / version
        if final.exists():
            raise RegistryError(f"version {version} already exists in {self.uri}")
        tmp = Path(tempfile.mkdtemp(prefix=f".partial-{version}-", dir=self.root))
        try:
            shutil.copytree(artifact_dir, tmp, dirs_exist_ok=True)
            verify_artifact(tmp)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def open_version(self, version: str, cache_dir: Path) -> Path:
        folder = self._folder(version)
        verify_artifact(folder)
        return folder

    def read_pointer(self) -> tuple[Pointer | None, Any]:
        try:
            raw = self.pointer_file.read_bytes()
        except FileNotFoundError:
            return None, None
        return Pointer.from_dict(json.loads(raw)), raw

    def write_pointer(self, pointer: Pointer, token: Any) -> None:
        """Compare-and-swap; call under `lock()`. The pointer file is replaced atomically (rename)."""
        current = self.pointer_file.read_bytes() if self.pointer_file.exists() else None
        if current != token:
            raise PromotionConflict("latest changed while this promotion ran: another promotion won")
        tmp = self.root / f".{LATEST}.json.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(asdict(pointer), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.pointer_file)

    def publish_latest(self, version: str) -> None:
        """Point the `latest` symlink at the version (a convenience for readers outside the registry)."""
        tmp = self.root / f".{LATEST}.{uuid.uuid4().hex}.link"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(version, target_is_directory=True)
        os.replace(tmp, self.root / LATEST)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive lock across processes (flock), so compare-and-swap is one step."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _folder(self, version: str) -> Path:
        folder = self.root / version
        if not _is_version_name(version) or not folder.is_dir():
            raise RegistryError(f"no version {version!r} in {self.uri}")
        return folder


class S3Store:
    """`<prefix>/<version>/{model.tar.gz,metrics.json,manifest.json}`, `<prefix>/latest/{model.tar.gz,manifest.json}`.

    `latest/manifest.json` is the pointer: the version's manifest plus a `registry` block; it is written with a
    conditional PUT (If-Match on its ETag, If-None-Match for the first one), so S3 itself refuses a lost race.
    """

    def __init__(self, uri: str, region: str | None = None, client: Any = None):
        import boto3

        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not bucket:
            raise RegistryError(f"not an S3 URI: {uri!r}")
        self.bucket, self.prefix, self.uri = bucket, prefix.strip("/"), uri.rstrip("/")
        self.s3 = client or boto3.client("s3", region_name=region)

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def versions(self) -> list[str]:
        found: list[str] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        base = self._key() + "/" if self.prefix else ""
        for page in paginator.paginate(Bucket=self.bucket, Prefix=base):
            for obj in page.get("Contents", []):
                rest = obj["Key"][len(base) :]
                version, _, name = rest.partition("/")
                if name == MANIFEST and _is_version_name(version):  # manifest written last = version complete
                    found.append(version)
        return sorted(found)

    def _get_json(self, key: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        return data

    def read_meta(self, version: str) -> VersionMeta:
        from botocore.exceptions import ClientError

        try:
            manifest = self._get_json(self._key(version, MANIFEST))
        except ClientError as exc:
            raise RegistryError(f"no version {version!r} in {self.uri}") from exc
        try:
            metrics = self._get_json(self._key(version, METRICS))
        except ClientError:
            metrics = {}
        return VersionMeta(version, manifest, metrics)

    def put_version(self, version: str, artifact_dir: Path) -> None:
        """Upload archive and metrics first, the manifest (with the archive's sha256) last."""
        if version in self.versions():
            raise RegistryError(f"version {version} already exists in {self.uri}")
        verify_artifact(artifact_dir)
        manifest = read_manifest(artifact_dir)
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / ARCHIVE
            manifest["archive_sha256"] = pack(artifact_dir, archive)
            self.s3.upload_file(str(archive), self.bucket, self._key(version, ARCHIVE))
        metrics_file = Path(artifact_dir) / METRICS
        if metrics_file.is_file():
            self.s3.put_object(Bucket=self.bucket, Key=self._key(version, METRICS), Body=metrics_file.read_bytes())
        self.s3.put_object(
            Bucket=self.bucket, Key=self._key(version, MANIFEST), Body=json.dumps(manifest, indent=2).encode()
        )

    def open_version(self, version: str, cache_dir: Path) -> Path:
        """Download, check the archive's sha256, extract, check every file: a tampered model is never loaded."""
        meta = self.read_meta(version)
        dest = Path(cache_dir) / version
        if (dest / MANIFEST).is_file():
            verify_artifact(dest)
            return dest
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            archive = Path(tmp) / ARCHIVE
            self.s3.download_file(self.bucket, self._key(version, ARCHIVE), str(archive))
            expected = meta.manifest.get("archive_sha256")
            if not expected or file_sha256(archive) != expected:
                raise ArtifactError(f"{self.uri}/{version}/{ARCHIVE}: checksum mismatch (corrupt or modified)")
            staged = unpack(archive, Path(tmp) / "model")
            verify_artifact(staged)
            os.replace(staged, dest)
        return dest

    def read_pointer(self) -> tuple[Pointer | None, Any]:
        from botocore.exceptions import ClientError

        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=self._key(LATEST, MANIFEST))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None, None
            raise
        data = json.loads(obj["Body"].read())
        return Pointer.from_dict(data["registry"]), obj["ETag"]

    def write_pointer(self, pointer: Pointer, token: Any) -> None:
        from botocore.exceptions import ClientError

        body = {**self.read_meta(pointer.version).manifest, "registry": asdict(pointer)}
        condition = {"IfMatch": token} if token else {"IfNoneMatch": "*"}
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=self._key(LATEST, MANIFEST),
                Body=json.dumps(body, indent=2).encode(),
                **condition,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise PromotionConflict("latest changed while this promotion ran: another promotion won") from exc
            raise

    def publish_latest(self, version: str) -> None:
        """Copy the archive to `latest/model.tar.gz` (one object: readers get the old or the new, never half).

        Copies can finish out of order when promotions follow each other closely, so re-read the pointer after
        copying and copy again until the archive matches what the pointer names.
        """
        for _ in range(5):
            self.s3.copy_object(
                Bucket=self.bucket,
                Key=self._key(LATEST, ARCHIVE),
                CopySource={"Bucket": self.bucket, "Key": self._key(version, ARCHIVE)},
            )
            pointer, _ = self.read_pointer()
            if pointer is None or pointer.version == version:
                return
            version = pointer.version

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # S3's conditional writes do the compare-and-swap


def open_store(uri: str, region: str | None = None) -> Store:
    """A path → LocalStore; `s3://bucket/prefix` → S3Store."""
    if uri.startswith("s3://"):
        return S3Store(uri, region=region)
    return LocalStore(Path(uri).expanduser())
