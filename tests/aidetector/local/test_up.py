"""`aidetector up` without --model serves the local registry, seeded with the shipped model and moved on to a newer
shipped model unless someone promoted another model since."""

import shutil

from aidetector.local.up import SEEDED_MARKER, seed_registry
from aidetector.model.artifact import read_manifest, update_manifest
from aidetector.registry.registry import Registry
from aidetector.registry.settings import RegistrySettings
from aidetector.settings import SHIPPED_MODEL_DIR


def test_seed_registry_once_with_the_shipped_model(tmp_path):
    uri = seed_registry(tmp_path)
    registry = Registry.from_settings(RegistrySettings(uri=uri))
    shipped = read_manifest(SHIPPED_MODEL_DIR)["version"]
    assert registry.latest() == shipped
    assert seed_registry(tmp_path) == uri  # a second start reuses it
    assert [i.version for i in registry.versions()] == [shipped]
    assert (tmp_path / "models" / "latest").resolve().name == shipped


def _release(tiny_artifact, folder, version):
    """A copy of the tiny model under another version, standing in for the model a checkout ships."""
    shutil.copytree(tiny_artifact, folder)
    update_manifest(folder, {"version": version})
    return folder


def test_a_newer_shipped_model_becomes_latest_and_the_old_one_stays(tmp_path, tiny_artifact):
    home = tmp_path / "home"
    old = _release(tiny_artifact, tmp_path / "old", "20260101T000000Z")
    new = _release(tiny_artifact, tmp_path / "new", "20260201T000000Z")
    registry = Registry.from_settings(RegistrySettings(uri=seed_registry(home, old)))
    assert registry.latest() == "20260101T000000Z"
    seed_registry(home, new)  # the user pulled a checkout with a newer shipped model
    assert registry.latest() == "20260201T000000Z"
    assert {i.version for i in registry.versions()} == {"20260101T000000Z", "20260201T000000Z"}
    assert registry.rollback() == ("20260201T000000Z", "20260101T000000Z")


def test_a_model_promoted_by_hand_is_not_replaced(tmp_path, tiny_artifact):
    home = tmp_path / "home"
    old = _release(tiny_artifact, tmp_path / "old", "20260101T000000Z")
    own = _release(tiny_artifact, tmp_path / "own", "20260115T000000Z")
    new = _release(tiny_artifact, tmp_path / "new", "20260201T000000Z")
    registry = Registry.from_settings(RegistrySettings(uri=seed_registry(home, old)))
    registry.add(own)
    registry.promote("20260115T000000Z", force=True)  # the user's own choice
    seed_registry(home, new)
    assert registry.latest() == "20260115T000000Z"
    assert "20260201T000000Z" not in {i.version for i in registry.versions()}


def test_a_registry_seeded_before_the_marker_is_upgraded(tmp_path, tiny_artifact):
    home = tmp_path / "home"
    old = _release(tiny_artifact, tmp_path / "old", "20260101T000000Z")
    new = _release(tiny_artifact, tmp_path / "new", "20260201T000000Z")
    registry = Registry.from_settings(RegistrySettings(uri=seed_registry(home, old)))
    (home / SEEDED_MARKER).unlink()  # as older code left it: the seed alone, no record of it
    seed_registry(home, new)
    assert registry.latest() == "20260201T000000Z"


def test_the_page_gets_its_own_key_on_the_web_plan_and_the_developer_a_demo_key(tmp_path):
    from aidetector.local.gateway.keys import KeyStore
    from aidetector.local.up import demo_key, web_key
    from aidetector.plans import load_plans

    store = KeyStore(tmp_path / "keys.sqlite3", load_plans().plans)
    page, demo = web_key(tmp_path, store), demo_key(tmp_path, store)
    assert page != demo
    assert store.lookup(page).plan == "web" and store.lookup(demo).plan == "free"
    assert web_key(tmp_path, store) == page and demo_key(tmp_path, store) == demo  # kept across starts
    assert (tmp_path / "web_key").stat().st_mode & 0o077 == 0
    web_plan = load_plans().plans["web"]
    assert web_plan.quota < load_plans().plans["pro"].quota  # a visitor cannot spend a pro quota


def test_the_printed_sample_is_long_enough_for_a_verdict():
    """A developer's first call with the printed curl line must not answer `too_short` (30 words at least)."""
    from aidetector.local.up import SAMPLE_TEXT

    assert len(SAMPLE_TEXT.split()) >= 40


def test_supervisor_restarts_a_dead_child_and_reports_it(tmp_path):
    import json
    import os
    import signal
    import sys
    import time

    from aidetector.local.up import Child, Supervisor

    supervisor = Supervisor(tmp_path / "stack.json")
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    child = supervisor.add(Child("sleeper", sleeper, dict(os.environ), "http://127.0.0.1:9/never"))
    other = supervisor.add(Child("other", sleeper, dict(os.environ), "http://127.0.0.1:9/never"))
    try:
        first, other_pid = child.proc.pid, other.proc.pid
        child.proc.send_signal(signal.SIGKILL)
        child.proc.wait()
        deadline = time.monotonic() + 20
        while child.proc.pid == first and time.monotonic() < deadline:
            supervisor.poll()
            time.sleep(0.1)
        assert child.proc.pid != first and child.proc.poll() is None  # restarted after its backoff
        assert other.proc.pid == other_pid  # the other process was left alone
        report = json.loads((tmp_path / "stack.json").read_text())["processes"]
        assert report["sleeper"]["restarts"] == 1 and report["sleeper"]["last_exit"] == -signal.SIGKILL
        assert report["other"]["restarts"] == 0 and child.backoff_s == 2.0
    finally:
        supervisor.stop_all()
    assert not (tmp_path / "stack.json").exists() and child.proc.poll() is not None
