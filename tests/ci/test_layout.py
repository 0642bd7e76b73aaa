"""Tests mirror the code: every module has its own test file, at the mirrored path (issue 25.6).

    model/<module>.py                    -> tests/model/test_<module>.py
    web/<module>.py                      -> tests/web/test_<module>.py
    aidetector/<module>.py               -> tests/aidetector/test_<module>.py
    aidetector/<package>/.../<module>.py -> tests/aidetector/<package>/.../test_<module>.py

`__init__.py`, `__main__.py` and the shipped model are not modules to test; `aidetector/model` and `aidetector/web`
are links to `model/` and `web/`. Cross-cutting tests (integration, e2e, images, infra_pulumi, ...) live beside these.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def modules() -> list[str]:
    """Every module of the three code folders, as a path relative to the repository."""
    found = []
    for top in ("aidetector", "model", "web"):
        for path in sorted((REPO / top).rglob("*.py")):
            rel = path.relative_to(REPO)
            if path.name in ("__init__.py", "__main__.py") or "shipped" in rel.parts:
                continue
            if rel.parts[:2] in (("aidetector", "model"), ("aidetector", "web")):
                continue  # links to model/ and web/: the same files
            found.append(rel.as_posix())
    return found


def mirrored_test(module: str) -> str:
    parts = module.removesuffix(".py").split("/")
    if parts[0] in ("model", "web"):
        return f"tests/{parts[0]}/test_{parts[-1]}.py"
    return "/".join(["tests", *parts[:-1], f"test_{parts[-1]}.py"])


def test_the_mirror_rule():
    assert mirrored_test("model/train.py") == "tests/model/test_train.py"
    assert mirrored_test("web/client.py") == "tests/web/test_client.py"
    assert mirrored_test("aidetector/plans.py") == "tests/aidetector/test_plans.py"
    assert mirrored_test("aidetector/registry/gate.py") == "tests/aidetector/registry/test_gate.py"
    assert mirrored_test("aidetector/local/gateway/keys.py") == "tests/aidetector/local/gateway/test_keys.py"
    found = modules()
    assert "model/train.py" in found and "aidetector/cli/main.py" in found and "web/app.py" in found
    assert not any(m.startswith(("aidetector/model/", "aidetector/web/")) or "/shipped/" in m for m in found)


def test_every_module_has_its_mirrored_test_file():
    missing = {m: mirrored_test(m) for m in modules() if not (REPO / mirrored_test(m)).is_file()}
    assert not missing, "modules without their test file (write it at the mirrored path): " + ", ".join(
        f"{m} -> {t}" for m, t in sorted(missing.items())
    )
