"""`IMAGE serve`: the model server on SageMaker's port, serving the model SageMaker unpacked into /opt/ml/model."""

from __future__ import annotations

from collections.abc import Sequence

from aidetector.container.settings import ContainerSettings
from aidetector.serving.app import serve
from aidetector.serving.settings import ServerSettings


def run(argv: Sequence[str] = ()) -> int:
    """Start the server; `argv` is what follows `serve` (ignored: SageMaker passes nothing, the contract is env)."""
    container = ContainerSettings()
    chosen: dict[str, object] = {"port": container.port}
    if (container.model_dir / "manifest.json").is_file():
        chosen["model_dir"] = container.model_dir
    serve(ServerSettings(**chosen))  # type: ignore[arg-type]
    return 0
