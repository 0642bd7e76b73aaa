"""The SageMaker training-container contract around `model.train.train`.

SageMaker runs `IMAGE train`; hyperparameters arrive as strings in `/opt/ml/input/config/hyperparameters.json`,
the data under `/opt/ml/input/data/<channel>/`, the model goes to `/opt/ml/model/`, and a failure reason to
`/opt/ml/output/failure`. The root is `$AIDETECTOR_OPT_ML` (default `/opt/ml`) so tests run it in a temp dir.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from pathlib import Path

from model.config import TrainSettings

log = logging.getLogger(__name__)


def opt_ml_root() -> Path:
    return Path(os.environ.get("AIDETECTOR_OPT_ML", "/opt/ml"))


def read_hyperparameters(root: Path) -> dict[str, str]:
    path = root / "input" / "config" / "hyperparameters.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    # SageMaker passes every value as a string (sometimes JSON-quoted twice); pydantic coerces the rest.
    return {str(k): (v.strip('"') if isinstance(v, str) else v) for k, v in data.items()}


def channel_files(root: Path, channel: str = "train") -> list[Path]:
    folder = root / "input" / "data" / channel
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json"))
    if not files:
        raise FileNotFoundError(f"no .jsonl files in channel '{channel}' ({folder})")
    return files


def run(root: Path | None = None) -> int:
    """Train from the channel into `<root>/model`; on failure write `<root>/output/failure` and return 1."""
    from model.train import train

    root = root or opt_ml_root()
    try:
        settings = TrainSettings(**read_hyperparameters(root))  # type: ignore[arg-type]
        files = channel_files(root)
        log.info("training on %s with %s", [str(f) for f in files], settings.model_dump())
        train(files, root / "model", settings, work_dir=root / "checkpoints", progress=True)
        return 0
    except Exception as exc:  # the contract: any failure is written down, never a silent exit
        reason = f"{type(exc).__name__}: {exc}"
        log.error("training failed: %s\n%s", reason, traceback.format_exc())
        failure = root / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(reason[:1024], encoding="utf-8")
        return 1
