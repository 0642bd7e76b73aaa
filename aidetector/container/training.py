"""`IMAGE train`: the SageMaker training job around `aidetector.model.train.train`.

Hyperparameters arrive as strings in `hyperparameters.json`, the data under the `train` channel; the model goes to
`/opt/ml/model/`, and any failure's reason to `/opt/ml/output/failure` with a non-zero exit (the contract: never a
silent exit).
"""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path

from aidetector.container.settings import ContainerSettings
from aidetector.model.config import TrainSettings

log = logging.getLogger(__name__)


def read_hyperparameters(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    # SageMaker passes every value as a string (sometimes JSON-quoted twice); pydantic coerces the rest.
    return {str(k): (v.strip('"') if isinstance(v, str) else v) for k, v in data.items()}


def channel_files(folder: Path, channel: str) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json"))
    if not files:
        raise FileNotFoundError(f"no .jsonl files in channel '{channel}' ({folder})")
    return files


def run(settings: ContainerSettings | None = None) -> int:
    """Train from the channel into the model folder; on failure write the failure file and return 1."""
    from aidetector.model.train import train

    settings = settings or ContainerSettings()
    try:
        train_settings = TrainSettings(**read_hyperparameters(settings.hyperparameters_file))  # type: ignore[arg-type]
        files = channel_files(settings.channel_dir(settings.train_channel), settings.train_channel)
        log.info("training on %s with %s", [str(f) for f in files], train_settings.model_dump())
        train(files, settings.model_dir, train_settings, work_dir=settings.checkpoint_dir, progress=True)
        return 0
    except Exception as exc:  # the contract: any failure is written down, never a silent exit
        reason = f"{type(exc).__name__}: {exc}"
        log.error("training failed: %s\n%s", reason, traceback.format_exc())
        settings.failure_file.parent.mkdir(parents=True, exist_ok=True)
        settings.failure_file.write_text(reason[:1024], encoding="utf-8")
        return 1
