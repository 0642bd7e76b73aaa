"""Registry behaviour on both stores: versions, gated promotion, rollback, checksums, races."""

from __future__ import annotations

import threading
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from aidetector.model.detector import Detector
from aidetector.registry.registry import Registry
from aidetector.registry.stores import LocalStore, PromotionConflict, RegistryError, S3Store
from tests.aidetector.registry.conftest import BUCKET


def test_add_list_promote_and_fetch(registry, make_version, tmp_path):
    assert registry.versions() == [] and registry.latest() is None
    v1 = registry.add(make_version("20260101T000000Z", auroc=0.90))
    assert registry.promote(v1).promoted
    v2 = registry.add(make_version("20260201T000000Z", auroc=0.92, fpr=0.015))
    result = registry.promote(v2)
    assert result.promoted and result.previous == v1
    infos = {i.version: i for i in registry.versions()}
    assert set(infos) == {v1, v2} and infos[v2].is_latest and not infos[v1].is_latest
    assert infos[v2].evaluation is not None and infos[v2].evaluation.auroc == 0.92
    folder = registry.fetch(None, tmp_path / "cache")
    detector = Detector.from_path(folder)  # what was fetched loads and scores
    assert detector.version == v2
    assert 0.0 <= detector.probabilities(["A short text to score."])[0] <= 1.0


def test_a_version_is_immutable(registry, make_version):
    registry.add(make_version("20260101T000000Z"))
    with pytest.raises(RegistryError, match="already exists"):
        registry.add(make_version("20260101T000000Z"))


def test_gate_refuses_a_worse_candidate_with_the_numbers(registry, make_version):
    registry.promote(registry.add(make_version("20260101T000000Z", auroc=0.93, fpr=0.02)))
    worse = registry.add(make_version("20260201T000000Z", auroc=0.90, fpr=0.05))
    result = registry.promote(worse)
    assert not result.promoted and registry.latest() == "20260101T000000Z"
    assert "AUROC 0.9000 is worse than latest's 0.9300" in result.decision.message
    assert "false-positive rate 0.0500 is worse than latest's 0.0200" in result.decision.message


def test_gate_tolerates_noise_and_refuses_incomparable_or_unevaluated(registry, make_version):
    registry.promote(registry.add(make_version("20260101T000000Z", auroc=0.930)))
    within = registry.add(make_version("20260102T000000Z", auroc=0.927))  # 0.003 worse < tolerance 0.005
    assert registry.promote(within).promoted
    other_data = registry.add(make_version("20260103T000000Z", auroc=0.99, data_sha256="other"))
    assert "different data" in registry.promote(other_data).decision.message
    unevaluated = registry.add(make_version("20260104T000000Z", auroc=None))
    assert "no evaluation" in registry.promote(unevaluated).decision.message
    forced = registry.promote(unevaluated, force=True)
    assert forced.promoted and "forced" in forced.decision.message


def test_floors_apply_even_without_a_latest(registry, make_version):
    result = registry.promote(registry.add(make_version("20260101T000000Z", auroc=0.55)))
    assert not result.promoted and "below the floor" in result.decision.message


def test_rollback_walks_back_through_promotions(registry, make_version):
    versions = [registry.add(make_version(f"2026010{i}T000000Z", auroc=0.90 + i / 100)) for i in range(1, 4)]
    for version in versions:
        assert registry.promote(version).promoted
    assert registry.rollback() == (versions[2], versions[1])
    assert registry.rollback() == (versions[1], versions[0])
    assert registry.latest() == versions[0]
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback()


def test_concurrent_promotions_never_lose_an_update(registry, make_version, request):
    """Many promotions at once, each with its own client (like separate processes): the winners form one chain.

    Every winner's `previous` is the version just before it in latest's history: no two winners started from
    the same latest, and no winner was silently overwritten.
    """
    moto_url = None
    if isinstance(registry.store, S3Store):  # moto's in-process mock is not thread-safe; its HTTP server is
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
        server.start()
        request.addfinalizer(server.stop)
        moto_url = "http://{}:{}".format(*server.get_host_and_port())
        boto3.client("s3", endpoint_url=moto_url).create_bucket(Bucket=BUCKET)
        registry = Registry(
            S3Store(registry.store.uri, client=boto3.client("s3", endpoint_url=moto_url)), registry.settings
        )
    registry.promote(registry.add(make_version("20260101T000000Z", auroc=0.90)))
    candidates = [registry.add(make_version(f"202602{i:02d}T000000Z", auroc=0.91)) for i in range(1, 7)]
    barrier = threading.Barrier(len(candidates))
    results, conflicts = [], []

    def own_registry() -> Registry:
        store = registry.store
        if isinstance(store, S3Store):
            return Registry(S3Store(store.uri, client=boto3.client("s3", endpoint_url=moto_url)), registry.settings)
        return Registry(LocalStore(store.root), registry.settings)

    def promote(version: str, mine: Registry) -> None:
        barrier.wait()
        try:
            results.append(mine.promote(version))
        except PromotionConflict:
            conflicts.append(version)

    threads = [threading.Thread(target=promote, args=(v, own_registry())) for v in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r.promoted]
    assert winners, "at least one promotion wins"
    assert len({r.previous for r in winners}) == len(winners), "two promotions won from the same latest"
    pointer, _ = registry.store.read_pointer()
    chain = [*pointer.history, pointer.version]
    for r in winners:
        assert chain[chain.index(r.version) - 1] == r.previous
    assert len(results) + len(conflicts) == len(candidates)


def test_unknown_version(registry):
    with pytest.raises(RegistryError, match="no version"):
        registry.promote("20990101T000000Z")


def test_fetch_without_latest(registry, tmp_path: Path):
    with pytest.raises(RegistryError, match="no latest"):
        registry.fetch(None, tmp_path / "cache")
