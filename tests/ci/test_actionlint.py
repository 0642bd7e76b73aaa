"""actionlint, with shellcheck over every `run:` script, passes on the workflows (the issue's lint of the workflows)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.workflows import REPO

VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> Path:
    """The linter installed beside this interpreter (the `dev` extra), else one on PATH."""
    found = VENV_BIN / name
    if found.exists():
        return found
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is not installed: `make install` brings it (dev extra)")
    return Path(on_path)


def actionlint(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """actionlint runs shellcheck only if it finds it on PATH, so its folder goes first."""
    path = os.pathsep.join([str(tool("shellcheck").parent), os.environ.get("PATH", "")])
    return subprocess.run(
        [str(tool("actionlint")), "-no-color", *args],
        cwd=cwd,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_workflows_pass_actionlint_and_shellcheck():
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "no workflows found"
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_really_runs_inside_actionlint(tmp_path):
    """A lint that silently skipped shellcheck would pass anything: an unquoted variable must be reported."""
    workflow = tmp_path / ".github" / "workflows" / "bad.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: |\n          name=$1\n          rm -rf $name/build\n"
    )
    result = actionlint(str(workflow), cwd=tmp_path)
    assert result.returncode != 0 and "SC2086" in result.stdout, result.stdout + result.stderr
