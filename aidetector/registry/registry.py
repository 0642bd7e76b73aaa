"""The registry's operations: add a version, list, promote (gated, compare-and-swap), roll back, fetch.

Promotion reads `latest`, runs the gate against it, then swaps the pointer only if `latest` is still what was read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from aidetector.model.artifact import read_manifest
from aidetector.registry.gate import Evaluation, GateDecision, decide
from aidetector.registry.settings import RegistrySettings
from aidetector.registry.stores import Pointer, RegistryError, Store, VersionMeta, open_store

log = logging.getLogger("aidetector.registry")


@dataclass(frozen=True)
class VersionInfo:
    version: str
    is_latest: bool
    base_model: str
    evaluation: Evaluation | None


@dataclass(frozen=True)
class PromotionResult:
    version: str
    previous: str | None
    decision: GateDecision
    promoted: bool


class Registry:
    def __init__(self, store: Store, settings: RegistrySettings | None = None):
        self.store = store
        self.settings = settings or RegistrySettings()

    @classmethod
    def from_settings(cls, settings: RegistrySettings | None = None) -> Registry:
        settings = settings or RegistrySettings()
        return cls(open_store(settings.uri, settings.region), settings)

    @property
    def uri(self) -> str:
        return self.store.uri

    def add(self, artifact_dir: Path) -> str:
        """Register a finished artifact under its manifest's version; returns the version."""
        version = str(read_manifest(artifact_dir)["version"])
        self.store.put_version(version, Path(artifact_dir))
        log.info("registered %s in %s", version, self.uri)
        return version

    def versions(self) -> list[VersionInfo]:
        latest = self.latest()
        infos = []
        for version in self.store.versions():
            meta = self.store.read_meta(version)
            infos.append(
                VersionInfo(
                    version=version,
                    is_latest=version == latest,
                    base_model=str(meta.manifest.get("base_model", "")),
                    evaluation=Evaluation.from_metrics(meta.metrics),
                )
            )
        return infos

    def meta(self, version: str) -> VersionMeta:
        return self.store.read_meta(version)

    def latest(self) -> str | None:
        pointer, _ = self.store.read_pointer()
        return pointer.version if pointer else None

    def promote(
        self, version: str, *, force: bool = False, current_evaluation: Evaluation | None = None
    ) -> PromotionResult:
        """Make `version` the latest if the gate accepts it (or `force`); refusals and lost races change nothing.

        `current_evaluation` lets the caller pass a fresh evaluation of `latest` on the candidate's data (the
        pipeline scores both); otherwise latest's stored evaluation is used.
        """
        candidate = Evaluation.from_metrics(self.store.read_meta(version).metrics)
        with self.store.lock():
            pointer, token = self.store.read_pointer()
            previous = pointer.version if pointer else None
            if previous == version:
                return PromotionResult(version, previous, GateDecision(False, [f"{version} is already latest"]), False)
            current = current_evaluation
            if current is None and previous is not None:
                current = Evaluation.from_metrics(self.store.read_meta(previous).metrics)
            decision = decide(candidate, current, self.settings)
            if force and not decision.accepted:
                decision = GateDecision(True, ["forced past the gate: " + decision.message])
            if not decision.accepted:
                log.warning("promotion of %s refused: %s", version, decision.message)
                return PromotionResult(version, previous, decision, False)
            history = ([*pointer.history, pointer.version] if pointer else [])[-50:]
            self.store.write_pointer(Pointer(version=version, history=history, action="promote"), token)
            self.store.publish_latest(version)
        log.info("promoted %s (was %s): %s", version, previous, decision.message)
        return PromotionResult(version, previous, decision, True)

    def rollback(self) -> tuple[str, str]:
        """Point `latest` back at the version it named before the current one; returns (from, to)."""
        with self.store.lock():
            pointer, token = self.store.read_pointer()
            if pointer is None or not pointer.history:
                raise RegistryError("nothing to roll back to: latest has no earlier version")
            target = pointer.history[-1]
            self.store.write_pointer(Pointer(version=target, history=pointer.history[:-1], action="rollback"), token)
            self.store.publish_latest(target)
        log.info("rolled back %s -> %s", pointer.version, target)
        return pointer.version, target

    def fetch(self, version: str | None, cache_dir: Path) -> Path:
        """A verified local folder of `version` (default: latest), ready for `Detector.from_path`."""
        version = version or self.latest()
        if version is None:
            raise RegistryError(f"{self.uri} has no latest version yet")
        return self.store.open_version(version, cache_dir)
