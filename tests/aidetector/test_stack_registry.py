"""`aidetector up` without --model serves the local registry, seeded once with the shipped model."""

from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.settings import SHIPPED_MODEL_DIR
from aidetector.stack import seed_registry
from model.artifact import read_manifest


def test_seed_registry_once_with_the_shipped_model(tmp_path):
    uri = seed_registry(tmp_path)
    registry = Registry.from_settings(RegistrySettings(uri=uri))
    shipped = read_manifest(SHIPPED_MODEL_DIR)["version"]
    assert registry.latest() == shipped
    assert seed_registry(tmp_path) == uri  # a second start reuses it
    assert [i.version for i in registry.versions()] == [shipped]
    assert (tmp_path / "models" / "latest").resolve().name == shipped
