"""The two stores' own promises: a version appears whole or not at all, `latest` changes by compare-and-swap, and
what is fetched is checked before anyone loads it; plus what only one store has (S3's layout, local's symlink)."""

from __future__ import annotations

import boto3
import pytest

from aidetector.model.artifact import ArtifactError
from aidetector.registry.registry import Registry
from aidetector.registry.stores import LocalStore, Pointer, PromotionConflict, RegistryError, S3Store, open_store
from tests.aidetector.registry.conftest import BUCKET


def test_lost_race_is_refused(registry, make_version):
    """Two promotions read the same latest; the second to write loses and changes nothing."""
    registry.promote(registry.add(make_version("20260101T000000Z", auroc=0.90)))
    registry.add(make_version("20260102T000000Z", auroc=0.91))
    _, stale_token = registry.store.read_pointer()
    assert registry.promote("20260102T000000Z").promoted  # the other promotion wins meanwhile
    with registry.store.lock(), pytest.raises(PromotionConflict):
        registry.store.write_pointer(Pointer("20260101T000000Z", history=[]), stale_token)
    assert registry.latest() == "20260102T000000Z"


def test_local_tampered_artifact_is_refused(tmp_path, make_version):
    registry = Registry(LocalStore(tmp_path / "registry"))
    version = registry.add(make_version("20260101T000000Z"))
    weights = tmp_path / "registry" / version / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"tampered")
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        registry.fetch(version, tmp_path / "cache")


def test_local_partial_copy_is_invisible_and_latest_link_follows(tmp_path, make_version):
    root = tmp_path / "registry"
    registry = Registry(LocalStore(root))
    (root / ".partial-20260109T000000Z-x").mkdir(parents=True)  # what a killed copy leaves behind
    version = registry.add(make_version("20260101T000000Z"))
    assert [i.version for i in registry.versions()] == [version]
    registry.promote(version)
    assert (root / "latest").resolve() == (root / version).resolve()


def test_s3_tampered_archive_is_refused(s3_env, make_version, tmp_path):
    s3 = boto3.client("s3")
    registry = Registry(S3Store(f"s3://{BUCKET}/models", client=s3))
    version = registry.add(make_version("20260101T000000Z"))
    s3.put_object(Bucket=BUCKET, Key=f"models/{version}/model.tar.gz", Body=b"not the model")
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        registry.fetch(version, tmp_path / "cache")


def test_s3_layout_and_incomplete_upload(s3_env, make_version):
    s3 = boto3.client("s3")
    registry = Registry(S3Store(f"s3://{BUCKET}/models", client=s3))
    version = registry.add(make_version("20260101T000000Z"))
    registry.promote(version)
    s3.put_object(Bucket=BUCKET, Key="models/20260105T000000Z/model.tar.gz", Body=b"upload killed before manifest")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="models/")["Contents"]}
    assert {f"models/{version}/model.tar.gz", f"models/{version}/manifest.json", f"models/{version}/metrics.json",
            "models/latest/model.tar.gz", "models/latest/manifest.json"} <= keys  # fmt: skip
    assert [i.version for i in registry.versions()] == [version]  # no manifest = not a version


def test_open_store_picks_the_store_by_uri(tmp_path, aws):
    local = open_store(str(tmp_path / "models"))
    assert isinstance(local, LocalStore) and local.root == tmp_path / "models"
    s3 = open_store("s3://bucket/some/prefix/")
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix, s3.uri) == (
        "bucket",
        "some/prefix",
        "s3://bucket/some/prefix",
    )
    with pytest.raises(RegistryError, match="not an S3 URI"):
        S3Store("s3:///prefix")


def test_a_pointer_from_an_older_release_reads_with_defaults():
    pointer = Pointer.from_dict({"version": "20260101T000000Z"})
    assert (pointer.version, pointer.history, pointer.action, pointer.updated_at) == (
        "20260101T000000Z",
        [],
        "promote",
        "",
    )


def test_local_versions_are_finished_folders_only(tmp_path, make_version):
    store = LocalStore(tmp_path / "registry")
    assert store.versions() == [] and store.read_pointer() == (None, None)  # nothing there yet, not an error
    store.put_version("20260101T000000Z", make_version("20260101T000000Z"))
    (store.root / "notes.txt").write_text("a file is not a version")
    (store.root / ".hidden").mkdir()
    (store.root / "latest").symlink_to("20260101T000000Z", target_is_directory=True)
    assert store.versions() == ["20260101T000000Z"]
    for name in ("latest", ".hidden", "../registry", "20990101T000000Z"):
        with pytest.raises(RegistryError, match="no version"):
            store.read_meta(name)


def test_a_local_copy_that_fails_verification_is_not_added(tmp_path, make_version):
    folder = make_version("20260101T000000Z")
    (folder / "tokenizer.json").unlink()
    store = LocalStore(tmp_path / "registry")
    with pytest.raises(ArtifactError, match=r"missing file tokenizer\.json"):
        store.put_version("20260101T000000Z", folder)
    assert store.versions() == [] and [p.name for p in store.root.iterdir()] == []


def test_s3_versions_under_a_prefix_ignore_other_prefixes(s3_env, make_version, tmp_path):
    s3 = boto3.client("s3")
    store = S3Store(f"s3://{BUCKET}/team/models", client=s3)
    store.put_version("20260101T000000Z", make_version("20260101T000000Z"))
    s3.put_object(Bucket=BUCKET, Key="team/other/20260202T000000Z/manifest.json", Body=b"{}")
    assert store.versions() == ["20260101T000000Z"]
    assert store.read_meta("20260101T000000Z").metrics["evaluation"]["auroc"] == 0.9
    with pytest.raises(RegistryError, match="no version"):
        store.read_meta("20990101T000000Z")
    fetched = store.open_version("20260101T000000Z", tmp_path / "cache")
    assert fetched == tmp_path / "cache" / "20260101T000000Z" and (fetched / "model.safetensors").is_file()
    assert store.open_version("20260101T000000Z", tmp_path / "cache") == fetched  # the cache is verified, not refetched
