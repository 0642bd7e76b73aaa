"""Which model the server answers with: loaded in the background, optionally following a registry's `latest`."""

from __future__ import annotations

import logging
import math
import threading
import time
from pathlib import Path
from typing import Any

from aidetector.model.detector import Detector
from aidetector.model.spelling import load_word_list
from aidetector.serving.cost import work_tokens
from aidetector.serving.scheduler import BatcherClosed, MicroBatcher
from aidetector.serving.settings import ServerSettings

log = logging.getLogger("aidetector.serving")


class ModelState:
    """Loads the model in the background so /ping can answer 503 (not hang) until it is ready.

    With a registry (`registry_uri`) the server serves its `latest` and, when `watch_s` > 0, checks it every
    `watch_s` seconds: a newly promoted (or rolled-back) version is loaded beside the old one and swapped in;
    requests already queued finish on the old model. A version that fails to load (or to verify) leaves the old one
    serving; at start-up, when `latest` fails, the newest version that loads is served instead, and the watch goes
    on, so a promotion or a rollback heals the server. `report()` says which version is served and why.
    """

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.detector: Detector | None = None
        self.batcher: MicroBatcher | None = None
        self.error: str | None = None
        self.serving: str | None = None  # "model_dir", "latest" or "fallback"
        self.reason: str | None = None  # why a fallback is served
        self.registry_latest: str | None = None
        self.refused: dict[str, str] = {}  # version -> why it was not loaded
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
        load_word_list()  # the typo mender's, read here rather than in the first request with an unknown word
        sample = ["Warm-up text for the model server, long enough to be read as a paragraph. " * 6] * 4
        detector.detect(sample[:1])  # the first call pays one-off costs
        timed = time.monotonic()
        detector.detect(sample)  # the second tells the scheduler how fast this model works on this machine
        rate = sum(work_tokens(detector, sample, False, math.inf)) / max(time.monotonic() - timed, 1e-3)
        old = self.batcher
        settings = self.settings
        self.batcher = MicroBatcher(
            detector.detect,
            settings.max_batch,
            settings.max_wait_ms,
            max_batch_cost=settings.max_batch_work,
            max_queue_s=settings.max_queue_s,
            initial_rate=rate,
        )
        self.detector = detector
        log.info("model %s loaded in %.1fs", detector.version, time.monotonic() - started)
        if old is not None:
            old.close()  # what was queued on the old model is answered by it before its worker stops

    async def submit(self, texts: list[str], sentences: bool, **options: Any) -> list[Any]:
        """Score on the current model; a request caught by a model swap moves to the new batcher."""
        while True:
            batcher = self.batcher
            if batcher is None:
                raise RuntimeError("the model is not loaded")
            try:
                return await batcher.submit(texts, sentences, **options)
            except BatcherClosed:
                if self.batcher is batcher:
                    raise

    def report(self) -> dict[str, Any]:
        """What /ping adds: which version is served and why, what was refused, and the scheduler's queue."""
        out: dict[str, Any] = {"serving": self.serving}
        if self.registry is not None:
            out["registry_latest"] = self.registry_latest
        if self.reason:
            out["reason"] = self.reason
        if self.refused:
            out["refused"] = dict(self.refused)
        if self.batcher is not None:
            out["scheduler"] = self.batcher.queue_state()
        return out

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.batcher is not None:
            self.batcher.close()

    def _try(self, version: str) -> bool:
        try:
            self._swap_in(self._model_path(version))
        except Exception as exc:
            self.refused[version] = f"{type(exc).__name__}: {exc}"
            log.error("model %s failed to load: %s", version, self.refused[version])
            return False
        self.refused.pop(version, None)
        return True

    def _load_registry(self, latest: str | None) -> None:
        """Serve `latest`; if it fails, the newest other version that loads (a corrupt promotion must not leave
        the server without a model)."""
        assert self.registry is not None
        self.registry_latest = latest
        if latest is not None and self._try(latest):
            self.serving, self.reason, self.error = "latest", None, None
            return
        for version in sorted((i.version for i in self.registry.versions()), reverse=True):
            if version == latest or version in self.refused:
                continue
            if self._try(version):
                self.serving, self.error = "fallback", None
                self.reason = (
                    f"latest {latest} failed to load ({self.refused.get(str(latest), 'no latest')}); "
                    f"serving {version}, the newest version that loads"
                )
                log.warning("serving %s: %s", version, self.reason)
                return
        self.error = f"no version of {self.registry.uri} loads (latest {latest}: {self.refused.get(str(latest))})"

    def _run(self) -> None:
        if self.registry is None:
            try:
                self._swap_in(self._model_path())
                self.serving = "model_dir"
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.error("model failed to load: %s", self.error)
            return
        try:
            self._load_registry(self.registry.latest())
        except Exception as exc:  # the registry itself cannot be read (yet): the watch below retries
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("registry %s cannot be read: %s", self.registry.uri, self.error)
        if self.settings.watch_s <= 0:
            return
        while not self.stopped.wait(self.settings.watch_s):
            try:
                latest = self.registry.latest()
                served = self.detector.version if self.detector is not None else None
                if latest == self.registry_latest and (served is not None or latest in self.refused):
                    continue  # nothing new (a refused version is not retried every tick)
                if latest is None or latest == served:
                    self.registry_latest = latest
                    if latest == served:
                        self.serving, self.reason = "latest", None
                    continue
                log.info("registry latest is now %s; loading it", latest)
                self.registry_latest = latest
                if self._try(latest):
                    self.serving, self.reason, self.error = "latest", None, None
                elif self.detector is None:
                    self._load_registry(latest)
                else:
                    self.reason = f"latest {latest} failed to load ({self.refused[latest]}); still serving {served}"
                    self.serving = "fallback"
            except Exception as exc:
                log.error("could not follow the registry (still serving the current model): %s", exc)
