"""Which model the server answers with: loaded in the background, optionally following a registry's `latest`."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from aidetector.model.detector import Detector
from aidetector.serving.scheduler import BatcherClosed, MicroBatcher
from aidetector.serving.settings import ServerSettings

log = logging.getLogger("aidetector.serving")


class ModelState:
    """Loads the model in the background so /ping can answer 503 (not hang) until it is ready.

    With a registry (`registry_uri`) the server serves its `latest` and, when `watch_s` > 0, checks it every
    `watch_s` seconds: a newly promoted (or rolled-back) version is loaded beside the old one and swapped in;
    requests already queued finish on the old model. A version that fails to load leaves the old one serving.
    """

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.detector: Detector | None = None
        self.batcher: MicroBatcher | None = None
        self.error: str | None = None
        self.stopped = threading.Event()
        self.registry = None
        if settings.registry_uri:
            from aidetector.registry.registry import Registry
            from aidetector.registry.settings import RegistrySettings

            self.registry = Registry.from_settings(RegistrySettings(uri=settings.registry_uri))
        self.thread = threading.Thread(target=self._run, name="model-loader", daemon=True)

    def _model_path(self, version: str | None = None) -> Path:
        if self.registry is None:
            return self.settings.model_dir
        return self.registry.fetch(version, self.settings.cache_dir)

    def _swap_in(self, path: Path) -> None:
        started = time.monotonic()
        detector = Detector.from_path(path)
        detector.detect(["Warm-up text for the model server. " * 8])  # first call pays one-off costs
        old = self.batcher
        self.batcher = MicroBatcher(detector.detect, self.settings.max_batch, self.settings.max_wait_ms)
        self.detector = detector
        log.info("model %s loaded in %.1fs", detector.version, time.monotonic() - started)
        if old is not None:
            old.close()  # what was queued on the old model is answered by it before its worker stops

    async def submit(self, texts: list[str], sentences: bool) -> list[Any]:
        """Score on the current model; a request caught by a model swap moves to the new batcher."""
        while True:
            batcher = self.batcher
            if batcher is None:
                raise RuntimeError("the model is not loaded")
            try:
                return await batcher.submit(texts, sentences)
            except BatcherClosed:
                if self.batcher is batcher:
                    raise

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.batcher is not None:
            self.batcher.close()

    def _run(self) -> None:
        try:
            self._swap_in(self._model_path())
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("model failed to load: %s", self.error)
            return
        if self.registry is None or self.settings.watch_s <= 0:
            return
        refused: str | None = None  # a version that failed to load is not retried every tick
        while not self.stopped.wait(self.settings.watch_s):
            latest = None
            try:
                latest = self.registry.latest()
                if latest and latest != refused and self.detector is not None and latest != self.detector.version:
                    log.info("registry latest is now %s; loading it", latest)
                    self._swap_in(self._model_path(latest))
            except Exception as exc:
                refused = latest
                log.error("could not load the registry's latest %s (still serving the current model): %s", latest, exc)
