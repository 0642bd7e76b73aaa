"""The model artifact: one folder with HF weights + tokenizer, `manifest.json`, `metrics.json` and `MODEL_CARD.md`.

The manifest carries a sha256 of every file; `load_artifact` verifies them, so a corrupt or tampered artifact is
refused with a clear error instead of being served. Saving goes to a temporary sibling folder that is renamed
into place at the end: a crash half-way never leaves a half-written model under the final name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .data import file_sha256

MANIFEST = "manifest.json"
METRICS = "metrics.json"
CARD = "MODEL_CARD.md"
FORMAT_VERSION = 1


class ArtifactError(RuntimeError):
    """An artifact folder that is missing, incomplete, or fails its checksums."""


@dataclass
class LoadedArtifact:
    path: Path
    manifest: dict[str, Any]
    model: Any
    tokenizer: Any

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


VERSION_FORMAT = "%Y%m%dT%H%M%SZ"


def utc_version() -> str:
    """Version string = UTC timestamp, sortable and unique enough for one training job at a time."""
    return datetime.now(UTC).strftime(VERSION_FORMAT)


def new_version(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Manifest fields for a model folder that now answers differently (new members, blend or languages): its own
    version, since the registry publishes by version, with the transformer's version kept on record."""
    version, current = utc_version(), manifest["version"]
    if version <= current:  # built within the second of the model it changes (a toy model in a test): one later
        version = (datetime.strptime(current, VERSION_FORMAT) + timedelta(seconds=1)).strftime(VERSION_FORMAT)
    return {"version": version, "transformer_version": manifest.get("transformer_version", current)}


def git_commit(repo_dir: Path | None = None, known: str = "") -> str:
    """The commit the code was built from: `known` when the caller knows it (an image built without .git; the
    training setting `source_commit`), else what git says of this checkout, else "unknown"."""
    if known:
        return known
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=repo_dir or Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _is_report(name: str) -> bool:
    """Files that describe the model (card, metrics, evaluation reports, plots) and may be rewritten later."""
    return (
        name in (MANIFEST, CARD, METRICS)
        or name.endswith(".png")
        or (name.startswith("eval_") and name.endswith(".json"))
    )


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not _is_report(p.name)
    }


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def save_artifact(
    output_dir: Path,
    model: Any,
    tokenizer: Any,
    manifest: dict[str, Any],
    metrics: dict[str, Any],
    card_writer: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None,
) -> Path:
    """Write the artifact atomically: build it in a temp folder beside `output_dir`, then swap it in."""
    output_dir = Path(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.partial-", dir=output_dir.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        full = {"format_version": FORMAT_VERSION, **manifest, "files": _checksums(tmp)}
        write_json(tmp / MANIFEST, full)
        write_json(tmp / METRICS, metrics)
        if card_writer is not None:
            card_writer(tmp, full, metrics)
        _swap_into_place(tmp, output_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output_dir


def _swap_into_place(tmp: Path, output_dir: Path) -> None:
    """Replace `output_dir` with `tmp`. An existing folder is moved aside first and removed after."""
    if output_dir.exists() and any(output_dir.iterdir()):
        old = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
        os.replace(output_dir, old)
        os.replace(tmp, output_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if output_dir.exists():
            output_dir.rmdir()
        os.replace(tmp, output_dir)


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{path}: not a model artifact (no {MANIFEST})")
    try:
        data: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{manifest_path}: unreadable manifest ({exc})") from exc
    return data


def update_manifest(path: Path, changes: dict[str, Any]) -> dict[str, Any]:
    """Change manifest fields (e.g. a re-calibrated threshold) without touching the checksummed files."""
    manifest = read_manifest(path)
    manifest.update(changes)
    tmp = Path(path) / f".{MANIFEST}.tmp"
    write_json(tmp, manifest)
    os.replace(tmp, Path(path) / MANIFEST)
    return manifest


def refresh_checksums(path: Path) -> dict[str, Any]:
    """Record the sha256 of files added to an artifact after training (e.g. the n-gram member)."""
    return update_manifest(path, {"files": _checksums(Path(path))})


def verify_artifact(path: Path) -> dict[str, Any]:
    """Check every file against the manifest's sha256; raise `ArtifactError` naming what is wrong."""
    manifest = read_manifest(path)
    expected: dict[str, str] = manifest.get("files", {})
    if not expected:
        raise ArtifactError(f"{path}: manifest lists no files")
    for name, digest in expected.items():
        file = Path(path) / name
        if not file.is_file():
            raise ArtifactError(f"{path}: missing file {name}")
        if file_sha256(file) != digest:
            raise ArtifactError(f"{path}: checksum mismatch for {name} (corrupt or modified)")
    return manifest


def load_artifact(path: Path, num_threads: int = 0) -> LoadedArtifact:
    """Verify, then load weights and tokenizer for CPU inference (float32 compute even if stored as fp16)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = Path(path)
    manifest = verify_artifact(path)
    if num_threads > 0:
        torch.set_num_threads(num_threads)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, dtype=torch.float32)
    model.eval()
    return LoadedArtifact(path=path, manifest=manifest, model=model, tokenizer=tokenizer)
