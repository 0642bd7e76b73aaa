"""Which model the server answers with, on the tiny real model: loaded in the background (so /ping can say
"loading"), a load failure reported rather than hanging, a registry's `latest` served, a corrupt `latest` replaced by
the newest version that loads, and the registry followed while the server runs."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

from aidetector.model import spelling
from aidetector.model.artifact import read_manifest, update_manifest
from aidetector.model.detector import Detection
from aidetector.registry.registry import Registry
from aidetector.registry.stores import LocalStore
from aidetector.serving.model_state import ModelState
from aidetector.serving.scheduler import BatcherClosed
from aidetector.serving.settings import ServerSettings
from tests.conftest import AI_WORDS, HUMAN_WORDS

TEXTS = [" ".join(HUMAN_WORDS), " ".join(AI_WORDS)]
OLD, MIDDLE, NEW = "20260101T000000Z", "20260201T000000Z", "20260301T000000Z"


def loaded(settings: ServerSettings) -> ModelState:
    state = ModelState(settings)
    state.start()
    if settings.watch_s <= 0:
        state.thread.join(120)  # without a watch the loader ends once the model is in (or has failed)
    return state


def wait_for(predicate, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def registry(tiny_artifact, tmp_path_factory):
    """A local registry of three versions of the tiny model, the newest promoted last."""
    folder = tmp_path_factory.mktemp("registry")
    registry = Registry(LocalStore(folder / "models"))
    for version in (OLD, MIDDLE, NEW):
        build = folder / "build" / version
        shutil.copytree(tiny_artifact, build)
        update_manifest(build, {"version": version})
        registry.add(build)
    registry.promote(MIDDLE, force=True)
    return registry


def test_the_model_loads_in_the_background_and_scores(tiny_artifact, tmp_path):
    state = ModelState(ServerSettings(model_dir=tiny_artifact, cache_dir=tmp_path))
    assert state.detector is None and state.report() == {"serving": None}  # nothing loaded before start
    state.start()
    state.thread.join(120)
    try:
        assert state.detector.version == read_manifest(tiny_artifact)["version"] and state.error is None
        report = state.report()
        assert report["serving"] == "model_dir" and "registry_latest" not in report
        assert report["scheduler"]["queued_texts"] == 0 and report["scheduler"]["work_per_s"] > 0  # measured
        detections = asyncio.run(state.submit(TEXTS, False))
        assert [type(d) for d in detections] == [Detection, Detection]
        assert [d.probability_ai for d in detections] == [d.probability_ai for d in state.detector.detect(TEXTS)]
    finally:
        state.stop()
    with pytest.raises(BatcherClosed):  # stopped: nothing more is taken
        asyncio.run(state.submit(TEXTS, False))


def test_the_warm_up_loads_the_typo_menders_word_list_before_any_request(tiny_artifact, tmp_path):
    spelling._common_words.cache_clear()
    spelling.mended_word.cache_clear()
    state = loaded(ServerSettings(model_dir=tiny_artifact, cache_dir=tmp_path))
    try:
        assert state.detector is not None
        assert spelling._common_words.cache_info().currsize == 1  # read while loading, not in the first request
    finally:
        state.stop()


def test_a_model_that_cannot_load_is_reported_not_waited_for(tmp_path):
    state = loaded(ServerSettings(model_dir=tmp_path / "no-model-here", cache_dir=tmp_path))
    assert state.detector is None and state.batcher is None
    assert state.error and "no-model-here" in state.error
    with pytest.raises(RuntimeError, match="not loaded"):
        asyncio.run(state.submit(TEXTS, False))


def test_a_registry_serves_its_latest(registry, tmp_path):
    state = loaded(ServerSettings(registry_uri=registry.uri, cache_dir=tmp_path))
    try:
        assert state.detector.version == MIDDLE
        assert state.report()["serving"] == "latest" and state.report()["registry_latest"] == MIDDLE
        assert "reason" not in state.report() and "refused" not in state.report()
    finally:
        state.stop()


def test_a_corrupt_latest_falls_back_to_the_newest_version_that_loads(tiny_artifact, tmp_path):
    registry = Registry(LocalStore(tmp_path / "models"))
    for version in (OLD, NEW):
        build = tmp_path / "build" / version
        shutil.copytree(tiny_artifact, build)
        update_manifest(build, {"version": version})
        registry.add(build)
        registry.promote(version, force=True)
    weights = tmp_path / "models" / NEW / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"evil")  # latest no longer verifies
    state = loaded(ServerSettings(registry_uri=registry.uri, cache_dir=tmp_path / "cache"))
    try:
        report = state.report()
        assert state.detector.version == OLD and report["serving"] == "fallback"
        assert report["registry_latest"] == NEW and NEW in report["refused"]
        assert f"latest {NEW} failed to load" in report["reason"] and f"serving {OLD}" in report["reason"]
    finally:
        state.stop()


def test_the_watch_follows_a_promotion_and_a_rollback(registry, tmp_path):
    state = loaded(ServerSettings(registry_uri=registry.uri, cache_dir=tmp_path, watch_s=0.2))
    try:
        assert wait_for(lambda: state.detector is not None and state.detector.version == MIDDLE)
        first = state.batcher
        registry.promote(NEW, force=True)
        assert wait_for(lambda: state.detector.version == NEW)
        assert state.report()["serving"] == "latest" and state.batcher is not first
        with pytest.raises(BatcherClosed):  # the old model's batcher was closed once the new one took over
            asyncio.run(first.submit(TEXTS[:1], False))
        assert asyncio.run(state.submit(TEXTS[:1], False))[0].model_version == NEW
        registry.rollback()
        assert wait_for(lambda: state.detector.version == MIDDLE)
    finally:
        state.stop()
        state.thread.join(5)
    assert not state.thread.is_alive()  # stop ends the watch
